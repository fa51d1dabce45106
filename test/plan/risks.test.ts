import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/model/resource.ts';
import { planChanges } from '../../lib/plan/plan.ts';
import type { RiskFlag } from '../../lib/plan/types.ts';
import { ACME, BETA, envFiles, patch } from './fixtures.ts';

/** Risks (flag, subject) after editing ACME's objects. */
function risksAfter(edit: (name: string, obj: KubeObject) => KubeObject | undefined): Array<[RiskFlag, string]> {
  return planChanges(envFiles(ACME), envFiles(ACME, edit)).risks.map((r) => [r.flag, r.subject]);
}

const only = (target: string, fn: (o: KubeObject & { spec: Record<string, any> }) => void) => (name: string, o: KubeObject) => (name === target ? patch(o, fn) : o);
const drop = (...targets: string[]) => (name: string, o: KubeObject) => (targets.includes(name) ? undefined : o);

describe('risk flags: deletions', () => {
  it('flags the database, volume and namespace of a removed tenant environment, and nothing else', () => {
    const plan = planChanges([...envFiles(ACME), ...envFiles(BETA)], envFiles(ACME));
    expect(plan.risks.map((r) => [r.flag, r.subject])).toEqual([
      ['database-deleted', 'Cluster/tenant-beta-production/pg'],
      ['database-deleted', 'Database/postgres-shared/beta-production'],
      ['volume-deleted', 'PersistentVolumeClaim/tenant-beta-production/odoo-filestore'],
      ['namespace-deleted', 'Namespace/tenant-beta-production'],
    ]);
    expect(plan.risks[1].message).toContain('reclaim policy retain');
  });

  it('flags a CNPG Database switched to ensure: absent', () => {
    expect(risksAfter(only('database', (o) => (o.spec.ensure = 'absent')))).toEqual([['database-deleted', 'Database/postgres-shared/acme-production']]);
  });

  it('flags a backup object removed from an environment that stays', () => {
    expect(risksAfter(drop('velero', 'dump', 'objectStore'))).toEqual([
      ['backup-removed', 'CronJob/tenant-acme-production/pg-dump'],
      ['backup-removed', 'ObjectStore/tenant-acme-production/pg-backup'],
      ['backup-removed', 'Schedule/velero/acme-production-filestore'],
    ]);
  });

  it('raises nothing for a brand-new tenant environment', () => {
    expect(planChanges([], envFiles(ACME)).risks).toEqual([]);
  });
});

describe('risk flags: backups and RPO', () => {
  it('flags a shorter ObjectStore retention but not a longer one', () => {
    expect(risksAfter(only('objectStore', (o) => (o.spec.retentionPolicy = '1w')))).toEqual([['backup-retention-lowered', 'ObjectStore/tenant-acme-production/pg-backup']]);
    expect(risksAfter(only('objectStore', (o) => (o.spec.retentionPolicy = '2m')))).toEqual([]);
  });

  it('flags a shorter Velero ttl, counting a missing ttl as the 30-day default', () => {
    expect(risksAfter(only('velero', (o) => (o.spec.template.ttl = '168h')))).toEqual([['backup-retention-lowered', 'Schedule/velero/acme-production-filestore']]);
    expect(risksAfter(only('velero', (o) => delete o.spec.template.ttl))).toEqual([]);
  });

  it('flags a raised RPO of dedicated data, where only the backup-age alert moves with it', () => {
    const rule = (seconds: number) => (name: string, o: KubeObject) =>
      name !== 'config' ? o : ({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { ...o.metadata, name: 'tenant-alerts' },
        spec: { groups: [{ name: 'tenant', rules: [{ alert: 'TenantBackupOlderThanRpo', expr: `time() - cnpg_pg_stat_archiver_last_archived_time{namespace="tenant-acme-production"} > ${seconds}` }] }] },
      } as KubeObject);
    const plan = planChanges(envFiles(ACME, rule(600)), envFiles(ACME, rule(3600)));
    expect(plan.risks.map((r) => [r.flag, r.subject, r.message])).toEqual([
      ['rpo-raised', 'PrometheusRule/tenant-acme-production/tenant-alerts', 'RPO raised from 10m to 1h (alert TenantBackupOlderThanRpo fires only after 1h without a backup)'],
    ]);
    expect(planChanges(envFiles(ACME, rule(3600)), envFiles(ACME, rule(600))).risks).toEqual([]);
  });

  it('flags a longer or removed archive_timeout', () => {
    expect(risksAfter(only('pg', (o) => (o.spec.postgresql.parameters.archive_timeout = '15min')))).toEqual([['rpo-raised', 'Cluster/tenant-acme-production/pg']]);
    expect(risksAfter(only('pg', (o) => delete o.spec.postgresql.parameters.archive_timeout))).toEqual([['rpo-raised', 'Cluster/tenant-acme-production/pg']]);
    expect(risksAfter(only('pg', (o) => (o.spec.postgresql.parameters.archive_timeout = '60s')))).toEqual([]);
  });

  it('flags a pg_dump CronJob that runs less often or is suspended, not one that runs more often', () => {
    const [risk] = planChanges(envFiles(ACME), envFiles(ACME, only('dump', (o) => (o.spec.schedule = '7 3 * * *')))).risks;
    expect(risk).toMatchObject({ flag: 'rpo-raised', subject: 'CronJob/tenant-acme-production/pg-dump' });
    expect(risk.message).toContain('leaves up to 1d between backups instead of 4h');
    expect(risksAfter(only('dump', (o) => (o.spec.suspend = true)))).toEqual([['rpo-raised', 'CronJob/tenant-acme-production/pg-dump']]);
    expect(risksAfter(only('dump', (o) => (o.spec.schedule = '7 * * * *')))).toEqual([]);
  });

  it('flags a paused or less frequent Velero schedule', () => {
    expect(risksAfter(only('velero', (o) => (o.spec.paused = true)))).toEqual([['rpo-raised', 'Schedule/velero/acme-production-filestore']]);
    expect(risksAfter(only('velero', (o) => (o.spec.schedule = '@daily')))).toEqual([['rpo-raised', 'Schedule/velero/acme-production-filestore']]);
  });
});

