/**
 * What the audit renderers (text, markdown, HTML) share: how a value, a resource, a field
 * manager and a fleet summary read, and how findings group into tenants. One place, so the
 * three formats never disagree on what a finding says.
 *
 * Everything printed here comes from live clusters and is untrusted: values are made safe to
 * print in a terminal (control and bidi characters escaped); each format adds its own escaping.
 */
import type { AuditFinding, AuditReport, ClusterReport } from '../audit/types.ts';
import { SEVERITY_OF_TYPE } from '../audit/types.ts';
import { ABSENT, HIDDEN } from '../drift/mask.ts';
import type { ChangedBy, DriftResource, FindingType } from '../drift/types.ts';
import { formatKey } from '../model/resource.ts';

/** Column/section name for findings that belong to no tenant (cluster-scoped objects). */
export const CLUSTER_SCOPE = '(cluster)';

/** How an absent field reads in every format. */
export const ABSENT_TEXT = '(absent)';

/** How a secret value reads when the audit ran without a digest key: set, changed, not shown. */
export const HIDDEN_TEXT = '(secret, no digest)';

/** Longest value on one line before it is cut with `…`. */
export const DEFAULT_VALUE_WIDTH = 80;

// C0/C1 controls (ANSI escape sequences start with ESC or CSI) and bidi overrides (Trojan Source).
const UNSAFE_CHARS = '\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${UNSAFE_CHARS}]`, 'g');
const HAS_UNSAFE = new RegExp(`[${UNSAFE_CHARS}]`);

/**
 * Text with control and bidi characters shown as `\uXXXX`, so a cluster value cannot move
 * the cursor, recolour the terminal or reorder what a reviewer reads.
 */
