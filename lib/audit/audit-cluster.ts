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
import { detectDrift, DriftDetector } from '../drift/engine.ts';
import { isControllerMade, isManagedByUs, tenantNamespaces } from '../drift/pair.ts';
import { managerClassifier } from '../drift/attribution.ts';
import type { CrdSchema, IgnoreRule, ManagerRules } from '../drift/types.ts';
import type { ApiResource } from '../live/discovery.ts';
import { KubeApiError } from '../live/errors.ts';
import { mapLimit } from '../live/map-limit.ts';
import { groupOf, keyOf, keyOfRef, uniqueKey, type KubeObject } from '../model/resource.ts';
import { NO_OBJECTS, planListings, type KindListing } from './kinds.ts';
import { listAll, lookUp, pages, type LiveReader } from './list-live.ts';
import { livePolicyFindings, type LivePolicyOptions } from './live-policies.ts';
import { confirmDrift, type DryRunApplier } from './confirm.ts';
import { sortFindings } from './sort.ts';
import type { AuditFinding } from './types.ts';
import { expectedSegments, optionalSegments, resolveEngine, type DesiredCluster, type DesiredSegment } from './desired.ts';
import type { GitOpsEngine } from '../model/gitops-engine.ts';
import type { ClusterInfo } from '../policy/types.ts';
import type { EnvironmentEvidence } from '../evidence/types.ts';
import { EvidenceCollector, type AuditEvidenceOptions } from './evidence.ts';
import { InSyncRecorder, PolicyStamps, policiesKey, stampOf, usableVerdicts, type InSyncRecord } from './in-sync.ts';

export type { LiveReader } from './list-live.ts';

export interface AuditClusterInput {
  readonly cluster: ClusterInfo;
  /**
   * Reads the objects in generated/ for this cluster. A function, so that reading overlaps
   * discovery and the namespace listing; its segments are loaded kind by kind as each kind is
   * compared, and let go after.
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
  /** Key of the digests secret values are reported as (see lib/drift/mask.ts); none: `<hidden>`. */
  readonly digestKey?: string;
  /** Recoverability evidence of the cluster's tenant environments, read from live status; unset to skip it. */
  readonly evidence?: AuditEvidenceOptions;
  /**
   * The verdicts of the last audit of this cluster under the same rules and code (lib/audit/in-sync.ts):
   * objects written since are compared, the others not. With it, the result carries the record
   * for the next audit. `policyInputs`: a key of the live policies' inputs; unset, the policies
   * always run. The audit takes `previous` over: a kind's verdicts against the same desired
   * objects are updated in place into this audit's record, so the caller must not use it after.
   */
  readonly inSync?: { readonly previous?: InSyncRecord; readonly policyInputs?: string };
  /**
   * Awaited with the cluster's weight before any kind is listed (auditFleet's object budget): its
   * desired objects, those of kinds to compare in full (no usable in-sync verdicts) counted
   * twice. What it returns is called when the cluster is done.
   */
  readonly admit?: (objects: number) => Promise<() => void>;
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
  /** Kinds scanned for hand-made objects that the server refused to list (`group/Kind`): not seen. */
  readonly unscanned?: readonly string[];
  /** With `evidence`: every tenant environment's checks, passing or not. */
  readonly recoverability?: EnvironmentEvidence[];
  /** The engine that syncs the cluster (declared or inferred); undefined when unknown. */
  readonly engine?: GitOpsEngine;
  /** With `inSync`: what this audit found in sync, for the next one. */
  readonly inSync?: InSyncRecord;
}

/** Whether the server refused a list (RBAC): a scan-only kind is then skipped, not the audit failed. */
function isForbidden(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 403;
}

/** The object without what policies never read (managedFields, status, server bookkeeping): most of its size. */
function slim(o: KubeObject): KubeObject {
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = o.metadata;
  const { status: _s, ...rest } = o;
  return { ...rest, metadata } as KubeObject;
}

export async function auditCluster(input: AuditClusterInput): Promise<ClusterAudit> {
  const pageSize = input.pageSize ?? 500;
  const loading = Promise.resolve(input.loadDesired());
  let loaded: DesiredCluster;
  let served: ApiResource[];
  let liveNamespaces: KubeObject[];
  try {
    [served, liveNamespaces, loaded] = await Promise.all([input.reader.resources(), listAll(input.reader, NAMESPACES, pageSize), loading]);
  } catch (error) {
    // What the desired state holds open is let go of even when the cluster cannot be read.
    loading.then((l) => l.close?.(), () => undefined);
    throw error;
  }
  // Called when the cluster is done, however it ends: the budget's release, the desired state's close.
  const done: Array<() => void> = [];
  try {
    return await auditLoaded(input, served, liveNamespaces, loaded, done);
  } finally {
    for (const f of done) f();
    loaded.close?.();
  }
}

