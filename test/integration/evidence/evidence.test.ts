/**
 * Recoverability evidence on a real kube-apiserver: the example fleet's eu-central-1 objects are
 * applied, then statuses are written through the API as CloudNativePG, the Barman Cloud plugin,
 * the Job controller, Velero, cert-manager and the deployment controller write them, and each
 * verdict is checked. The audit's clock is injected (`now`), fixed relative to when the objects
 * were created; assertions never read the wall clock.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../../lib/cli/commands/audit.ts';
import type { AuditReport } from '../../../lib/audit/types.ts';
import type { EvidenceCheck, EvidenceCheckId } from '../../../lib/evidence/types.ts';
import { renderAuditText } from '../../../lib/report/audit-text.ts';
import { renderAuditMarkdown } from '../../../lib/report/audit-markdown.ts';
import { REPO_ROOT } from '../../control-plane/control-plane.ts';
import { startLiveFleet, type LiveFleet } from '../audit/live-fleet.ts';
import { barmanWindow, certificate, cnpgCluster, cronJobStatus, DAY, deployment, finishedJob, HOUR, MIN, veleroSchedule } from './operators.ts';

const CLUSTER = 'eu-central-1';
let fleet: LiveFleet;
/** When the last object was created: every clock below is fixed relative to it. */
let t0: number;

async function audit(now: number, format: 'json' | 'text' = 'json') {
  return auditCommand({
    root: fleet.root, packageRoot: REPO_ROOT, clusters: [CLUSTER], kubeconfig: fleet.controlPlane.kubeconfigPath, context: fleet.context,
    format, today: new Date(now).toISOString().slice(0, 10), now: new Date(now),
  });
}

function check(report: AuditReport, tenant: string, environment: string, id: EvidenceCheckId, store?: string): EvidenceCheck {
  const env = report.clusters[0].recoverability?.find((e) => e.tenant === tenant && e.environment === environment);
  expect(env, `${tenant}/${environment} in the recoverability view`).toBeDefined();
  const found = env!.checks.filter((c) => c.check === id && (!store || c.source.resource.name === store));
  expect(found.length, `${id} of ${tenant}/${environment}`).toBeGreaterThan(0);
  return found[0];
}

