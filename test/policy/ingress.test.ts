import { describe, expect, it } from 'vitest';
import { hostsOfRule } from '../../lib/policy/ingress.ts';
import { runPolicies } from '../../lib/policy/engine.ts';
import { cluster, compliantObjects, context, environment, fleet, TODAY, withChange } from './fixtures.ts';
import { of, run } from './helpers.ts';

describe('ingress policies', () => {
  it('reads host names from Traefik match rules', () => {
    expect(hostsOfRule('Host(`a.example.com`) && PathPrefix(`/x`) || Host(`b.example.com`, `c.example.com`) || HostSNI(`d`)')).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
  });

  it('a compliant tenant environment has no ingress findings', () => {
    expect(run(compliantObjects()).filter((f) => f.policy.startsWith('ingress/'))).toEqual([]);
  });

  it('an IngressRoute without tls violates ingress/tls-required', () => {
    expect(of('ingress/tls-required', run(withChange('IngressRoute', 'odoo', (r) => delete r.spec.tls)))).toEqual([expect.objectContaining({ path: 'spec.tls' })]);
  });

  it('a route without the HSTS middleware violates ingress/hsts', () => {
    const findings = of('ingress/hsts', run(withChange('IngressRoute', 'odoo', (r) => (r.spec.routes[1].middlewares = []))));
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.routes[1].middlewares' })]);
  });

  it('a headers middleware without stsSeconds violates ingress/hsts', () => {
    expect(of('ingress/hsts', run(withChange('Middleware', 'security-headers', (m) => (m.spec.headers = { frameDeny: true }))))).toHaveLength(4);
  });

  it('an HSTS middleware reached through a chain satisfies ingress/hsts', () => {
    const objects = withChange('Middleware', 'security-headers', (m) => (m.spec = { chain: { middlewares: [{ name: 'hsts' }] } }));
    objects.push({ apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'hsts', namespace: 'tenant-acme-production', labels: objects[0].metadata.labels }, spec: { headers: { stsSeconds: 63072000 } } });
    expect(of('ingress/hsts', run(objects))).toEqual([]);
  });

  it('a host without an allow-listed /web/database route violates ingress/database-manager-blocked', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => (r.spec.routes[2].middlewares = [{ name: 'security-headers' }]));
    expect(of('ingress/database-manager-blocked', run(objects))).toEqual([expect.objectContaining({ message: 'erp.acme.example/web/database is reachable from anywhere' })]);
  });

  it('a /web/database route sent to noop@internal satisfies ingress/database-manager-blocked', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => {
      r.spec.routes[2].middlewares = [{ name: 'security-headers' }];
      r.spec.routes[2].services = [{ name: 'noop@internal', kind: 'TraefikService' }];
    });
    expect(of('ingress/database-manager-blocked', run(objects))).toEqual([]);
  });

  it('a host outside the base domain and the tenant domains violates ingress/hostname-owned', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => (r.spec.routes[0].match = 'Host(`erp.globex.example`)'));
    expect(of('ingress/hostname-owned', run(objects))).toEqual([expect.objectContaining({ path: 'spec.routes[0].match', message: expect.stringContaining('erp.globex.example') })]);
  });

  it('a host under the cluster base domain satisfies ingress/hostname-owned without tenant context', () => {
    const objects = withChange('IngressRoute', 'odoo', (r) => (r.spec.routes = r.spec.routes.slice(1, 2)));
    expect(of('ingress/hostname-owned', run(objects, []))).toEqual([]);
  });

  it('a host served by two tenant environments violates ingress/unique-hostnames', () => {
    const other = compliantObjects().map((o) => JSON.parse(JSON.stringify(o).replaceAll('tenant-acme-production', 'tenant-acme-staging').replaceAll('"production"', '"staging"')));
    const staging = environment({ name: 'staging' });
    const findings = of('ingress/unique-hostnames', runPolicies(context([...compliantObjects(), ...other], [environment(), staging]), { today: TODAY }));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0].message).toMatch(/also served by eu-1\/tenant-acme-/);
  });

  it('a host served by one environment on two clusters violates ingress/unique-hostnames', () => {
    const second = { ...cluster, name: 'eu-2' };
    const findings = of('ingress/unique-hostnames', runPolicies([context(), { cluster: second, objects: compliantObjects(), fleet }], { today: TODAY }));
    expect(new Set(findings.map((f) => f.cluster))).toEqual(new Set(['eu-1', 'eu-2']));
  });
});