async function auditLoaded(input: AuditClusterInput, served: readonly ApiResource[], liveNamespaces: readonly KubeObject[], loaded: DesiredCluster, done: Array<() => void>): Promise<ClusterAudit> {
  const pageSize = input.pageSize ?? 500;
  const prefix = input.tenantNamespacePrefix ?? 'tenant-';
  const managers = managerClassifier(input.managers);
  const engine = resolveEngine(input.engine, served);
  const optional = optionalSegments(loaded, engine);
  // Engine folders are a handful of bootstrap objects: loaded here, once.
  const optionalKeys = new Set(optional.flatMap((s) => s.objects()).map((o) => uniqueKey(keyOf(o))));
  const segments = [...expectedSegments(loaded, engine), ...optional];
  const tenants = desiredTenantNamespaces(segments, liveNamespaces, prefix);
  const liveNames = new Set(liveNamespaces.map((n) => n.metadata.name));
  const plan = planListings(segments, served, [...tenants].filter((n) => liveNames.has(n)));
  const desiredCount = [plan.namespaces, ...plan.kinds, ...plan.unserved].reduce((n, k) => n + k.desired.count, 0);
  // An object whose kind has no usable verdicts is parsed and compared, not only listed: it weighs twice.
  const compared = plan.kinds.reduce((n, k) => n + (usableVerdicts(input.inSync?.previous, `${k.group}/${k.kind}`, k.desired.digest) ? 0 : k.desired.count), 0);
  const release = await input.admit?.(desiredCount + compared);
  if (release) done.push(release);
  const common = { crds: input.crds, ignore: input.ignore, managers: input.managers, tenantNamespacePrefix: prefix, digestKey: input.digestKey };

  const namespaces = { desired: plan.namespaces.desired.load(), live: liveNamespaces };
  const drift = new DriftDetector({ ...common, namespaces });
  const ours = (o: KubeObject) => isManagedByUs(o) || (!!o.metadata.namespace && tenants.has(o.metadata.namespace));

  const findings: AuditFinding[] = [];
  const kept: KubeObject[] = [];
  const unscanned: string[] = [];
  const evidence = input.evidence && new EvidenceCollector(input.evidence);
  const recorder = input.inSync && new InSyncRecorder();
  // Key and stamp of each object the policies judge: equal to the record's, their findings are too.
  const policyStamps = recorder && new PolicyStamps();
  const keepOne = (kindId: string, o: KubeObject, key?: string) => {
    if (!ours(o) || (!isManagedByUs(o) && isControllerMade(o, managers))) return;
    policyStamps?.add(kindId, key ?? uniqueKey(keyOf(o)), o);
    kept.push(slim(o));
  };
  const keepForPolicies = (kindId: string, live: readonly KubeObject[]) => {
    for (const o of live) keepOne(kindId, o);
  };
  // Namespaces are compared (and, with --server-dry-run, confirmed) like every other kind.
  findings.push(...await confirmed(input.serverDryRun, engine, detectDrift({ ...common, desired: namespaces.desired, live: liveNamespaces }), namespaces.desired, liveNamespaces));
  keepForPolicies('/Namespace', liveNamespaces.filter(isManagedByUs));
  let liveCount = liveNamespaces.length;

  await mapLimit(plan.kinds, input.concurrency ?? 4, async (listing) => {
    // Page by page: a page's live objects are compared with their desired ones and slimmed at
    // once, so full objects (managedFields and all) never pile up for a whole kind.
    // A desired object without a namespace of a namespaced kind pairs as pairObjects pairs it
    // (with the one live object of its name in any namespace): its live candidates are held back
    // and compared once every page is in, by the same detectDrift call.
    // This kind's desired objects, from here to the end of this function only; with verdicts of
    // the last audit against the same desired objects, parsed only if some object needs them.
    const kindId = `${listing.group}/${listing.kind}`;
    const verdicts = usableVerdicts(input.inSync?.previous, kindId, listing.desired.digest);
    let loaded: readonly KubeObject[] | undefined = verdicts ? undefined : listing.desired.load();
    const looseDesired = (d: KubeObject) => listing.namespaced && !d.metadata.namespace;
    const desiredNow = () => (loaded ??= listing.desired.load());
    let byKey: Map<string, KubeObject> | undefined;
    const desiredIndex = () => (byKey ??= new Map(desiredNow().filter((d) => !looseDesired(d)).map((d) => [uniqueKey(keyOf(d)), d])));
    const desiredOf = (key: string) => desiredIndex().get(key);
    // A record holds every desired key of its digest, and none of a kind with loose objects.
    const loose = new Set(verdicts ? [] : desiredNow().filter(looseDesired).map((d) => d.metadata.name));
    const pending = new Set(verdicts ? verdicts.keys() : desiredIndex().keys());
    // This audit's verdicts on the kind (desired key → stamp of the live object it is in sync with,
    // or ''): the last audit's, when usable, updated in place (every key of it is pending, so each
    // is set again below), else new.
    const stamps = verdicts ?? new Map<string, string>();
    // Verdicts on a page's pairs: in sync unless a finding names the key.
    const judgePairs = (keys: readonly string[], live: readonly KubeObject[], found: readonly AuditFinding[]) => {
      if (!recorder) return;
      const drifted = found.length ? new Set(found.map((f) => uniqueKey(keyOfRef(f.resource)))) : undefined;
      for (let i = 0; i < keys.length; i++) stamps.set(keys[i], (!drifted?.has(keys[i]) && stampOf(live[i])) || '');
    };
    const judge = (paired: readonly KubeObject[], live: readonly KubeObject[], found: readonly AuditFinding[]) => {
      if (!recorder) return;
      const drifted = new Set(found.map((f) => uniqueKey(keyOfRef(f.resource))));
      const liveByKey = new Map(live.map((o) => [uniqueKey(keyOf(o)), o]));
      for (const d of paired) {
        const key = uniqueKey(keyOf(d));
        const l = liveByKey.get(key);
        stamps.set(key, (!drifted.has(key) && l && stampOf(l)) || '');
      }
    };
    const wanted = listing.desired.count;
    const keep = listing.selector ? () => true : ours;
    const held: KubeObject[] = [];
    let live = 0;
    let found = 0;
    let unchanged = 0;
    try {
      const skipNamespace = (namespace: string, error: unknown) => {
        if (!listing.scanOnly || !isForbidden(error)) return false;
        unscanned.push(`${listing.group ? `${listing.group}/` : ''}${listing.kind} in ${namespace}`);
        return true;
      };
      for await (const page of pages(input.reader, listing, pageSize, skipNamespace)) {
        const paired: KubeObject[] = [];
        // The keys of `paired`, and their live objects (the first of `items`, in the same order).
        const pairedKeys: string[] = [];
        const pairedLive: KubeObject[] = [];
        const others: KubeObject[] = [];
        const offered: KubeObject[] = [];
        let inSync = 0;
        for (const o of page) {
          const key = uniqueKey(keyOf(o));
          if (pending.has(key)) {
            pending.delete(key);
            const stamp = verdicts?.get(key);
            // Unwritten since the last audit found it in sync with these desired objects:
            // the verdict stands as it is in `stamps`.
            if (!(stamp && stamp === stampOf(o))) {
              paired.push(desiredOf(key)!);
              pairedKeys.push(key);
              pairedLive.push(o);
            } else inSync++;
            keepOne(kindId, o, key);
          } else if (loose.has(o.metadata.name)) {
            held.push(o);
            continue;
          } else if (keep(o)) {
            others.push(o);
            keepOne(kindId, o, key);
          } else continue;
          if (evidence) offered.push(o);
        }
        evidence?.offer(offered);
        const items = others.length ? [...pairedLive, ...others] : pairedLive;
        const pageFindings = paired.length || items.length ? await confirmed(input.serverDryRun, engine, drift.detect(paired, items), paired, items) : [];
        judgePairs(pairedKeys, pairedLive, pageFindings);
        findings.push(...pageFindings);
        live += items.length + inSync;
        unchanged += inSync;
        found += pageFindings.length;
      }
    } catch (error) {
      if (!listing.scanOnly || !isForbidden(error)) throw error;
      unscanned.push(`${listing.group ? `${listing.group}/` : ''}${listing.kind}`);
      input.onProgress?.(`${listing.kind}: not scanned, the server refused to list it (${(error as Error).message})`);
      return;
    }
    // What no page held: the held candidates of namespace-less desired objects, and (selected
    // lists) each object looked up by name; what still has no live copy is missing.
    const rest = [...[...pending].map((key) => desiredOf(key)!), ...(loose.size ? desiredNow().filter(looseDesired) : [])];
    const lookedUp = listing.selector ? await lookUp(input.reader, listing, rest.filter((d) => !held.some((h) => h.metadata.name === d.metadata.name))) : [];
    const last = [...held, ...lookedUp];
    const lastFindings = await confirmed(input.serverDryRun, engine, drift.detect(rest, last), rest, last);
    judge(rest, last, lastFindings);
    // Loose desired objects pair by name across namespaces: never recorded, always compared.
    if (recorder && listing.desired.digest && !loose.size) recorder.kind(kindId, listing.desired.digest, stamps);
    findings.push(...lastFindings);
    keepForPolicies(kindId, last);
    evidence?.offer(last);
    liveCount += live + last.length;
    input.onProgress?.(`${listing.kind}: ${live + last.length} live, ${wanted} desired, ${found + lastFindings.length} findings${unchanged ? `, ${unchanged} in sync and unwritten since the last audit` : ''}`);
  });
  for (const listing of plan.unserved) {
    findings.push(...drift.detect(listing.desired.load(), []));
    input.onProgress?.(`${listing.kind}: not served by the cluster, ${listing.desired.count} objects missing`);
  }
  if (input.policies !== false) {
    const key = policyStamps && input.inSync?.policyInputs ? policiesKey(input.inSync.policyInputs, policyStamps.lines()) : undefined;
    const previous = input.inSync?.previous?.policies;
    const reuse = !!key && previous?.key === key;
    const policyFindings = reuse ? previous.findings : livePolicyFindings(input.cluster, kept, input.policies ?? {});
    if (reuse) input.onProgress?.(`policies: ${policyFindings.length} findings of the last audit, nothing they judge written since`);
    if (key) recorder!.policyFindings(key, policyFindings);
    findings.push(...policyFindings);
  }
  const judged = evidence?.evaluate();
  if (judged) findings.push(...judged.findings);
  return {
    findings: sortFindings(optionalKeys.size ? findings.filter((f) => f.type !== 'missing' || !optionalKeys.has(uniqueKey(keyOfRef(f.resource)))) : findings),
    objects: { desired: desiredCount, live: liveCount },
    ...(unscanned.length ? { unscanned: unscanned.sort() } : {}),
    ...(judged ? { recoverability: judged.recoverability } : {}),
    ...(engine ? { engine } : {}),
    ...(recorder ? { inSync: recorder.record() } : {}),
  };
}