export function safeText(text: string, keepNewlines = false): string {
  return text.replace(UNSAFE, (c) => (keepNewlines && c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === ABSENT;
}

/** Strings that read the same as another type, or have edges a reader would miss, are quoted. */
function needsQuotes(s: string): boolean {
  if (s === '' || s !== s.trim()) return true;
  if (/^(true|false|null|~|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(s)) return true;
  return /^["'{[]/.test(s) || HAS_UNSAFE.test(s);
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(1, width - 1))}…` : text;
}

/**
 * One value on one line: `3`, `true`, `odoo:18.0`, `"3"` (a string that looks like a number),
 * `{"cpu":"2"}`, `(absent)`; cut at `width` characters. Keyed secret digests (`hmac-sha256:…`) print as is.
 */
export function formatValue(value: unknown, width = DEFAULT_VALUE_WIDTH): string {
  if (isAbsent(value)) return ABSENT_TEXT;
  if (value === HIDDEN) return HIDDEN_TEXT;
  if (typeof value === 'string') {
    const text = needsQuotes(value) ? JSON.stringify(value) : value;
    return cut(safeText(text), width);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return cut(safeText(JSON.stringify(value) ?? String(value)), width);
}

/**
 * A value over several lines (objects and lists indented as JSON), for side-by-side diffs
 * where there is room; scalars as formatValue without a width limit.
 */
export function formatValueBlock(value: unknown): string {
  if (isAbsent(value) || value === null || typeof value !== 'object') return formatValue(value, Number.MAX_SAFE_INTEGER);
  // JSON escapes control characters inside strings; the newlines left are its own indentation.
  return safeText(JSON.stringify(value, null, 2) ?? String(value), true);
}

/** Whether the value is absent on that side (undefined, or the engine's masked `<absent>`). */
export function isAbsentValue(value: unknown): boolean {
  return isAbsent(value);
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects, like everywhere in tenantctl. */
export function resourceId(resource: DriftResource): string {
  return safeText(formatKey(resource));
}

/** `tenant/environment`, `tenant`, or '' for cluster-scoped findings. */
export function ownerOf(finding: AuditFinding): string {
  if (!finding.tenant) return '';
  return safeText(finding.environment ? `${finding.tenant}/${finding.environment}` : finding.tenant);
}

/** `kubectl-edit, Update, 2025-11-10T08:15:00Z` (subresource and time when known). */
export function describeManager(by: ChangedBy): string {
  const op = by.subresource ? `${by.operation} ${by.subresource}` : by.operation;
  return safeText([by.manager, op, by.time].filter(Boolean).join(', '));
}

/** The tenant column a finding belongs to. */
export function tenantOf(finding: AuditFinding): string {
  return finding.tenant ?? CLUSTER_SCOPE;
}

/** The worst finding type present, by SEVERITY_OF_TYPE; undefined when there are none. */
export function worstType(findings: readonly AuditFinding[]): FindingType | undefined {
  let best = SEVERITY_OF_TYPE.length;
  for (const f of findings) best = Math.min(best, SEVERITY_OF_TYPE.indexOf(f.type));
  return SEVERITY_OF_TYPE[best];
}

/** Tenant names in order: alphabetical, cluster-scoped findings last. */
export function compareTenants(a: string, b: string): number {
  if (a === b) return 0;
  if (a === CLUSTER_SCOPE) return 1;
  if (b === CLUSTER_SCOPE) return -1;
  return a < b ? -1 : 1;
}

/** A cluster's findings by tenant, in compareTenants order; each keeps the report's order. */
export function findingsByTenant(cluster: ClusterReport): Array<[tenant: string, findings: AuditFinding[]]> {
  const groups = new Map<string, AuditFinding[]>();
  for (const f of cluster.findings) {
    const key = tenantOf(f);
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  return [...groups.entries()].sort(([a], [b]) => compareTenants(a, b));
}

/** Every tenant with a finding on any cluster, in compareTenants order. */
export function tenantsOf(report: AuditReport): string[] {
  const names = new Set<string>();
  for (const c of report.clusters) {
    for (const t of c.tenants ?? []) names.add(t);
    for (const f of c.findings) names.add(tenantOf(f));
  }
  return [...names].sort(compareTenants);
}

/** `2 modified, 1 missing`: the non-zero counts of some findings, in summary order. */
export function countsText(findings: readonly AuditFinding[]): string {
  return SUMMARY_ORDER.map((t) => [t, findings.filter((f) => f.type === t).length] as const)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
}

/** Finding counts over the whole report, for the summary line every format ends or starts with. */
export interface FleetTotals {
  readonly clusters: number;
  readonly unreachable: number;
  readonly errors: number;
  readonly byType: Readonly<Record<FindingType, number>>;
}

/** Sums the clusters' own summaries, so a report's counts are never recomputed differently. */
export function fleetTotals(report: AuditReport): FleetTotals {
  const byType: Record<FindingType, number> = { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 };
  for (const c of report.clusters) for (const t of Object.keys(byType) as FindingType[]) byType[t] += c.summary[t] ?? 0;
  return {
    clusters: report.clusters.length,
    unreachable: report.clusters.filter((c) => c.status === 'unreachable').length,
    errors: report.clusters.filter((c) => c.status === 'error').length,
    byType,
  };
}

/** Counts in the fixed order of the summary line. */
export const SUMMARY_ORDER: readonly FindingType[] = ['modified', 'missing', 'orphaned', 'unmanaged', 'policy'];

/**
 * The counts shown for some clusters: SUMMARY_ORDER, plus `evidence` when the recoverability
 * evidence was evaluated (or found something), so a report without it never claims "0 evidence".
 */
export function summaryOrder(clusters: readonly ClusterReport[]): readonly FindingType[] {
  return clusters.some((c) => c.recoverability || (c.summary.evidence ?? 0) > 0) ? [...SUMMARY_ORDER, 'evidence'] : SUMMARY_ORDER;
}

/** `1 finding`, `2 findings`: counts read as English in every format. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `3 clusters audited: 4 modified, …` when every cluster was; otherwise how many of how many, and
 * why the others were not (`2 of 4 clusters audited (not audited: 1 unreachable, 1 failed): …`),
 * so nobody reads "1 error" as a finding or "3 audited" as all three.
 */
export function summaryLine(report: AuditReport): string {
  const t = fleetTotals(report);
  const counts = summaryOrder(report.clusters).map((type) => `${t.byType[type]} ${type}`).join(', ');
  const failed = [t.unreachable && `${t.unreachable} unreachable`, t.errors && `${t.errors} failed`].filter(Boolean);
  if (!failed.length) return `${plural(t.clusters, 'cluster')} audited: ${counts}`;
  return `${t.clusters - t.unreachable - t.errors} of ${plural(t.clusters, 'cluster')} audited (not audited: ${failed.join(', ')}): ${counts}`;
}

/** `origin/main @ 0123456789ab`: the ref and the first 12 hex digits of its commit. */
export function describeSource(report: AuditReport): string {
  return safeText(report.gitCommit ? `${report.gitRef} @ ${report.gitCommit.slice(0, 12)}` : report.gitRef);
}

/** `shard 1/3`, or '' without sharding. */
export function describeShard(report: AuditReport): string {
  return report.shard ? `shard ${report.shard.index}/${report.shard.count}` : '';
}

/** What a derived object's changes show as desired: the controller's output, which the audit does not know. */
export const CONTROLLER_OUTPUT = '(controller output)';
