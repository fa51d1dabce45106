import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/model/resource.ts';
import { compliantObjects, environment, labels, NS, secureContainer, podSecurity, withChange, without } from './fixtures.ts';
import { of, run } from './helpers.ts';

/** A shared-tier database of acme production on the cluster's shared PostgreSQL, dumped every `schedule`. */
function sharedDatabase(schedule: string): KubeObject[] {
  return [
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Database', metadata: { name: 'acme-production', namespace: 'postgres-shared', labels: labels('shared') }, spec: { name: 't_acme_production', owner: 'acme', cluster: { name: 'pg-shared' } } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'pg-dump', namespace: NS, labels: { ...labels('shared'), 'app.kubernetes.io/component': 'backup' } },
      spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: podSecurity(), containers: [secureContainer('dump', 'registry.example.com/tools:1.0')] } } } } },
    },
  ];
}

const crossRegionStore = (annotations: Record<string, string>, bucket = 'locked-eu-north'): KubeObject => ({
  apiVersion: 'barmancloud.cnpg.io/v1',
  kind: 'ObjectStore',
  metadata: { name: 'backups-copy', namespace: NS, labels: labels('regulated'), annotations },
  spec: { retentionPolicy: '90d', configuration: { destinationPath: `s3://${bucket}/eu-1/acme-production` } },
});

describe('backups policies', () => {
  it('a compliant tenant environment has no backup findings', () => {
    expect(run(compliantObjects()).filter((f) => f.policy.startsWith('backups/'))).toEqual([]);
  });

  it('a CNPG Cluster without a ScheduledBackup violates backups/scheduled', () => {
    expect(of('backups/scheduled', run(without('ScheduledBackup', 'pg-daily')))).toEqual([expect.objectContaining({ resource: expect.objectContaining({ kind: 'Cluster', name: 'pg' }) })]);
  });

  it('a shared-tier Database without a dump CronJob violates backups/scheduled', () => {
    const [db] = sharedDatabase('*/30 * * * *');
    expect(of('backups/scheduled', run([...compliantObjects(), db]))).toEqual([expect.objectContaining({ message: expect.stringContaining(`no dump CronJob in namespace ${NS}`) })]);
  });

  it('a shared-tier Database with a dump CronJob satisfies backups/scheduled', () => {
    expect(of('backups/scheduled', run([...compliantObjects(), ...sharedDatabase('*/30 * * * *')]))).toEqual([]);
  });

  it('a dump CronJob running less often than the RPO violates backups/rpo', () => {
    const env = environment({ rpoMinutes: 60 });
    expect(of('backups/rpo', run([...compliantObjects(), ...sharedDatabase('0 */4 * * *')], [env]))).toEqual([
      expect.objectContaining({ path: 'spec.schedule', message: expect.stringContaining('240 minutes') }),
    ]);
    expect(of('backups/rpo', run([...compliantObjects(), ...sharedDatabase('0 * * * *')], [env]))).toEqual([]);
  });

  it('an archive_timeout of 0, which disables time-based WAL switches, violates backups/rpo', () => {
    const objects = withChange('Cluster', 'pg', (c) => (c.spec.postgresql.parameters.archive_timeout = '0'));
    expect(of('backups/rpo', run(objects, [environment({ rpoMinutes: 15 })]))).toEqual([expect.objectContaining({ path: 'spec.postgresql.parameters.archive_timeout', message: 'archive_timeout 0 disables time-based WAL switches' })]);
  });

  it('an archive_timeout above the RPO violates backups/rpo', () => {
    const objects = withChange('Cluster', 'pg', (c) => (c.spec.postgresql.parameters.archive_timeout = '30min'));
    expect(of('backups/rpo', run(objects, [environment({ rpoMinutes: 15 })]))).toEqual([expect.objectContaining({ path: 'spec.postgresql.parameters.archive_timeout' })]);
  });

  it('a CNPG Cluster without a WAL-archiving plugin violates backups/rpo', () => {
    const objects = withChange('Cluster', 'pg', (c) => (c.spec.plugins[0].isWALArchiver = false));
    expect(of('backups/rpo', run(objects))).toEqual([expect.objectContaining({ path: 'spec.plugins' })]);
  });

  it('a retention below the tenant setting violates backups/retention', () => {
    const findings = of('backups/retention', run(compliantObjects(), [environment({ retentionDays: 35 })]));
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.retentionPolicy', message: expect.stringContaining('30 days, less than the required 35') })]);
  });

  it('a Velero Schedule ttl below the tier minimum violates backups/retention', () => {
    const schedule = { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'acme-production', namespace: 'velero', labels: labels(), annotations: { 'tenantctl.io/region': 'eu-west' } }, spec: { schedule: '0 2 * * *', template: { ttl: '168h0m0s' } } };
    expect(of('backups/retention', run([...compliantObjects(), schedule]))).toEqual([expect.objectContaining({ path: 'spec.template.ttl' })]);
  });

  it('a regulated tenant without a cross-region immutable copy violates backups/cross-region-immutable', () => {
    const env = environment({ tier: 'regulated', crossRegion: 'eu-north', immutable: true });
    expect(of('backups/cross-region-immutable', run(compliantObjects(), [env]))).toEqual([expect.objectContaining({ resource: expect.objectContaining({ kind: 'Namespace', name: NS }), message: expect.stringContaining('in eu-north, immutable') })]);
    const notImmutable = crossRegionStore({ 'tenantctl.io/region': 'eu-north' }, 'backups-eu-north');
    expect(of('backups/cross-region-immutable', run([...compliantObjects(), notImmutable], [env]))).toHaveLength(1);
  });

  it('a regulated tenant with a cross-region immutable copy satisfies backups/cross-region-immutable', () => {
    const env = environment({ tier: 'regulated', crossRegion: 'eu-north', immutable: true });
    const store = crossRegionStore({ 'tenantctl.io/region': 'eu-north', 'tenantctl.io/immutable': 'true' });
    expect(of('backups/cross-region-immutable', run([...compliantObjects(), store], [env]))).toEqual([]);
  });

  it('a store marked immutable outside the locked bucket violates backups/cross-region-immutable', () => {
    const env = environment({ tier: 'regulated', crossRegion: 'eu-north', immutable: true });
    const store = crossRegionStore({ 'tenantctl.io/region': 'eu-north', 'tenantctl.io/immutable': 'true' }, 'backups-eu-north');
    expect(of('backups/cross-region-immutable', run([...compliantObjects(), store], [env]))).toEqual([expect.objectContaining({ message: expect.stringContaining('not the locked bucket locked-eu-north') })]);
  });

  it('a tenant environment without a restore-test CronJob violates backups/restore-test', () => {
    expect(of('backups/restore-test', run(without('CronJob', 'restore-test')))).toEqual([expect.objectContaining({ tenant: 'acme', environment: 'production', resource: expect.objectContaining({ kind: 'Namespace' }) })]);
  });

  it('finds tenant environments from Namespace labels when no environments are given', () => {
    expect(of('backups/restore-test', run(without('CronJob', 'restore-test'), []))).toHaveLength(1);
  });
});
