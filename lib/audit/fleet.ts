/**
 * Audits several clusters at once, at most `concurrency` at a time. Each cluster ends `ok` or
 * with its failure as data; one cluster's failure never stops the others. `--shard i/n` splits
 * the fleet's clusters across CI jobs: the same cluster always lands in the same shard.
 */
import { UserError } from '../model/user-error.ts';
import { mapLimit } from '../live/map-limit.ts';
import { classifyClusterError } from './cluster-errors.ts';
import { ObjectBudget } from './object-budget.ts';
import type { ClusterAudit } from './audit-cluster.ts';
import { AUDIT_SCHEMA_VERSION, emptySummary, summarize, type AuditReport, type ClusterReport } from './types.ts';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Clusters and reports in one order everywhere: by name. */
function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** `2/3` → {index 2, count 3}; anything else → an error message naming the flag and an example. */
export function parseShard(text: string): Shard | { readonly error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) return { error: `--shard ${text}: expected i/n with 1 ≤ i ≤ n, e.g. --shard 1/3` };
  return { index, count };
}

/** The clusters of shard i of n: sorted by name, every n-th starting at i. */
export function selectShard<T extends { readonly name: string }>(clusters: readonly T[], shard?: Shard): T[] {
  const sorted = [...clusters].sort(byName);
  return shard ? sorted.filter((_, k) => k % shard.count === shard.index - 1) : sorted;
}

export interface FleetTarget {
  readonly name: string;
  readonly context?: string;
  readonly server?: string;
  /** Tenants placed on the cluster, for the report's overview. */
  readonly tenants?: readonly string[];
}

export interface AuditFleetOptions<T extends FleetTarget> {
  readonly targets: readonly T[];
  /**
   * Audits one cluster; throws when it cannot. `admit` (without `concurrency`): awaited with
   * the cluster's desired object count before its objects are listed and compared; its result
   * is called when the cluster is done (ObjectBudget).
   */
  readonly audit: (target: T, admit?: (objects: number) => Promise<() => void>) => Promise<ClusterAudit & { readonly server?: string }>;
  /**
   * The cluster's weight as far as it is known before it starts (without `concurrency`): its
   * desired object count from the cache, counted as `admit` will count it; undefined when it is
   * not known. Clusters whose estimates fit in the budget together begin at once; a cluster of
   * unknown weight begins alone (ObjectBudget.begin).
   */
  readonly estimate?: (target: T) => Promise<number | undefined> | number | undefined;
  /**
   * Clusters audited at once, whatever their size. Unset: as many as fit in the object budget
   * (lib/audit/object-budget.ts); clusters start (discovery, desired state) up to
   * MAX_CLUSTERS_STARTED at a time and wait for the budget before they are listed.
   */
  readonly concurrency?: number;
  /** The object budget without `concurrency`. @default OBJECTS_AT_ONCE */
  readonly objectBudget?: number;
  readonly onDone?: (report: ClusterReport) => void;
}

/** Clusters in flight at most without `concurrency` (the object budget begins them as their estimates fit: ObjectBudget.begin). */
const MAX_CLUSTERS_STARTED = 8;

export async function auditFleet<T extends FleetTarget>(options: AuditFleetOptions<T>): Promise<ClusterReport[]> {
  const budget = options.concurrency === undefined ? new ObjectBudget(options.objectBudget) : undefined;
  const reports = await mapLimit(options.targets, options.concurrency ?? MAX_CLUSTERS_STARTED, async (target): Promise<ClusterReport> => {
    const base = { name: target.name, ...(target.context ? { context: target.context } : {}), ...(target.tenants ? { tenants: target.tenants } : {}) };
    let report: ClusterReport;
    // An estimate that cannot be had is unknown: the cluster then begins alone.
    const estimate = budget && options.estimate ? await Promise.resolve().then(() => options.estimate!(target)).catch(() => undefined) : undefined;
    const ticket = await budget?.begin(estimate);
    try {
      const result = await options.audit(target, ticket && ((objects: number) => ticket.admit(objects)));
      const server = result.server ?? target.server;
      report = { ...base, ...(server ? { server } : {}), ...(result.engine ? { engine: result.engine } : {}), status: 'ok', summary: summarize(result.findings), findings: result.findings, objects: result.objects, ...(result.unscanned?.length ? { unscanned: result.unscanned } : {}), ...(result.recoverability ? { recoverability: result.recoverability } : {}) };
    } catch (error) {
      const failure = classifyClusterError(error, target.context);
      report = {
        ...base,
        ...(target.server ? { server: target.server } : {}),
        status: failure.status,
        error: `${failure.error.message}; fix: ${failure.error.fix}`,
        errorDetail: failure.error,
        summary: emptySummary(),
        findings: [],
      };
    } finally {
      ticket?.end();
    }
    options.onDone?.(report);
    return report;
  });
  return reports.sort(byName);
}

export interface ReportHeader {
  readonly generatedAt: string;
  readonly gitRef: string;
  readonly gitCommit?: string;
  readonly shard?: Shard;
}

export function buildReport(header: ReportHeader, clusters: readonly ClusterReport[]): AuditReport {
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    generatedAt: header.generatedAt,
    gitRef: header.gitRef,
    ...(header.gitCommit ? { gitCommit: header.gitCommit } : {}),
    ...(header.shard ? { shard: { index: header.shard.index, count: header.shard.count } } : {}),
    clusters: [...clusters].sort(byName),
  };
}

/**
 * Reports of several jobs (one per shard or matrix cluster) as one: clusters of all, the first
 * report's header. Throws on differing schema versions or refs, which cannot be compared.
 */
export function mergeReports(reports: readonly AuditReport[]): AuditReport {
  if (reports.length === 0) throw new UserError('no reports to merge', { fix: 'name at least one JSON report written by `tenantctl audit --format json`' });
  const [first] = reports;
  for (const r of reports) {
    if (r.schemaVersion !== first.schemaVersion) throw new UserError(`cannot merge reports of schemaVersion ${first.schemaVersion} and ${r.schemaVersion}`, { fix: 'write every report with the same tenantctl version' });
    if ((r.gitCommit ?? r.gitRef) !== (first.gitCommit ?? first.gitRef)) throw new UserError(`cannot merge reports of ${first.gitCommit ?? first.gitRef} and ${r.gitCommit ?? r.gitRef}: audit every cluster at the same commit`, { fix: 'run the audit jobs again on one commit' });
  }
  const byName = new Map<string, ClusterReport>();
  for (const r of reports) for (const c of r.clusters) byName.set(c.name, c);
  return buildReport({ generatedAt: reports.map((r) => r.generatedAt).sort().at(-1)!, gitRef: first.gitRef, gitCommit: first.gitCommit }, [...byName.values()]);
}
