/**
 * Pairing desired with live objects by identity (group, kind, namespace, name; the API version is
 * not part of it), and sorting out the live objects nobody desires:
 *
 * - `orphan`: labelled `app.kubernetes.io/managed-by: tenantctl` but not in generated/;
 * - `unmanaged`: in a tenant namespace, not ours, and not made by the system or a controller;
 * - anything else (other namespaces, system and controller-made objects) is left alone.
 *
 * A desired object without a namespace whose kind is namespaced on the cluster pairs with the
 * one live object of that kind and name, as gitops-engine does when the scope is unknown.
 */
import { keyOf, LABELS, MANAGED_BY, uniqueKey, type KubeObject } from '../model/resource.ts';
import { creatorOf, type ManagerClassifier } from './attribution.ts';
import { indexManagedFields } from './managed-fields.ts';

export type Pairing =
  | { readonly kind: 'matched'; readonly desired: KubeObject; readonly live: KubeObject }
  | { readonly kind: 'missing'; readonly desired: KubeObject }
  | { readonly kind: 'orphan'; readonly live: KubeObject }
  | { readonly kind: 'unmanaged'; readonly live: KubeObject }
  | { readonly kind: 'derived'; readonly live: KubeObject };

export interface PairOptions {
  readonly managers: ManagerClassifier;
  /** @default 'tenant-' */
  readonly tenantNamespacePrefix?: string;
  /** Tenant namespaces, when known beyond desired and live (see DetectDriftInput.namespaces). */
  readonly tenantNamespaces?: ReadonlySet<string>;
}

/** Kinds that are never anyone's configuration. */
const SYSTEM_KINDS = new Set(['/Event', 'events.k8s.io/Event', 'coordination.k8s.io/Lease', '/Endpoints',
  'discovery.k8s.io/EndpointSlice', 'apps/ControllerRevision', 'metrics.k8s.io/PodMetrics']);

/** Objects the control plane puts in every namespace. */
const SYSTEM_OBJECTS = new Set(['/ConfigMap/kube-root-ca.crt', '/ServiceAccount/default', '/ConfigMap/openshift-service-ca.crt']);

export function isManagedByUs(obj: KubeObject): boolean {
  return obj.metadata.labels?.[LABELS.managedBy] === MANAGED_BY;
}

/**
 * Made by the system or a controller: system kinds and objects, objects with ownerReferences
 * (ReplicaSets, Pods, Secrets of ExternalSecrets, CNPG services...), and objects whose creator
 * (oldest managedFields entry) is a controller other than a GitOps applier (cert-manager's TLS
 * Secrets carry no ownerReference by default).
 */
/** Events, leases, endpoints and the objects the control plane puts in every namespace. */
function isSystemObject(obj: KubeObject): boolean {
  const key = keyOf(obj);
  if (SYSTEM_KINDS.has(`${key.group}/${key.kind}`)) return true;
  if (SYSTEM_OBJECTS.has(`${key.group}/${key.kind}/${key.name}`)) return true;
  return key.kind === 'Service' && key.name === 'kubernetes' && key.namespace === 'default';
}

export function isControllerMade(obj: KubeObject, managers: ManagerClassifier): boolean {
  if (isSystemObject(obj)) return true;
  const owners = obj.metadata.ownerReferences;
  if (Array.isArray(owners) && owners.length > 0) return true;
  const creator = creatorOf(indexManagedFields(obj));
  return !!creator && managers.classify(creator.manager) === 'controller' && !managers.isApplier(creator.manager);
}

/** Namespaces of tenants: labelled `tenantctl.io/tenant` (desired or live), or named with the prefix. */
export function tenantNamespaces(desired: readonly KubeObject[], live: readonly KubeObject[], prefix = 'tenant-'): Set<string> {
  const names = new Set<string>();
  for (const o of [...desired, ...live]) {
    if (o.kind !== 'Namespace' || o.apiVersion !== 'v1') continue;
    if (o.metadata.labels?.[LABELS.tenant] || o.metadata.name.startsWith(prefix)) names.add(o.metadata.name);
  }
  for (const o of [...desired, ...live]) {
    const ns = o.metadata.namespace;
    if (ns && ns.startsWith(prefix)) names.add(ns);
  }
  return names;
}

/** Live objects deduplicated by identity (a kind listed under two API versions comes once). */
function liveIndex(live: readonly KubeObject[]): Map<string, KubeObject> {
  const byKey = new Map<string, KubeObject>();
  for (const o of live) {
    const k = uniqueKey(keyOf(o));
    if (!byKey.has(k)) byKey.set(k, o);
  }
  return byKey;
}

/** Build-time documents that never reach a cluster (kustomization.yaml). */
export function isClusterObject(obj: KubeObject): boolean {
  const group = keyOf(obj).group;
  return group !== 'kustomize.config.k8s.io' && group !== 'config.kubernetes.io';
}

export function pairObjects(desired: readonly KubeObject[], live: readonly KubeObject[], options: PairOptions): Pairing[] {
  const byKey = liveIndex(live);
  const used = new Set<string>();
  const out: Pairing[] = [];
  for (const d of desired.filter(isClusterObject)) {
    const key = keyOf(d);
    let k = uniqueKey(key);
    if (!byKey.has(k) && !key.namespace) {
      const candidates = [...byKey.entries()].filter(([, o]) => {
        const lk = keyOf(o);
        return lk.group === key.group && lk.kind === key.kind && lk.name === key.name && lk.namespace;
      });
      if (candidates.length === 1) k = candidates[0][0];
    }
    const l = byKey.get(k);
    if (l && !used.has(k)) {
      used.add(k);
      out.push({ kind: 'matched', desired: d, live: l });
    } else {
      out.push({ kind: 'missing', desired: d });
    }
  }
  const tenants = options.tenantNamespaces ?? tenantNamespaces(desired, live, options.tenantNamespacePrefix);
  for (const [k, l] of byKey) {
    if (used.has(k)) continue;
    const inTenant = !!l.metadata.namespace && tenants.has(l.metadata.namespace);
    if (isControllerMade(l, options.managers)) {
      if (inTenant && !isManagedByUs(l) && !isSystemObject(l)) out.push({ kind: 'derived', live: l });
      continue;
    }
    if (isManagedByUs(l)) out.push({ kind: 'orphan', live: l });
    else if (l.metadata.namespace && tenants.has(l.metadata.namespace)) out.push({ kind: 'unmanaged', live: l });
  }
  return out;
}
