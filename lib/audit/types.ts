/**
 * The audit report: what `tenantctl audit` writes as JSON and every other format (text,
 * markdown, HTML, pull requests) is rendered from. Versioned, because nightly jobs and other
 * tools read it long after the run; a change that removes or renames a field bumps
 * `schemaVersion`.
 */
import type { DriftFinding, FindingType } from '../drift/types.ts';
import type { EnvironmentEvidence, EvidenceCheck } from '../evidence/types.ts';
import type { GitOpsEngine } from '../model/gitops-engine.ts';

/**
 * 2: finding type `evidence` (with `evidence`), `summary.evidence`, `recoverability` per cluster.
 * Version 1 reports are read as version 2 without evidence (lib/audit/read-report.ts).
 */
export const AUDIT_SCHEMA_VERSION = 2;

/**
 * - `ok`: every kind was listed and compared;
 * - `unreachable`: no answer from the API server (connection refused, DNS, TLS, timeout);
 * - `error`: the server answered but the audit could not finish (forbidden, unknown context,
 *   a failed list). Findings of a cluster that is not `ok` are empty, never partial.
 */
export type ClusterStatus = 'ok' | 'unreachable' | 'error';

/** Why a cluster could not be audited, as data; the report layer formats it. */
export type ClusterErrorCode =
  | 'context-not-found'
  | 'kubeconfig-invalid'
  | 'unreachable'
  | 'timeout'
  | 'forbidden'
  | 'unauthorized'
  | 'list-failed'
  | 'desired-unreadable';

export interface ClusterError {
  readonly code: ClusterErrorCode;
  readonly message: string;
  /** What the operator can do about it. */
  readonly fix: string;
}

/** A finding in the report: a drift finding, with the server dry-run verdict when one was asked for. */
export type AuditFinding = DriftFinding & {
  /**
   * `--server-dry-run` only, `modified` findings: whether a server-side apply dry-run of the
   * desired object changes the live one. `true`: a sync reverts the drift. `false`: it does not,
   * because the drifted fields are ones Git leaves unset (an added env var, `suspend: true`),
   * which only a person can undo; still drift.
   */
  readonly confirmed?: boolean;
  /**
   * `--server-dry-run`: per engine, whether its next sync reverts the drift (Flux removes
   * `kubectl*` managers' fields, Argo CD does not). `confirmed` is the cluster engine's verdict,
   * or true only when both agree if the engine is unknown.
   */
  readonly confirmedBy?: Readonly<Record<GitOpsEngine, boolean>>;
  /** `--server-dry-run`: why this finding could not be confirmed (the server refused the dry-run). */
  readonly confirmError?: string;
  /** `evidence` only: the check the live status fails (promise, observed value, source field, time). */
  readonly evidence?: EvidenceCheck;
};

export type FindingSummary = Readonly<Record<FindingType, number>>;

export interface ClusterReport {
  readonly name: string;
  /** kubeconfig context used. */
  readonly context?: string;
  /** API server URL. */
  readonly server?: string;
  /** The engine that syncs the cluster (fleet.ts, or inferred from served CRDs); absent when unknown. */
  readonly engine?: GitOpsEngine;
  readonly status: ClusterStatus;
  /** Human-readable reason when status is not `ok` (message and fix). */
  readonly error?: string;
  /** The same reason as data. */
  readonly errorDetail?: ClusterError;
  readonly summary: FindingSummary;
  /** Sorted by tenant, environment, namespace, kind, name, type. */
  readonly findings: readonly AuditFinding[];
  /** Tenants placed on the cluster at the audited ref, so a clean tenant shows as clean, not absent. */
  readonly tenants?: readonly string[];
  /** What was compared: objects in generated/ for the cluster, and live objects read. */
  readonly objects?: { readonly desired: number; readonly live: number };
  /**
   * Kinds the cluster serves that were to be scanned for hand-made objects but the server refused
   * to list (`group/Kind`, or `Kind in <namespace>` for kinds listed per namespace, Secrets; the
   * auditor's role does not cover them): hand-made objects there were not seen.
   */
  readonly unscanned?: readonly string[];
  /**
   * Recoverability evidence of each tenant environment on the cluster (every check, passing or
   * not), sorted by tenant and environment; absent when evidence was not evaluated.
   */
  readonly recoverability?: readonly EnvironmentEvidence[];
}

export interface AuditReport {
  readonly schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  /** ISO 8601, UTC. */
  readonly generatedAt: string;
  /** The ref generated/ was read at, as given (`HEAD`, `origin/main`). */
  readonly gitRef: string;
  /** The commit it resolved to. */
  readonly gitCommit?: string;
  /** Sorted by name. */
  readonly clusters: readonly ClusterReport[];
  /** With `--shard i/n`: which share of the fleet's clusters this report covers. */
  readonly shard?: { readonly index: number; readonly count: number };
}

export function emptySummary(): Record<FindingType, number> {
  return { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 };
}

export function summarize(findings: readonly DriftFinding[]): FindingSummary {
  const s = emptySummary();
  for (const f of findings) s[f.type]++;
  return s;
}

/** Severity order of finding types, worst first, for colouring and sorting. */
export const SEVERITY_OF_TYPE: readonly FindingType[] = ['missing', 'modified', 'policy', 'evidence', 'orphaned', 'unmanaged'];
