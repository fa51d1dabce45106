import { describe, expect, it } from 'vitest';
import { compliantObjects, NS, withChange, without } from './fixtures.ts';
import { of, run } from './helpers.ts';

describe('isolation policies', () => {
  it('a compliant tenant environment has no isolation findings', () => {
    expect(run(compliantObjects()).filter((f) => f.policy.startsWith('isolation/'))).toEqual([]);
  });

  it('a tenant namespace without a default-deny NetworkPolicy violates isolation/default-deny', () => {
    const findings = of('isolation/default-deny', run(without('NetworkPolicy', 'default-deny')));
    expect(findings).toEqual([expect.objectContaining({ resource: { apiVersion: 'v1', kind: 'Namespace', name: NS }, message: expect.stringContaining('ingress and egress') })]);
  });

  it('a default-deny policy with only the Ingress type violates isolation/default-deny for egress', () => {
    const findings = of('isolation/default-deny', run(withChange('NetworkPolicy', 'default-deny', (np) => (np.spec.policyTypes = ['Ingress']))));
    expect(findings).toEqual([expect.objectContaining({ message: expect.stringContaining('default-deny egress') })]);
  });

  it('a "default-deny" policy that allows traffic violates isolation/default-deny', () => {
    expect(of('isolation/default-deny', run(withChange('NetworkPolicy', 'default-deny', (np) => (np.spec.ingress = [{}]))))).toHaveLength(1);
  });

  it('a LoadBalancer Service selecting CNPG pods violates isolation/no-exposed-datastore', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-public', namespace: NS }, spec: { type: 'LoadBalancer', selector: { 'cnpg.io/cluster': 'pg' }, ports: [{ port: 5432 }] } };
    expect(of('isolation/no-exposed-datastore', run([...compliantObjects(), svc]))).toEqual([expect.objectContaining({ path: 'spec.type' })]);
  });

  it('a NodePort Service for redis violates isolation/no-exposed-datastore', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'redis', namespace: NS }, spec: { type: 'NodePort', ports: [{ port: 6379 }] } };
    expect(of('isolation/no-exposed-datastore', run([...compliantObjects(), svc]))).toHaveLength(1);
  });

  it('a ClusterIP Service for PostgreSQL satisfies isolation/no-exposed-datastore', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'pg-rw', namespace: NS }, spec: { selector: { 'cnpg.io/cluster': 'pg' }, ports: [{ port: 5432 }] } };
    expect(of('isolation/no-exposed-datastore', run([...compliantObjects(), svc]))).toEqual([]);
  });

  it('an IngressRoute routing to port 5432 violates isolation/no-exposed-datastore', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => r.spec.routes[0].services.push({ name: 'pg-rw', port: 5432 }));
    expect(of('isolation/no-exposed-datastore', run(objects))).toEqual([expect.objectContaining({ path: 'spec.routes[0].services[1]' })]);
  });

  it('a route backend in another tenant namespace violates isolation/no-cross-tenant-reference', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => (r.spec.routes[0].services[0].namespace = 'tenant-globex-production'));
    expect(of('isolation/no-cross-tenant-reference', run(objects))).toEqual([
      expect.objectContaining({ path: 'spec.routes[0].services[0].namespace', message: expect.stringContaining('tenant-globex-production') }),
    ]);
  });

  it('a NetworkPolicy allowing another tenant namespace violates isolation/no-cross-tenant-reference', () => {
    const objects = withChange('NetworkPolicy', 'allow-traefik', (np) => (np.spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'tenant-globex-staging'));
    expect(of('isolation/no-cross-tenant-reference', run(objects))).toHaveLength(1);
  });

  it('a NetworkPolicy with an empty namespaceSelector violates isolation/no-cross-tenant-reference', () => {
    const objects = withChange('NetworkPolicy', 'allow-traefik', (np) => (np.spec.ingress[0].from[0].namespaceSelector = {}));
    expect(of('isolation/no-cross-tenant-reference', run(objects))).toEqual([expect.objectContaining({ message: expect.stringContaining('every namespace') })]);
  });

  it('references to shared platform namespaces satisfy isolation/no-cross-tenant-reference', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => (r.spec.routes[0].middlewares[0].namespace = 'traefik'));
    expect(of('isolation/no-cross-tenant-reference', run(objects))).toEqual([]);
  });

  it("an ExternalSecret reading another tenant's secret-store key violates isolation/no-cross-tenant-reference", () => {
    const es = (key: string) => ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace: NS },
      spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' }, data: [{ secretKey: 'password', remoteRef: { key } }] },
    });
    expect(of('isolation/no-cross-tenant-reference', run([...compliantObjects(), es('tenants/globex/production/db')]))).toEqual([
      expect.objectContaining({ path: 'spec.data[0].remoteRef.key', message: expect.stringContaining('of tenant globex') }),
    ]);
    expect(of('isolation/no-cross-tenant-reference', run([...compliantObjects(), es('tenants/acme/production/db')]))).toEqual([]);
  });
});
