/**
 * The evidence of every tenant environment on one cluster: a pure function of the resolved
 * promises, the live objects (with their status) and the audit's clock. Violations a tenant file
 * waives (policy id `evidence/<check>`, not expired at `now`) stay in the view, marked, and are
 * not findings.
 */
import type { KubeObject } from '../model/resource.ts';
import { objectMatches } from '../policy/waivers.ts';
import { baseBackup, filestoreBackup, logicalDump, retention, walArchiving } from './backups.ts';
import { LiveIndex, type CheckContext, type EvidenceTarget } from './context.ts';
import { restoreTest } from './restore-test.ts';
import { certificate, postgresReady, webAvailable } from './serving.ts';
import { evidenceId, type EnvironmentEvidence, type EvidenceCheck } from './types.ts';

export interface EvaluateEvidenceInput {
  readonly targets: readonly EvidenceTarget[];
  /** Live objects with status: CloudNativePG Clusters, ObjectStores, CronJobs, Jobs, Velero Schedules, Certificates, Deployments. */
  readonly objects: readonly KubeObject[];
  readonly now: Date;
}

function checksOf(ctx: CheckContext): EvidenceCheck[] {
  const dedicated = ctx.target.dataPlane === 'dedicated';
  return [
    ...(dedicated ? [walArchiving(ctx), baseBackup(ctx, 'pg-backup'), ...(ctx.target.crossRegion ? [baseBackup(ctx, 'pg-backup-dr')] : [])] : []),
    logicalDump(ctx),
    filestoreBackup(ctx),
    retention(ctx),
    restoreTest(ctx),
    certificate(ctx),
    webAvailable(ctx),
    postgresReady(ctx),
  ];
}

function withWaiver(check: EvidenceCheck, target: EvidenceTarget, today: string): EvidenceCheck {
  if (check.verdict !== 'violated') return check;
  const w = target.waivers.find((x) => x.policy === evidenceId(check.check) && x.expires >= today && objectMatches(x.object, check.source.resource));
  return w ? { ...check, waived: { reason: w.reason, owner: w.owner, expires: w.expires } } : check;
}

export function evaluateEvidence(input: EvaluateEvidenceInput): EnvironmentEvidence[] {
  const live = new LiveIndex(input.objects);
  const observedAt = input.now.toISOString();
  const today = observedAt.slice(0, 10);
  return input.targets.map((target) => ({
    tenant: target.tenant,
    environment: target.environment,
    tier: target.tier,
    namespace: target.namespace,
    promises: target.promises,
    observedAt,
    checks: checksOf({ target, live, now: input.now }).map((c) => withWaiver({ ...c, observedAt }, target, today)),
  }));
}

/** Kinds whose status is evidence; the auditor keeps these (status included) while it lists. */
export const EVIDENCE_KINDS: ReadonlySet<string> = new Set([
  'postgresql.cnpg.io/Cluster', 'barmancloud.cnpg.io/ObjectStore', 'batch/CronJob', 'batch/Job', 'velero.io/Schedule', 'cert-manager.io/Certificate', 'apps/Deployment',
]);

/**
 * What the checks read of a live object: identity, creation time, owners, `spec.instances` and
 * status. Small, so that every Job and Deployment of a large cluster can be kept.
 */
export function evidenceProjection(o: KubeObject): KubeObject | undefined {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  if (!EVIDENCE_KINDS.has(`${group}/${o.kind}`)) return undefined;
  const m = o.metadata;
  const spec = o.kind === 'Cluster' && o.spec && typeof o.spec === 'object' ? { instances: (o.spec as { instances?: unknown }).instances } : undefined;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      ...(m.creationTimestamp ? { creationTimestamp: m.creationTimestamp } : {}),
      ...(m.ownerReferences ? { ownerReferences: m.ownerReferences } : {}),
    },
    ...(spec ? { spec } : {}),
    ...(o.status !== undefined ? { status: o.status } : {}),
  };
}
