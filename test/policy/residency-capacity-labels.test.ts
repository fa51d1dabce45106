import { describe, expect, it } from 'vitest';
import { cluster, compliantObjects, environment, NS, withChange } from './fixtures.ts';
import { of, run } from './helpers.ts';

describe('residency policy', () => {
  it('a compliant tenant environment has no residency findings', () => {
    expect(of('residency/region', run(compliantObjects()))).toEqual([]);
  });

  it('a backup store in another region violates residency/region', () => {
    const objects = withChange('ObjectStore', 'backups', (s) => (s.metadata.annotations['tenantctl.io/region'] = 'eu-north'));
    expect(of('residency/region', run(objects))).toEqual([expect.objectContaining({ message: expect.stringContaining('stores data in eu-north, outside eu-west') })]);
  });

  it("a backup copy in the tenant's declared cross-region target satisfies residency/region", () => {
    const objects = withChange('ObjectStore', 'backups', (s) => {
      s.metadata.annotations['tenantctl.io/region'] = 'eu-north';
      s.spec.configuration.destinationPath = 's3://backups-eu-north/x';
    });
    expect(of('residency/region', run(objects, [environment({ crossRegion: 'eu-north' })]))).toEqual([]);
  });

  it('a backup store whose bucket is in another region than its annotation violates residency/region', () => {
    const objects = withChange('ObjectStore', 'backups', (s) => (s.spec.configuration.destinationPath = 's3://backups-eu-north/x'));
    expect(of('residency/region', run(objects))).toEqual([expect.objectContaining({ message: expect.stringContaining('writes to bucket backups-eu-north in eu-north') })]);
  });

  it('a tenant placed on a cluster of another region violates residency/region', () => {
    const elsewhere = { ...cluster, region: 'eu-north' };
    const findings = of('residency/region', run(compliantObjects(), [{ ...environment(), cluster: elsewhere }], { cluster: elsewhere }));
    expect(findings.map((f) => f.message)).toContain('acme must stay in eu-west but runs on cluster eu-1 in eu-north');
  });
});

describe('capacity policy', () => {
  it('a cluster whose requests fit its capacity satisfies capacity/cluster-requests', () => {
    expect(of('capacity/cluster-requests', run(compliantObjects()))).toEqual([]);
  });

  it('requests above the declared capacity violate capacity/cluster-requests', () => {
    const small = { ...cluster, capacity: { cpu: 1.5, memoryGi: 4 } };
    // odoo: 2 × 250m, pg: 2 × 500m, plus 2 × 512Mi and 2 × 2Gi
    const findings = of('capacity/cluster-requests', run(compliantObjects(), undefined, { cluster: small }));
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('workloads request 5 GiB of memory, more than the 4 GiB'),
    ]);
    expect(findings[0].resource).toEqual({ apiVersion: 'tenantctl.io/v1', kind: 'Cluster', name: 'eu-1' });
    const tiny = { ...cluster, capacity: { cpu: 1, memoryGi: 64 } };
    expect(of('capacity/cluster-requests', run(compliantObjects(), undefined, { cluster: tiny })).map((f) => f.message)).toEqual([expect.stringContaining('request 1.5 CPU')]);
  });
});

describe('labels policy', () => {
  it('a compliant tenant environment has no label findings', () => {
    expect(of('labels/required', run(compliantObjects()))).toEqual([]);
  });

  it('a tenant object without the environment label violates labels/required', () => {
    const objects = withChange('Service', 'odoo', (s) => delete s.metadata.labels['tenantctl.io/environment']);
    expect(of('labels/required', run(objects))).toEqual([expect.objectContaining({ path: 'metadata.labels', message: 'tenant object has no tenantctl.io/environment' })]);
  });

  it('a per-cluster object needs only managed-by', () => {
    const ok = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'postgres-shared', labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } } };
    const bad = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'redis-shared', labels: { 'app.kubernetes.io/managed-by': 'helm' } } };
    const findings = of('labels/required', run([...compliantObjects(), ok, bad]));
    expect(findings).toEqual([expect.objectContaining({ resource: expect.objectContaining({ name: 'redis-shared' }), message: expect.stringContaining('not "tenantctl"') })]);
  });

  it('an object in a tenant namespace without any label violates labels/required', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: NS } };
    expect(of('labels/required', run([...compliantObjects(), cm]))[0].message).toBe('tenant object has no app.kubernetes.io/managed-by, tenantctl.io/tenant, tenantctl.io/tier, tenantctl.io/environment');
  });
});
