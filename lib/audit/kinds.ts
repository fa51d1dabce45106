/**
 * Which kinds the auditor lists on a cluster, at which served version, and how.
 *
 * Two needs, one request per kind:
 * - every kind in generated/ is listed with the selector `app.kubernetes.io/managed-by=tenantctl`,
 *   which finds ours (to compare) and orphans (ours, no longer in Git) anywhere on the cluster;
 * - the kinds people make by hand in a tenant namespace (a debug Pod, a LoadBalancer Service, an
 *   extra Secret, a hand-made IngressRoute) are listed without a selector, keeping only objects in
 *   tenant namespaces or with our label, to find `unmanaged` objects.
 * A kind in both groups is listed once, without the selector. Pure: the served kinds come in.
 */
import { groupOf, type KubeObject } from '../model/resource.ts';
import { isClusterObject } from '../drift/pair.ts';
import type { ApiResource } from '../live/discovery.ts';

/** A kind to list: `selector` set for selected lists, unset to list everything and filter. */
export interface KindListing {
  readonly apiVersion: string;
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Label selector for the list; absent = list all and keep tenant-namespace or labelled objects. */
  readonly selector?: string;
  /**
   * The desired objects of this kind (any API version). Not readonly: the auditor drops them once
   * the kind is compared, so a large fleet's desired state is not held to the end.
   */
  desired: readonly KubeObject[];
}

export interface ListingPlan {
  /** Namespaces first: their labels tell tenants and environments apart for every other kind. */
  readonly namespaces: KindListing;
  readonly kinds: readonly KindListing[];
  /** Desired kinds the cluster does not serve (a CRD not installed): all their objects are missing. */
  readonly unserved: readonly KindListing[];
}

export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=tenantctl';

/**
 * Namespaced kinds scanned whole for unmanaged objects, besides every namespaced kind we generate.
 * Controller-made objects (Pods of ReplicaSets, Jobs of CronJobs, Secrets of ExternalSecrets...)
 * are recognised later by their ownerReferences and creators, so listing them costs only time.
 */
export const SCANNED_KINDS: ReadonlyArray<{ readonly group: string; readonly kind: string }> = [
  { group: '', kind: 'Pod' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'Secret' },
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'ServiceAccount' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'apps', kind: 'DaemonSet' },
  { group: 'batch', kind: 'Job' },
  { group: 'batch', kind: 'CronJob' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
  { group: 'traefik.io', kind: 'IngressRoute' },
  { group: 'traefik.io', kind: 'Middleware' },
];

const typeKey = (group: string, kind: string) => `${group}/${kind}`;

/**
 * The served version of a kind: the one generated/ uses when the server serves it, else the
 * first version discovery lists (the server's preferred one).
 */
function servedVersion(served: readonly ApiResource[], group: string, kind: string, wanted?: string): ApiResource | undefined {
  const versions = served.filter((r) => r.group === group && r.kind === kind && r.verbs.includes('list'));
  return versions.find((r) => r.version === wanted) ?? versions[0];
}

function apiVersionOf(r: Pick<ApiResource, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function planListings(desired: readonly KubeObject[], served: readonly ApiResource[]): ListingPlan {
  const byType = new Map<string, KubeObject[]>();
  for (const o of desired.filter(isClusterObject)) {
    const k = typeKey(groupOf(o.apiVersion), o.kind);
    const list = byType.get(k);
    if (list) list.push(o);
    else byType.set(k, [o]);
  }
  const scanned = new Set(SCANNED_KINDS.map((s) => typeKey(s.group, s.kind)));
  const types = new Map<string, { group: string; kind: string; version?: string }>();
  for (const [k, objects] of byType) types.set(k, { group: groupOf(objects[0].apiVersion), kind: objects[0].kind, version: objects[0].apiVersion.split('/').pop() });
  for (const s of SCANNED_KINDS) if (!types.has(typeKey(s.group, s.kind))) types.set(typeKey(s.group, s.kind), s);

  const kinds: KindListing[] = [];
  const unserved: KindListing[] = [];
  let namespaces: KindListing | undefined;
  for (const [k, t] of [...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const objects = byType.get(k) ?? [];
    const resource = servedVersion(served, t.group, t.kind, t.version);
    if (!resource) {
      if (objects.length) unserved.push({ apiVersion: objects[0].apiVersion, group: t.group, kind: t.kind, namespaced: true, desired: objects });
      continue;
    }
    const listing: KindListing = {
      apiVersion: apiVersionOf(resource),
      group: t.group,
      kind: t.kind,
      namespaced: resource.namespaced,
      // Namespaces are listed whole: they are few, and tenant namespaces made by hand count too.
      ...(resource.namespaced && scanned.has(k)) || k === '/Namespace' ? {} : { selector: MANAGED_SELECTOR },
      desired: objects,
    };
    if (k === '/Namespace') namespaces = listing;
    else kinds.push(listing);
  }
  namespaces ??= { apiVersion: 'v1', group: '', kind: 'Namespace', namespaced: false, desired: [] };
  return { namespaces, kinds, unserved };
}
