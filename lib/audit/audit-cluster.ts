/**
 * Audits one cluster: lists what planListings chose and hands each page of live objects, with
 * the desired objects of the same identities, to the drift engine; desired objects no page held
 * are missing. Then runs the policies on the live objects it kept.
 *
 * Page by page, because managedFields are most of a live object's size: once a page is compared,
 * its objects are kept for the policies without them, and each kind's desired objects are dropped
 * once it is done, so peak memory follows a few pages, not the cluster. Read-only unless
 * `serverDryRun` is set (then only dry-run applies, which persist nothing). Cluster access goes
 * through the small LiveReader interface.
 */
import { detectDrift } from '../drift/engine.ts';
import { isControllerMade, isManagedByUs, tenantNamespaces } from '../drift/pair.ts';
import { managerClassifier } from '../drift/attribution.ts';
import type { CrdSchema, IgnoreRule, ManagerRules } from '../drift/types.ts';
import type { ApiResource } from '../live/discovery.ts';
import type { ListOptions, ListPage } from '../live/kube-client.ts';
import { mapLimit } from '../live/map-limit.ts';
import { keyOf, uniqueKey, type KubeObject } from '../model/resource.ts';
import { planListings, type KindListing } from './kinds.ts';
import { livePolicyFindings, type LivePolicyOptions } from './live-policies.ts';
import { confirmDrift, type DryRunApplier } from './confirm.ts';
import { sortFindings } from './sort.ts';
import type { AuditFinding } from './types.ts';
import { expectedObjects, resolveEngine, type DesiredCluster } from './desired.ts';
import type { GitOpsEngine } from '../model/gitops-engine.ts';
import type { ClusterInfo } from '../policy/types.ts';

/** What the auditor needs of a cluster; KubeClient fits. */
export interface LiveReader {
  /** Every kind the server serves. */
  resources(): Promise<ApiResource[]>;
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<ListPage>;
}

export interface AuditClusterInput {
  readonly cluster: ClusterInfo;
  /**
   * Reads the objects in generated/ for this cluster. A function, so that reading overlaps
   * discovery and the namespace listing, and so that nobody else holds the objects: they are
   * released kind by kind once compared.
   */
  readonly loadDesired: () => Promise<DesiredCluster> | DesiredCluster;
  readonly reader: LiveReader;
  /** The engine fleet.ts names for the cluster; unset: inferred from the kinds it serves. */
  readonly engine?: GitOpsEngine;
  /** CRD schemas for defaults and list keys (vendor/crds). */
  readonly crds?: readonly CrdSchema[];
  readonly ignore?: readonly IgnoreRule[];
  readonly managers?: ManagerRules;
  /** Policies on live objects; `false` to skip them. */
  readonly policies?: LivePolicyOptions | false;
  /** Confirm each `modified` finding with a server-side apply dry-run (needs patch permission). */
  readonly serverDryRun?: DryRunApplier;
  /** Kinds listed at once. @default 4 */
  readonly concurrency?: number;
  /** Objects per list page. @default 500 */
  readonly pageSize?: number;
  /** @default 'tenant-' */
  readonly tenantNamespacePrefix?: string;
  readonly onProgress?: (message: string) => void;
}

export interface ClusterAudit {
  readonly findings: AuditFinding[];
  readonly objects: { readonly desired: number; readonly live: number };
  /** The engine that syncs the cluster (declared or inferred); undefined when unknown. */
  readonly engine?: GitOpsEngine;
}

/** The pages of one kind, as the server sends them (`limit`, then `continue` tokens). */
async function* pages(reader: LiveReader, listing: KindListing, pageSize: number): AsyncGenerator<KubeObject[]> {
  let token: string | undefined;
  do {
    const page = await reader.list(listing.apiVersion, listing.kind, { labelSelector: listing.selector, limit: pageSize, continue: token });
    token = page.continue;
    yield page.items;
  } while (token);
}

/** Every object of one kind. */
async function listAll(reader: LiveReader, listing: KindListing, pageSize: number): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for await (const items of pages(reader, listing, pageSize)) out.push(...items);
  return out;
}

/** The object without what policies never read (managedFields, status, server bookkeeping): most of its size. */
function slim(o: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = o.metadata;
  const { status: _s, ...rest } = o;
  return { ...rest, metadata } as KubeObject;
}