/**
 * With `--server-dry-run`, each `modified` finding marked by whether a dry-run apply of its
 * desired object would change the live one. One refused dry-run (a webhook, no patch permission
 * on a kind) leaves that finding unconfirmed, not the cluster unaudited.
 */
async function confirmed(applier: DryRunApplier | undefined, engine: GitOpsEngine | undefined, found: AuditFinding[], desired: readonly KubeObject[], live: readonly KubeObject[]): Promise<AuditFinding[]> {
  if (!applier) return found;
  // A desired object without a namespace is reported under its own (absent) namespace: any live one of its name.
  const same = (o: KubeObject, f: AuditFinding) => o.metadata.name === f.resource.name && (!f.resource.namespace || o.metadata.namespace === f.resource.namespace);
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

/**
 * Tenant namespaces (tenantNamespaces of lib/drift) from the segments: their Namespace objects,
 * and the namespaces their objects are in, without loading any other segment.
 */
function desiredTenantNamespaces(segments: readonly DesiredSegment[], liveNamespaces: readonly KubeObject[], prefix: string): Set<string> {
  const desiredNamespaces = segments.filter((s) => s.kind === 'Namespace' && groupOf(s.apiVersion) === '').flatMap((s) => s.objects());
  const tenants = tenantNamespaces(desiredNamespaces, liveNamespaces, prefix);
  for (const s of segments) for (const n of s.namespaces) if (n.startsWith(prefix)) tenants.add(n);
  return tenants;
}

/** Namespaces are listed whole, before the plan exists: their labels are needed for every kind. */
const NAMESPACES: KindListing = { apiVersion: 'v1', group: '', kind: 'Namespace', namespaced: false, desired: NO_OBJECTS };
