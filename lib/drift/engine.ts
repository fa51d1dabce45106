/**
 * detectDrift: desired objects (generated/) against live objects (the cluster) → findings.
 *
 * pair (pair.ts) → for each matched pair: normalize (normalize/) → diff (diff.ts) → judge each
 * difference by who owns the live field (managed-fields.ts, attribution.ts) → mask Secrets
 * (mask.ts) → ignore rules (ignore.ts) → sort. Pure: same input, same output, no I/O.
 */
import { formatKey, groupOf, keyOf, LABELS, type KubeObject } from '../model/resource.ts';
import { creatorOf, judgeChange, managerClassifier, type ManagerClassifier } from './attribution.ts';
import { diffObjects, type RawChange } from './diff.ts';
import { compileIgnoreRules, type CompiledIgnore } from './ignore.ts';
import { indexManagedFields } from './managed-fields.ts';
import { maskCredentialChanges, maskSecretChanges } from './mask.ts';
import { compareDriftFindings } from './order.ts';
import { handEdits } from './hand-edits.ts';
import { indexCrds, type CrdIndex } from './normalize/crd-defaults.ts';
import { normalizePair } from './normalize/index.ts';
import { pairObjects, tenantNamespaces } from './pair.ts';
import { formatPath, valueAt } from './path.ts';
import { type Change, type DetectDriftInput, type DriftFinding, type DriftResource } from './types.ts';

/** API groups served by kube-apiserver itself; anything else is a custom resource. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'scheduling.k8s.io', 'node.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'resource.k8s.io', 'storagemigration.k8s.io', 'internal.apiserver.k8s.io']);

function resourceOf(obj: KubeObject): DriftResource {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name,
  };
}

/** Tenant and environment: labels of desired, then live, then of the object's namespace. */
function ownership(objects: ReadonlyArray<KubeObject | undefined>, namespaces: ReadonlyMap<string, KubeObject>): { tenant?: string; environment?: string } {
  const namespace = objects.find((o) => o?.metadata.namespace)?.metadata.namespace;
  const candidates = [...objects, namespace ? namespaces.get(namespace) : undefined];
  const label = (name: string) => candidates.map((o) => o?.metadata.labels?.[name]).find((v) => typeof v === 'string' && v !== '');
  const tenant = label(LABELS.tenant);
  const environment = label(LABELS.environment);
  return { ...(tenant ? { tenant } : {}), ...(environment ? { environment } : {}) };
}

/** Namespace objects by name, desired first (its labels are the intended ones). */
function namespaceIndex(desired: readonly KubeObject[], live: readonly KubeObject[]): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const o of [...desired, ...live]) {
    if (o.kind === 'Namespace' && o.apiVersion === 'v1' && !out.has(o.metadata.name)) out.set(o.metadata.name, o);
  }
  return out;
}

/** Normalized pair and its raw differences; errors name the object. */
function rawDiff(desired: KubeObject, live: KubeObject, crds: CrdIndex): { declared: KubeObject; raw: RawChange[] } {
  const group = groupOf(desired.apiVersion);
  try {
    const normalized = normalizePair(desired, live, crds);
    const schema = crds.schemaFor(desired.apiVersion, desired.kind);
    const raw = diffObjects(normalized.desired, normalized.live, { kind: desired.kind, schema, custom: !BUILT_IN_GROUPS.has(group) });
    return { declared: normalized.declared, raw };
  } catch (e) {
    throw new Error(`${formatKey(keyOf(desired))}: cannot compare desired with live (${(e as Error).message}); ` +
      'check that both are Kubernetes objects as the API server returns them', { cause: e });
  }
}

