/**
 * The one identity and shape of a Kubernetes object used everywhere in tenantctl:
 * synthesis, validation, policies, the drift engine and reports all speak `Kind/namespace/name`.
 */

/** A plain manifest: what cdk8s produces, what lives in generated/, what the API server returns. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface ResourceKey {
  /** API group without version; '' for the core group. */
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * An object as findings and reports name it: its identity (ResourceKey) with the apiVersion kept,
 * since reports and kubectl commands quote it. Policy, drift, audit and evidence findings all carry this.
 */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Labels every tenantctl object carries, so Argo CD, Flux and the auditor can find them. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  tenant: 'tenantctl.io/tenant',
  environment: 'tenantctl.io/environment',
  tier: 'tenantctl.io/tier',
  cluster: 'tenantctl.io/cluster',
} as const;

export const MANAGED_BY = 'tenantctl';

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function keyOf(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): ResourceKey {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata.namespace || undefined,
    name: obj.metadata.name,
  };
}

/** The identity of a finding's object, to look it up among objects keyed by `uniqueKey(keyOf(o))`. */
export function keyOfRef(ref: ResourceRef): ResourceKey {
  return { group: groupOf(ref.apiVersion), kind: ref.kind, namespace: ref.namespace || undefined, name: ref.name };
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects: how every message and report names an object. */
export function formatKey(key: Pick<ResourceKey, 'kind' | 'namespace' | 'name'>): string {
  return key.namespace ? `${key.kind}/${key.namespace}/${key.name}` : `${key.kind}/${key.name}`;
}

/** A key unique across API groups (two groups may both define `Cluster`), for maps and pairing. */
export function uniqueKey(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.namespace ?? ''}/${key.name}`;
}
