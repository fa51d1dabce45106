/**
 * Recoverability evidence: whether what a tenant is promised (RPO, RTO, retention, tested restores,
 * valid certificates, replicas up) holds on the live cluster, read from the status the operators
 * write (CloudNativePG, the Barman Cloud plugin, the Job controller, Velero, cert-manager).
 *
 * Configuration checks (lib/policy) prove a promise is asked for; these prove it is kept.
 */
import type { DriftResource } from '../drift/types.ts';

/**
 * One check per promise; the id (`evidence/<check>`) is what a tenant file's waiver names.
 * - `wal-archiving`: continuous WAL archiving works (dedicated data plane: it is what bounds the RPO);
 * - `base-backup`: the newest base backup through the Barman Cloud plugin is fresh and did not fail;
 * - `logical-dump`: the newest pg_dump is fresh (shared data plane: the RPO itself);
 * - `filestore-backup`: the Velero Schedule's newest backup of the filestore is fresh;
 * - `retention`: the first recoverability point reaches back as far as retention promises;
 * - `restore-test`: the newest restore test succeeded recently and within the RTO;
 * - `certificate`: the TLS certificate is Ready and not about to expire;
 * - `web-available`: the web Deployment has at least its floor of available replicas;
 * - `postgres-ready`: every PostgreSQL instance is ready.
 */
export type EvidenceCheckId =
  | 'wal-archiving'
  | 'base-backup'
  | 'logical-dump'
  | 'filestore-backup'
  | 'retention'
  | 'restore-test'
  | 'certificate'
  | 'web-available'
  | 'postgres-ready';

export const EVIDENCE_CHECKS: readonly EvidenceCheckId[] = [
  'wal-archiving', 'base-backup', 'logical-dump', 'filestore-backup', 'retention', 'restore-test', 'certificate', 'web-available', 'postgres-ready',
];

/** The waiver id of a check: `evidence/restore-test`. */
export const evidenceId = (check: EvidenceCheckId): string => `evidence/${check}`;

/**
 * - `ok`: the status proves the promise;
 * - `violated`: the status disproves it (stale, failed, too slow, expiring, not ready), or an
 *   object old enough to have evidence still has none;
 * - `no-evidence`: nothing to judge yet (a freshly applied environment whose operators have not
 *   written status, or a run not yet due). Not a finding.
 */
export type EvidenceVerdict = 'ok' | 'violated' | 'no-evidence';

export interface EvidenceWaiver {
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

export interface EvidenceCheck {
  readonly check: EvidenceCheckId;
  readonly verdict: EvidenceVerdict;
  /** What is promised, in words: `newest backup younger than 4 h (RPO) + 1 h grace`. */
  readonly promise: string;
  /** What the status shows, in words: `2026-11-22T23:07:00Z`, `Ready=False (Issuing)`, `never ran`. */
  readonly observed: string;
  /** The object and field the evidence was read from. */
  readonly source: { readonly resource: DriftResource; readonly field: string };
  /** The time the evidence refers to (the backup's, the run's, the expiry), when there is one. */
  readonly at?: string;
  /** Seconds between `at` and the audit's now (negative for a future expiry). */
  readonly ageSeconds?: number;
  /** When the audit read the status (its now, ISO 8601 UTC): the time of the observation. */
  readonly observedAt?: string;
  /** Why it is violated, and what to do about it. */
  readonly message?: string;
  readonly fix?: string;
  /** A waiver in the tenant file covers this violation until its expiry. */
  readonly waived?: EvidenceWaiver;
}

/** The promises of one tenant environment, as resolved from its tenant file and tier. */
export interface EvidencePromises {
  readonly rpoMinutes: number;
  readonly rtoMinutes: number;
  readonly retentionDays: number;
}

export interface EnvironmentEvidence {
  readonly tenant: string;
  readonly environment: string;
  readonly tier: string;
  readonly namespace: string;
  readonly promises: EvidencePromises;
  /** When the audit read the status (ISO 8601, UTC). */
  readonly observedAt: string;
  /** In EVIDENCE_CHECKS order; checks that do not apply to the environment's data plane are left out. */
  readonly checks: readonly EvidenceCheck[];
}

/** Worst verdict first: a violated unwaived check makes the environment violated. */
export function environmentVerdict(env: Pick<EnvironmentEvidence, 'checks'>): EvidenceVerdict {
  if (env.checks.some((c) => c.verdict === 'violated' && !c.waived)) return 'violated';
  if (env.checks.some((c) => c.verdict === 'no-evidence')) return 'no-evidence';
  return 'ok';
}