/** The drifted fields of one desired/live pair, judged and (for Secrets) masked, sorted by path. */
export function compareObjects(desired: KubeObject, live: KubeObject, crds: CrdIndex, managers: ManagerClassifier, digestKey?: string): Change[] {
  const { declared, raw } = rawDiff(desired, live, crds);
  // Most pairs have no differences: their managedFields are never indexed.
  if (raw.length === 0) return [];
  const fields = indexManagedFields(live);
  const changes: Change[] = [];
  for (const c of raw) {
    const verdict = judgeChange({ ...c, declared: valueAt(declared, c.path) !== undefined }, fields, managers);
    if (!verdict.drift) continue;
    changes.push({ path: formatPath(c.path), desired: c.desired, live: c.live, ...(verdict.changedBy ? { changedBy: verdict.changedBy } : {}) });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return groupOf(desired.apiVersion) === '' && desired.kind === 'Secret' ? maskSecretChanges(changes, digestKey) : maskCredentialChanges(changes, digestKey);
}

/** What detectDrift needs besides the objects, for DriftDetector. */
export type DriftContext = Omit<DetectDriftInput, 'desired' | 'live'>;

/**
 * detectDrift for many batches of one cluster (the auditor's pages): the rules, the CRD index,
 * and the Namespace index and tenant namespaces of `namespaces` are prepared once, not per batch.
 */
export class DriftDetector {
  private readonly managers: ManagerClassifier;
  private readonly ignore: CompiledIgnore;
  private readonly crds: CrdIndex;
  private readonly namespaces: Map<string, KubeObject>;
  private readonly tenants: Set<string>;

  constructor(private readonly context: DriftContext) {
    this.managers = managerClassifier(context.managers);
    this.ignore = compileIgnoreRules(context.ignore);
    this.crds = indexCrds(context.crds);
    this.namespaces = namespaceIndex(context.namespaces?.desired ?? [], context.namespaces?.live ?? []);
    this.tenants = tenantNamespaces(context.namespaces?.desired ?? [], context.namespaces?.live ?? [], context.tenantNamespacePrefix);
  }

  /** Findings of one batch, as detectDrift gives them for `{ ...context, desired, live }`. */
  detect(desired: readonly KubeObject[], live: readonly KubeObject[]): DriftFinding[] {
    const input = { ...this.context, desired, live };
    // Namespaces (and tenant namespaces) the batch itself brings, beyond the prepared ones.
    const hasNamespace = (o: KubeObject) => o.kind === 'Namespace' && o.apiVersion === 'v1';
    const namespaces = desired.some(hasNamespace) || live.some(hasNamespace)
      ? namespaceIndex([...(this.context.namespaces?.desired ?? []), ...desired], [...(this.context.namespaces?.live ?? []), ...live])
      : this.namespaces;
    const batchTenants = tenantNamespaces(desired, live, this.context.tenantNamespacePrefix);
    const tenants = [...batchTenants].every((n) => this.tenants.has(n)) ? this.tenants : new Set([...this.tenants, ...batchTenants]);
    return findDrift(input, this.managers, this.ignore, this.crds, namespaces, tenants);
  }
}

/**
 * Compares desired with live objects of one cluster. Findings come in the one finding order
 * (lib/drift/order.ts); changes by path. Throws only on malformed input or ignore rules.
 */
export function detectDrift(input: DetectDriftInput): DriftFinding[] {
  const nsDesired = input.namespaces ? [...input.namespaces.desired, ...input.desired] : input.desired;
  const nsLive = input.namespaces ? [...input.namespaces.live, ...input.live] : input.live;
  const managers = managerClassifier(input.managers);
  return findDrift(input, managers, compileIgnoreRules(input.ignore), indexCrds(input.crds), namespaceIndex(nsDesired, nsLive), tenantNamespaces(nsDesired, nsLive, input.tenantNamespacePrefix));
}

function findDrift(input: DetectDriftInput, managers: ManagerClassifier, ignore: CompiledIgnore, crds: CrdIndex, namespaces: ReadonlyMap<string, KubeObject>, tenants: ReadonlySet<string>): DriftFinding[] {
  const pairs = pairObjects(input.desired, input.live, { managers, tenantNamespaces: tenants });
  const findings: DriftFinding[] = [];
  for (const p of pairs) {
    let finding: DriftFinding | undefined;
    switch (p.kind) {
      case 'matched': {
        const changes = compareObjects(p.desired, p.live, crds, managers, input.digestKey);
        if (changes.length) finding = { type: 'modified', ...ownership([p.desired, p.live], namespaces), resource: resourceOf(p.desired), changes };
        break;
      }
      case 'derived': {
        const changes = handEdits(p.live, managers, input.digestKey);
        if (!changes.length) break;
        const owner = (p.live.metadata.ownerReferences as Array<{ kind?: unknown; name?: unknown }> | undefined)?.[0];
        const createdBy = creatorOf(indexManagedFields(p.live));
        finding = {
          type: 'modified',
          ...ownership([p.live], namespaces),
          resource: resourceOf(p.live),
          changes,
          ...(createdBy ? { createdBy } : {}),
          ...(owner?.kind && owner.name ? { derivedFrom: { kind: String(owner.kind), name: String(owner.name) } } : {}),
        };
        break;
      }
      case 'missing':
        finding = { type: 'missing', ...ownership([p.desired], namespaces), resource: resourceOf(p.desired) };
        break;
      case 'orphan':
      case 'unmanaged': {
        const createdBy = creatorOf(indexManagedFields(p.live));
        finding = {
          type: p.kind === 'orphan' ? 'orphaned' : 'unmanaged',
          ...ownership([p.live], namespaces),
          resource: resourceOf(p.live),
          ...(createdBy ? { createdBy } : {}),
        };
        break;
      }
    }
    const kept = finding && ignore.apply(finding);
    if (kept) findings.push(kept);
  }
  return findings.sort(compareDriftFindings);
}