export async function auditCluster(input: AuditClusterInput): Promise<ClusterAudit> {
  const pageSize = input.pageSize ?? 500;
  const prefix = input.tenantNamespacePrefix ?? 'tenant-';
  const managers = managerClassifier(input.managers);
  const [served, liveNamespaces, loaded] = await Promise.all([
    input.reader.resources(),
    listAll(input.reader, NAMESPACES, pageSize),
    input.loadDesired(),
  ]);
  const engine = resolveEngine(input.engine, served);
  const plan = planListings(expectedObjects(loaded, engine), served);
  const desiredCount = plan.namespaces.desired.length + [...plan.kinds, ...plan.unserved].reduce((n, k) => n + k.desired.length, 0);
  const common = { crds: input.crds, ignore: input.ignore, managers: input.managers, tenantNamespacePrefix: prefix };

  const namespaces = { desired: plan.namespaces.desired, live: liveNamespaces };
  const tenants = tenantNamespaces([...plan.namespaces.desired, ...plan.kinds.flatMap((k) => k.desired)], liveNamespaces, prefix);
  const ours = (o: KubeObject) => isManagedByUs(o) || (!!o.metadata.namespace && tenants.has(o.metadata.namespace));

  const findings: AuditFinding[] = [];
  const kept: KubeObject[] = [];
  const keepForPolicies = (live: readonly KubeObject[]) => {
    for (const o of live) if (ours(o) && (isManagedByUs(o) || !isControllerMade(o, managers))) kept.push(slim(o));
  };
  findings.push(...detectDrift({ ...common, desired: plan.namespaces.desired, live: liveNamespaces }));
  keepForPolicies(liveNamespaces.filter(isManagedByUs));
  let liveCount = liveNamespaces.length;

  await mapLimit(plan.kinds, input.concurrency ?? 4, async (listing) => {
    // Page by page: a page's live objects are compared with their desired ones and slimmed at
    // once, so full objects (managedFields and all) never pile up for a whole kind.
    const pending = new Map(listing.desired.map((d) => [uniqueKey(keyOf(d)), d]));
    const wanted = pending.size;
    const keep = listing.selector ? () => true : ours;
    let live = 0;
    let found = 0;
    for await (const page of pages(input.reader, listing, pageSize)) {
      const items = page.filter(keep);
      const paired: KubeObject[] = [];
      for (const o of items) {
        const key = uniqueKey(keyOf(o));
        const d = pending.get(key);
        if (d) {
          paired.push(d);
          pending.delete(key);
        }
      }
      const pageFindings = await confirmed(input.serverDryRun, engine, detectDrift({ ...common, desired: paired, live: items, namespaces }), paired, items);
      findings.push(...pageFindings);
      keepForPolicies(items);
      live += items.length;
      found += pageFindings.length;
    }
    // What no page held is missing.
    const missing = detectDrift({ ...common, desired: [...pending.values()], live: [], namespaces });
    findings.push(...missing);
    liveCount += live;
    input.onProgress?.(`${listing.kind}: ${live} live, ${wanted} desired, ${found + missing.length} findings`);
    listing.desired = [];
  });
  for (const listing of plan.unserved) {
    findings.push(...detectDrift({ ...common, desired: listing.desired, live: [], namespaces }));
    input.onProgress?.(`${listing.kind}: not served by the cluster, ${listing.desired.length} objects missing`);
  }
  if (input.policies !== false) findings.push(...livePolicyFindings(input.cluster, kept, input.policies ?? {}));
  return { findings: sortFindings(findings), objects: { desired: desiredCount, live: liveCount }, ...(engine ? { engine } : {}) };
}

/**
 * With `--server-dry-run`, each `modified` finding marked by whether a dry-run apply of its
 * desired object would change the live one. One refused dry-run (a webhook, no patch permission
 * on a kind) leaves that finding unconfirmed, not the cluster unaudited.
 */
async function confirmed(applier: DryRunApplier | undefined, engine: GitOpsEngine | undefined, found: AuditFinding[], desired: readonly KubeObject[], live: readonly KubeObject[]): Promise<AuditFinding[]> {
  if (!applier) return found;
  const same = (o: KubeObject, f: AuditFinding) => o.metadata.name === f.resource.name && (o.metadata.namespace ?? '') === (f.resource.namespace ?? '');
  const out: AuditFinding[] = [];
  for (const f of found) {
    const want = f.type === 'modified' ? desired.find((d) => same(d, f)) : undefined;
    const current = want && live.find((l) => same(l, f));
    if (!want || !current) {
      out.push(f);
      continue;
    }
    try {
      out.push({ ...f, ...(await confirmDrift(applier, want, current, f.changes ?? [], engine)) });
    } catch (error) {
      out.push({ ...f, confirmError: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}

/** Namespaces are listed whole, before the plan exists: their labels are needed for every kind. */
const NAMESPACES: KindListing = { apiVersion: 'v1', group: '', kind: 'Namespace', namespaced: false, desired: [] };