describe('risk flags: network access', () => {
  const allowAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-web', namespace: 'tenant-acme-production', labels: { 'tenantctl.io/tenant': 'acme', 'tenantctl.io/environment': 'production' } }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 8069 }] }] } };

  it('flags a NetworkPolicy with allow rules added to an existing environment', () => {
    const head = [...envFiles(ACME), { path: 'eu-west-1/tenants/acme-production/networkpolicy-allow-web.yaml', content: JSON.stringify(allowAll) }];
    const plan = planChanges(envFiles(ACME), head);
    expect(plan.risks.map((r) => [r.flag, r.message])).toEqual([['network-policy-widened', 'new NetworkPolicy allows ingress from any peer on TCP/8069']]);
  });

  it('flags a wider ipBlock, an extra port or a dropped peer list, but not a narrower ipBlock', () => {
    const egress = (fn: (rule: Record<string, any>) => void) => only('egress', (o) => fn(o.spec.egress[0]));
    expect(risksAfter(egress((r) => (r.to[0].ipBlock.cidr = '198.51.100.0/24')))).toEqual([['network-policy-widened', 'NetworkPolicy/tenant-acme-production/allow-integrations']]);
    expect(risksAfter(egress((r) => r.ports.push({ port: 22, protocol: 'TCP' })))).toEqual([['network-policy-widened', 'NetworkPolicy/tenant-acme-production/allow-integrations']]);
    expect(risksAfter(egress((r) => delete r.to))).toEqual([['network-policy-widened', 'NetworkPolicy/tenant-acme-production/allow-integrations']]);
    expect(risksAfter(egress((r) => (r.to[0].ipBlock.cidr = '198.51.100.8/29')))).toEqual([]);
    expect(risksAfter(egress((r) => (r.to[0].ipBlock.except = ['198.51.100.0/30'])))).toEqual([]);
  });

  it('flags a default-deny policy removed or no longer covering egress', () => {
    expect(risksAfter(drop('defaultDeny'))).toEqual([['default-deny-removed', 'NetworkPolicy/tenant-acme-production/default-deny']]);
    const [risk] = planChanges(envFiles(ACME), envFiles(ACME, only('defaultDeny', (o) => (o.spec.policyTypes = ['Ingress'])))).risks;
    expect(risk).toMatchObject({ flag: 'default-deny-removed', message: 'NetworkPolicy no longer denies egress by default' });
  });

  it('does not flag removing an allow policy, which narrows access', () => {
    expect(risksAfter(drop('egress'))).toEqual([]);
  });

  it('flags an ipAllowList that admits more addresses or is dropped, not one that admits fewer', () => {
    expect(risksAfter(only('allowList', (o) => o.spec.ipAllowList.sourceRange.push('0.0.0.0/0')))).toEqual([['ip-allowlist-widened', 'Middleware/tenant-acme-production/admin-allowlist']]);
    expect(risksAfter(only('allowList', (o) => (o.spec.ipAllowList.sourceRange = ['203.0.0.0/16'])))).toEqual([['ip-allowlist-widened', 'Middleware/tenant-acme-production/admin-allowlist']]);
    expect(risksAfter(only('allowList', (o) => (o.spec = { headers: {} })))).toEqual([['ip-allowlist-widened', 'Middleware/tenant-acme-production/admin-allowlist']]);
    expect(risksAfter(only('allowList', (o) => (o.spec.ipAllowList.sourceRange = ['203.0.113.128/25'])))).toEqual([]);
  });
});
