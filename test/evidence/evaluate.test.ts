import { describe, expect, it } from 'vitest';
import type { EvidenceTarget } from '../../lib/evidence/context.ts';
import { evaluateEvidence, evidenceProjection } from '../../lib/evidence/evaluate.ts';
import { evidenceThresholds } from '../../lib/evidence/thresholds.ts';
import { evidenceTargets } from '../../lib/evidence/targets.ts';
import { environmentVerdict } from '../../lib/evidence/types.ts';
import { evidenceFindings } from '../../lib/audit/evidence.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { tiers } from '../../tiers/index.ts';

const NOW = new Date('2026-11-23T03:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3600_000).toISOString();
const CREATED = ago(24 * 60);

const target = (over: Partial<EvidenceTarget> = {}): EvidenceTarget => ({
  tenant: 'acme', environment: 'production', tier: 'dedicated', namespace: 'tenant-acme-production', dataPlane: 'dedicated',
  promises: { rpoMinutes: 15, rtoMinutes: 120, retentionDays: 30 }, webReplicas: 2, crossRegion: false, dumpEveryMinutes: 1440, filestoreEveryMinutes: 60,
  thresholds: evidenceThresholds(), waivers: [], ...over,
});

const obj = (apiVersion: string, kind: string, namespace: string, name: string, status?: unknown, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion, kind, metadata: { name, namespace, creationTimestamp: CREATED }, ...(status ? { status } : {}), ...extra,
});

const cert = (notAfterHours: number) => obj('cert-manager.io/v1', 'Certificate', 'tenant-acme-production', 'odoo-tls', {
  conditions: [{ type: 'Ready', status: 'True' }], notAfter: new Date(NOW.getTime() + notAfterHours * 3600_000).toISOString(),
});

const one = (objects: KubeObject[], t = target()) => evaluateEvidence({ targets: [t], objects, now: NOW })[0];
const checkOf = (objects: KubeObject[], id: string, t = target()) => one(objects, t).checks.find((c) => c.check === id)!;

describe('evaluateEvidence', () => {
  it('is a verdict of the promise, the status and the clock alone: a certificate 20 days from expiry passes at 14 days and fails at 21', () => {
    expect(checkOf([cert(20 * 24)], 'certificate').verdict).toBe('ok');
    expect(checkOf([cert(20 * 24)], 'certificate', target({ thresholds: evidenceThresholds(tiers.regulated.evidence) })).verdict).toBe('violated');
  });

  it('takes each tier\'s thresholds over the defaults, and the defaults for what a tier leaves out', () => {
    const t = evidenceThresholds(tiers.regulated.evidence);
    expect(t.certificateMinDays).toBe(21);
    expect(t.backupGraceMinutes).toBe(15);
    expect(t.retentionToleranceDays).toBe(1);
    expect(evidenceThresholds(tiers.dedicated.evidence).certificateMinDays).toBe(14);
  });

  it('reads the in-tree CloudNativePG fields when no plugin ObjectStore status exists', () => {
    const cluster = obj('postgresql.cnpg.io/v1', 'Cluster', 'tenant-acme-production', 'pg', { lastSuccessfulBackup: ago(2), firstRecoverabilityPoint: ago(40 * 24) }, { spec: { instances: 2 } });
    const base = checkOf([cluster], 'base-backup');
    expect(base).toMatchObject({ verdict: 'ok', source: { resource: { kind: 'Cluster' }, field: 'status.lastSuccessfulBackup' }, ageSeconds: 7200 });
    expect(checkOf([cluster], 'retention').verdict).toBe('ok');
  });

  it('marks a violation a tenant file waives, keeps it in the view, and makes no finding of it; an expired waiver waives nothing', () => {
    const waiver = { policy: 'evidence/certificate', object: 'Certificate/*/odoo-tls', reason: 'new issuer rolls out next week', owner: 'jane', expires: '2026-11-30' };
    const waived = one([cert(24)], target({ waivers: [waiver] }));
    const c = waived.checks.find((x) => x.check === 'certificate')!;
    expect(c).toMatchObject({ verdict: 'violated', waived: { owner: 'jane', expires: '2026-11-30' } });
    expect(evidenceFindings([waived]).map((f) => f.evidence!.check)).not.toContain('certificate');
    const expired = one([cert(24)], target({ waivers: [{ ...waiver, expires: '2026-11-22' }] }));
    expect(expired.checks.find((x) => x.check === 'certificate')!.waived).toBeUndefined();
    expect(evidenceFindings([expired]).map((f) => f.evidence!.check)).toContain('certificate');
  });

  it('calls an environment violated when any unwaived check is, else "no evidence yet" while some check has none', () => {
    expect(environmentVerdict({ checks: [{ verdict: 'ok' }, { verdict: 'no-evidence' }] as never })).toBe('no-evidence');
    expect(environmentVerdict({ checks: [{ verdict: 'violated', waived: {} }, { verdict: 'ok' }] as never })).toBe('ok');
    expect(environmentVerdict({ checks: [{ verdict: 'violated' }, { verdict: 'no-evidence' }] as never })).toBe('violated');
  });

  it('judges the shared data plane by its dump at the RPO and the shared PostgreSQL, not by WAL archiving of its own', () => {
    const t = target({ dataPlane: 'shared', tier: 'shared', promises: { rpoMinutes: 240, rtoMinutes: 480, retentionDays: 14 }, dumpEveryMinutes: 240, thresholds: evidenceThresholds(tiers.shared.evidence) });
    const dump = obj('batch/v1', 'CronJob', 'tenant-acme-production', 'pg-dump', { lastSuccessfulTime: ago(4.5) });
    const e = one([dump], t);
    expect(e.checks.map((c) => c.check)).toEqual(['logical-dump', 'filestore-backup', 'retention', 'restore-test', 'certificate', 'web-available', 'postgres-ready']);
    // 4 h 30 min: within 4 h and the shared tier's 1 h grace.
    expect(e.checks[0]).toMatchObject({ verdict: 'ok', promise: 'newest dump younger than 5 h (RPO 4 h), grace 1 h' });
    expect(e.checks.find((c) => c.check === 'postgres-ready')!.source.resource).toMatchObject({ namespace: 'postgres-shared', name: 'pg-shared' });
  });

  it('keeps only identity, creation, owners, instances and status of the kinds that carry evidence', () => {
    const deployment = obj('apps/v1', 'Deployment', 'ns', 'odoo-web', { availableReplicas: 1 }, { spec: { template: { spec: { containers: [] } } } });
    expect(evidenceProjection({ ...deployment, metadata: { ...deployment.metadata, managedFields: [{}], labels: { a: 'b' } } })).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'odoo-web', namespace: 'ns', creationTimestamp: CREATED }, status: { availableReplicas: 1 },
    });
    expect(evidenceProjection(obj('v1', 'ConfigMap', 'ns', 'x'))).toBeUndefined();
  });

  it('derives targets from the resolved tenant model: promises, replicas floor, data plane and cross-region copy', async () => {
    const { compileWorkspace } = await import('../../lib/workspace/compile.ts');
    const compiled = await compileWorkspace(new URL('../..', import.meta.url).pathname);
    const helix = evidenceTargets(compiled.environments.filter((e) => e.tenant.name === 'helix'), compiled.templates.tiers)[0];
    expect(helix).toMatchObject({ dataPlane: 'dedicated', crossRegion: true, promises: { rpoMinutes: 5, rtoMinutes: 60, retentionDays: 2555 }, filestoreEveryMinutes: 60 });
    expect(helix.thresholds.certificateMinDays).toBe(21);
  }, 60_000);
});