beforeAll(async () => {
  fleet = await startLiveFleet(CLUSTER);
  const cronJobs = await fleet.client.listAll('batch/v1', 'CronJob');
  t0 = Math.max(...cronJobs.map((c) => Date.parse(String(c.metadata.creationTimestamp))));
}, 240_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('recoverability evidence on a live cluster', () => {
  it('reports "no evidence yet", and no finding, for a freshly applied cluster whose operators wrote no status', async () => {
    const { report } = await audit(t0 + 10 * MIN);
    const envs = report.clusters[0].recoverability!;
    expect(envs.map((e) => `${e.tenant}/${e.environment}`)).toEqual([
      'cobalt/production', 'cobalt/training', 'delta/production', 'delta/staging', 'fjord/production', 'fjord/staging', 'fjord/training', 'helix/production',
    ]);
    const verdicts = new Set(envs.flatMap((e) => e.checks.map((c) => c.verdict)));
    expect([...verdicts]).toEqual(['no-evidence']);
    expect(report.clusters[0].findings.filter((f) => f.type === 'evidence')).toEqual([]);
    expect(report.clusters[0].summary.evidence).toBe(0);
    // Dedicated tenants are judged on WAL archiving and base backups, shared ones on the dump.
    expect(envs.find((e) => e.tenant === 'helix')!.checks.map((c) => c.check)).toEqual([
      'wal-archiving', 'base-backup', 'base-backup', 'logical-dump', 'filestore-backup', 'retention', 'restore-test', 'certificate', 'web-available', 'postgres-ready',
    ]);
    expect(envs.find((e) => e.tenant === 'cobalt')!.checks.map((c) => c.check)).toEqual([
      'logical-dump', 'filestore-backup', 'retention', 'restore-test', 'certificate', 'web-available', 'postgres-ready',
    ]);
  });

  describe('after the operators wrote fresh, stale and failed status', () => {
    let report: AuditReport;
    let now: number;

    beforeAll(async () => {
      now = t0 + 10 * MIN;
      const c = fleet.client;
      // fjord/production: every promise kept.
      const fjord = 'tenant-fjord-production';
      await cnpgCluster(c, fjord, 'pg', { ready: 2, instances: 2, archiving: { ok: true, since: now - 6 * HOUR } });
      await barmanWindow(c, fjord, 'pg-backup', 'pg', { first: t0 + 2 * MIN, lastSuccess: now - 3 * HOUR });
      await cronJobStatus(c, fjord, 'pg-dump', { lastSchedule: now - 5 * HOUR, lastSuccess: now - 5 * HOUR + 4 * MIN });
      await veleroSchedule(c, 'fjord-production-filestore', now - 20 * MIN);
      await finishedJob(c, fjord, 'restore-test', { name: 'restore-test-29400000', start: now - 2 * DAY, end: now - 2 * DAY + 40 * MIN, outcome: 'succeeded' });
      await certificate(c, fjord, { ready: true, notAfter: now + 60 * DAY, at: now - 30 * DAY });
      await deployment(c, fjord, 'odoo-web', { replicas: 2, available: 2 });
      // delta/production: stale base backup, failed dump, restore test past its deadline (the RTO),
      // certificate about to expire, one of three instances not ready.
      const delta = 'tenant-delta-production';
      await cnpgCluster(c, delta, 'pg', { ready: 2, instances: 3, archiving: { ok: true, since: now - DAY } });
      await barmanWindow(c, delta, 'pg-backup', 'pg', { first: t0 + 5 * MIN, lastSuccess: now - 3 * DAY });
      await cronJobStatus(c, delta, 'pg-dump', { lastSchedule: now - 2 * HOUR, lastSuccess: now - 26 * HOUR });
      await finishedJob(c, delta, 'pg-dump', { name: 'pg-dump-29399880', start: now - 2 * HOUR, end: now - 2 * HOUR + 3 * MIN, outcome: 'failed' });
      await finishedJob(c, delta, 'restore-test', { name: 'restore-test-29398000', start: now - 3 * DAY, end: now - 3 * DAY + 90 * MIN, outcome: 'failed', reason: 'DeadlineExceeded' });
      await certificate(c, delta, { ready: true, notAfter: now + 5 * DAY, at: now - 85 * DAY });
      // delta/staging: WAL archiving failing, restore test passed but slower than the RTO.
      const deltaStaging = 'tenant-delta-staging';
      await cnpgCluster(c, deltaStaging, 'pg', { ready: 1, instances: 1, archiving: { ok: false, since: now - 3 * HOUR, message: 'unexpected failure invoking barman-cloud-wal-archive: exit status 4' } });
      await finishedJob(c, deltaStaging, 'restore-test', { name: 'restore-test-29399000', start: now - DAY, end: now - DAY + 2 * HOUR, outcome: 'succeeded' });
      // cobalt/production (shared): fresh dump, stale filestore backup; the shared PostgreSQL is healthy.
      const cobalt = 'tenant-cobalt-production';
      await cronJobStatus(c, cobalt, 'pg-dump', { lastSchedule: now - HOUR, lastSuccess: now - 55 * MIN });
      await veleroSchedule(c, 'cobalt-production-filestore', now - 2 * DAY);
      await cnpgCluster(c, 'postgres-shared', 'pg-shared', { ready: 3, instances: 3, archiving: { ok: true, since: now - 10 * DAY } });
      await barmanWindow(c, 'postgres-shared', 'pg-shared-backup', 'pg-shared', { first: t0 + MIN, lastSuccess: now - 4 * HOUR });
      // helix/production (regulated): the newest base backup failed; its cross-region copy is fresh; the certificate is not ready.
      const helix = 'tenant-helix-production';
      await barmanWindow(c, helix, 'pg-backup', 'pg', { first: t0 + 3 * MIN, lastSuccess: now - 25 * HOUR, lastFailed: now - HOUR });
      await barmanWindow(c, helix, 'pg-backup-dr', 'pg', { first: t0 + 3 * MIN, lastSuccess: now - 2 * HOUR });
      await certificate(c, helix, { ready: false, notAfter: now + 40 * DAY, at: now - 2 * HOUR, reason: 'Failed', message: 'ACME challenge failed: DNS record not found' });
      // fjord/staging: its only web replica is down.
      await deployment(c, 'tenant-fjord-staging', 'odoo-web', { replicas: 1, available: 0 });

      report = (await audit(now)).report;
      if (process.env.TENANTCTL_EVIDENCE_REPORT) {
        writeFileSync(process.env.TENANTCTL_EVIDENCE_REPORT, renderAuditText(report));
        writeFileSync(`${process.env.TENANTCTL_EVIDENCE_REPORT}.json`, JSON.stringify(report, null, 2));
      }
    }, 120_000);

    it('proves every promise of an environment whose backups, restore test, certificate and replicas are fresh', () => {
      const env = report.clusters[0].recoverability!.find((e) => e.tenant === 'fjord' && e.environment === 'production')!;
      expect(env.checks.map((c) => `${c.check}:${c.verdict}`)).toEqual([
        'wal-archiving:ok', 'base-backup:ok', 'logical-dump:ok', 'filestore-backup:ok', 'retention:ok', 'restore-test:ok', 'certificate:ok', 'web-available:ok', 'postgres-ready:ok',
      ]);
      const base = check(report, 'fjord', 'production', 'base-backup');
      expect(base.source).toEqual({ resource: { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', namespace: 'tenant-fjord-production', name: 'pg-backup' }, field: 'status.serverRecoveryWindow.pg.lastSuccessfulBackupTime' });
      expect(base.ageSeconds).toBe(3 * 3600);
      expect(check(report, 'fjord', 'production', 'restore-test').observed).toBe(`restore-test-29400000 passed at ${new Date(now - 2 * DAY + 40 * MIN).toISOString().replace('.000Z', 'Z')} in 40 min`);
    });

    it('finds a base backup older than a day plus grace', () => {
      const c = check(report, 'delta', 'production', 'base-backup');
      expect(c.verdict).toBe('violated');
      expect(c.message).toBe('the newest base backup is 3 d old, more than 24 h 30 min');
    });

    it('finds a logical dump whose newest Job failed after the last success', () => {
      const c = check(report, 'delta', 'production', 'logical-dump');
      expect(c.verdict).toBe('violated');
      expect(c.source.resource).toEqual({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'tenant-delta-production', name: 'pg-dump-29399880' });
      expect(c.observed).toMatch(/^Job pg-dump-29399880 failed \(BackoffLimitExceeded\); last success /);
    });

    it('finds a restore test that failed at its deadline, which is the RTO', () => {
      const c = check(report, 'delta', 'production', 'restore-test');
      expect(c.verdict).toBe('violated');
      expect(c.message).toBe('the newest restore test restore-test-29398000 did not finish within the RTO of 1 h 30 min (its deadline)');
    });

    it('finds a restore test that passed but took longer than the RTO', () => {
      const c = check(report, 'delta', 'staging', 'restore-test');
      expect(c.verdict).toBe('violated');
      expect(c.message).toBe('the newest restore test took 2 h, longer than the RTO of 1 h 30 min');
    });

    it('finds a certificate expiring within 14 days, and one that is not Ready', () => {
      const expiring = check(report, 'delta', 'production', 'certificate');
      expect(expiring.verdict).toBe('violated');
      expect(expiring.observed).toBe(`expires ${new Date(now + 5 * DAY).toISOString().replace('.000Z', 'Z')}`);
      expect(expiring.ageSeconds).toBe(-5 * 86400);
      const failing = check(report, 'helix', 'production', 'certificate');
      expect(failing.verdict).toBe('violated');
      expect(failing.observed).toBe('Ready=False (Failed)');
      expect(failing.message).toBe('the certificate is not ready: ACME challenge failed: DNS record not found');
    });

    it('finds failing WAL archiving, a failed base backup, a stale filestore backup and instances or replicas down', () => {
      expect(check(report, 'delta', 'staging', 'wal-archiving').message).toMatch(/^WAL archiving is failing since .* \(3 h\): unexpected failure invoking barman-cloud-wal-archive: exit status 4; the RPO of 10 min is not kept$/);
      expect(check(report, 'helix', 'production', 'base-backup', 'pg-backup').observed).toMatch(/^failed at .*; last success /);
      expect(check(report, 'helix', 'production', 'base-backup', 'pg-backup-dr').verdict).toBe('ok');
      expect(check(report, 'cobalt', 'production', 'filestore-backup').message).toBe('the newest filestore backup was taken 2 d ago, more than 3 h');
      expect(check(report, 'cobalt', 'production', 'logical-dump').verdict).toBe('ok');
      expect(check(report, 'delta', 'production', 'postgres-ready').observed).toBe('2 of 3 ready (Waiting for the instances to become active)');
      expect(check(report, 'fjord', 'staging', 'web-available').message).toBe('only 0 web replicas available, below the floor of 1');
    });

    it('keeps what has no status yet apart from violations, and makes each violation one evidence finding', () => {
      expect(check(report, 'cobalt', 'training', 'restore-test').verdict).toBe('no-evidence');
      expect(check(report, 'cobalt', 'training', 'postgres-ready').verdict).toBe('ok');
      const cluster = report.clusters[0];
      const violated = cluster.recoverability!.flatMap((e) => e.checks.filter((c) => c.verdict === 'violated').map((c) => `${e.tenant}/${e.environment} ${c.check}`));
      const findings = cluster.findings.filter((f) => f.type === 'evidence');
      expect(findings.map((f) => `${f.tenant}/${f.environment} ${f.evidence!.check}`).sort()).toEqual([...violated].sort());
      expect(cluster.summary.evidence).toBe(findings.length);
      expect(violated.length).toBe(11);
      const f = findings.find((x) => x.evidence!.check === 'filestore-backup')!;
      expect(f.resource).toEqual({ apiVersion: 'velero.io/v1', kind: 'Schedule', namespace: 'velero', name: 'cobalt-production-filestore' });
      expect(f.evidence).toMatchObject({ promise: 'newest filestore backup younger than 3 h (every 2 h + 1 h grace)', source: { field: 'status.lastBackup' }, ageSeconds: 2 * 86400 });
    });

    it('shows the recoverability view in text and markdown, and exits 1', async () => {
      const { output, exitCode } = await audit(now, 'text');
      expect(exitCode).toBe(1);
      expect(output).toContain('  fjord/production (dedicated; RPO 15 min, RTO 2 h, retention 30 d): ok');
      expect(output).toContain('  cobalt/training (shared; RPO 2 h, RTO 8 h, retention 21 d): no evidence yet');
      expect(output).toMatch(/\n {4}VIOLATED {9}restore-test {6}restore-test-29399000 passed at \S+ in 2 h \(22 h ago\)\n/);
      const markdown = renderAuditMarkdown(report);
      expect(markdown).toContain('#### Recoverability: delta/production on eu-central-1');
      expect(markdown).toContain('| <code>evidence/certificate</code> | ❌ VIOLATED | Ready, valid for ≥ 14 d more |');
    });
  });

  it('finds a restore test that never ran once one was due, and a recovery window short of the retention', async () => {
    const now = t0 + 9 * DAY;
    await barmanWindow(fleet.client, 'tenant-fjord-production', 'pg-backup', 'pg', { first: now - 5 * DAY, lastSuccess: now - 2 * HOUR });
    const { report } = await audit(now);
    const never = check(report, 'cobalt', 'training', 'restore-test');
    expect(never.verdict).toBe('violated');
    expect(never.observed).toBe('never ran');
    expect(never.message).toBe('no status.lastSuccessfulTime 9 d after CronJob restore-test was created');
    // fjord's Cluster is 9 days old: its 30-day retention can reach back 9 days (less 1 day of tolerance), not 5.
    const short = check(report, 'fjord', 'production', 'retention');
    expect(short.verdict).toBe('violated');
    expect(short.message).toBe('the oldest recoverable point is 5 d back, short of the 30-day retention');
    // delta's window starts at its creation: as far back as it can reach.
    expect(check(report, 'delta', 'production', 'retention').verdict).toBe('ok');
  });
});
