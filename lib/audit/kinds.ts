/**
 * Which kinds the auditor lists on a cluster, at which served version, and how.
 *
 * Two needs, one listing per kind:
 * - every kind in generated/ is listed with the selector `app.kubernetes.io/managed-by=tenantctl`,
 *   which finds ours (to compare) and orphans (ours, no longer in Git) anywhere on the cluster;
 *   a desired object that list did not hold is then looked up by name (its label may be what
 *   a person removed);
 * - every other namespaced kind the cluster serves and lets us list (discovery, not a fixed list:
 *   an ExternalSecret, a Certificate, a Velero Restore, a CNPG Pooler made by hand in a tenant
 *   namespace moves data, secrets or traffic just as a Service does) is listed without a selector,
 *   keeping only objects in tenant namespaces or with our label, to find `unmanaged` objects.
 *   Kinds that are only ever the system's or a controller's bookkeeping (NOISE_KINDS) are skipped
 *   to bound the cost; Secrets are listed per tenant namespace only (the auditor's role reads
 *   Secrets nowhere else).
 * A kind in both groups is listed once, without the selector. Pure: the served kinds come in.
 */
import { groupOf, type KubeObject } from '../model/resource.ts';
import { isClusterObject } from '../drift/pair.ts';
import type { ApiResource } from '../live/discovery.ts';
import type { DesiredSegment } from './desired.ts';

/** The desired objects of a listing: counted up front, produced when the kind is compared. */
export interface DesiredObjects {
  readonly count: number;
  /** Digest of the objects (their segments' digests), when every segment has one. */
  readonly digest?: string;
  /** The objects (any API version), from their segments: the caller lets them go once compared. */
  load(): readonly KubeObject[];
}

/** A kind to list: `selector` set for selected lists, unset to list everything and filter. */
export interface KindListing {
  readonly apiVersion: string;
  readonly group: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Label selector for the list; absent = list all and keep tenant-namespace or labelled objects. */
  readonly selector?: string;
  /** List in these namespaces only, one listing each; absent = across the cluster. */
  readonly inNamespaces?: readonly string[];
  /**
   * Listed only to find hand-made objects (nothing of it is in generated/): when the server
   * refuses the list (the auditor's role does not cover the kind), the kind is skipped and named
   * in the report instead of failing the audit.
   */
  readonly scanOnly?: boolean;
  /** The desired objects of this kind, loaded only when the kind is compared. */
  readonly desired: DesiredObjects;
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
 * Namespaced kinds never scanned for hand-made objects: written only by the control plane or by
 * controllers as children of other objects (events, leases, endpoints, revisions, metrics,
 * certificate orders), numerous, and never anyone's configuration. Everything else served,
 * namespaced and listable is scanned.
 */
export const NOISE_KINDS: ReadonlyArray<{ readonly group: string; readonly kind: string }> = [
  { group: '', kind: 'Event' },
  { group: 'events.k8s.io', kind: 'Event' },
  { group: 'coordination.k8s.io', kind: 'Lease' },
  { group: '', kind: 'Endpoints' },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice' },
  { group: 'apps', kind: 'ControllerRevision' },
  { group: 'metrics.k8s.io', kind: 'PodMetrics' },
  { group: 'cert-manager.io', kind: 'CertificateRequest' },
  { group: 'acme.cert-manager.io', kind: 'Order' },
  { group: 'acme.cert-manager.io', kind: 'Challenge' },
  { group: 'cilium.io', kind: 'CiliumEndpoint' },
  { group: 'wgpolicyk8s.io', kind: 'PolicyReport' },
];

const typeKey = (group: string, kind: string) => `${group}/${kind}`;
const NOISE = new Set(NOISE_KINDS.map((k) => typeKey(k.group, k.kind)));
const SECRET = typeKey('', 'Secret');

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

/** Namespaced, listable kinds the server serves, minus noise: what is scanned for hand-made objects. */
export function scannedKinds(served: readonly ApiResource[]): Array<{ group: string; kind: string }> {
  const out = new Map<string, { group: string; kind: string }>();
  for (const r of served) {
    const k = typeKey(r.group, r.kind);
    if (r.namespaced && r.verbs.includes('list') && !NOISE.has(k) && !out.has(k)) out.set(k, { group: r.group, kind: r.kind });
  }
  return [...out.values()];
}

/**
 * @param tenantNamespaces where Secrets are listed (they are listed nowhere else).
 */
export function planListings(desired: readonly DesiredSegment[], served: readonly ApiResource[], tenantNamespaces: Iterable<string> = []): ListingPlan {
  const byType = new Map<string, DesiredSegment[]>();
  for (const segment of desired) {
    if (segment.count === 0 || !isClusterObject({ apiVersion: segment.apiVersion, kind: segment.kind, metadata: { name: '' } })) continue;
    const k = typeKey(groupOf(segment.apiVersion), segment.kind);
    const list = byType.get(k);
    if (list) list.push(segment);
    else byType.set(k, [segment]);
  }
  const scanned = scannedKinds(served);
  const scannedKeys = new Set(scanned.map((s) => typeKey(s.group, s.kind)));
  const types = new Map<string, { group: string; kind: string; version?: string }>();
  for (const [k, segments] of byType) types.set(k, { group: groupOf(segments[0].apiVersion), kind: segments[0].kind, version: segments[0].apiVersion.split('/').pop() });
  for (const s of scanned) if (!types.has(typeKey(s.group, s.kind))) types.set(typeKey(s.group, s.kind), s);
  const secretNamespaces = [...new Set(tenantNamespaces)].sort();

  const kinds: KindListing[] = [];
  const unserved: KindListing[] = [];
  let namespaces: KindListing | undefined;
  for (const [k, t] of [...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const segments = byType.get(k) ?? [];
    const objects = desiredObjects(segments);
    const resource = servedVersion(served, t.group, t.kind, t.version);
    if (!resource) {
      if (objects.count) unserved.push({ apiVersion: segments[0].apiVersion, group: t.group, kind: t.kind, namespaced: true, desired: objects });
      continue;
    }
    if (k === SECRET && objects.count === 0 && secretNamespaces.length === 0) continue;
    const listing: KindListing = {
      apiVersion: apiVersionOf(resource),
      group: t.group,
      kind: t.kind,
      namespaced: resource.namespaced,
      // Namespaces are listed whole: they are few, and tenant namespaces made by hand count too.
      ...(resource.namespaced && scannedKeys.has(k)) || k === '/Namespace' ? {} : { selector: MANAGED_SELECTOR },
      ...(k === SECRET && objects.count === 0 ? { inNamespaces: secretNamespaces } : {}),
      ...(objects.count === 0 ? { scanOnly: true } : {}),
      desired: objects,
    };
    if (k === '/Namespace') namespaces = listing;
    else kinds.push(listing);
  }
  namespaces ??= { apiVersion: 'v1', group: '', kind: 'Namespace', namespaced: false, desired: NO_OBJECTS };
  return { namespaces, kinds, unserved };
}

export const NO_OBJECTS: DesiredObjects = { count: 0, load: () => [] };

function desiredObjects(segments: readonly DesiredSegment[]): DesiredObjects {
  if (segments.length === 0) return NO_OBJECTS;
  const digests = segments.map((s) => s.digest);
  const digest = digests.every((d): d is string => !!d) ? digests.join(' ') : undefined;
  if (segments.length === 1) return { count: segments[0].count, ...(digest ? { digest } : {}), load: () => segments[0].objects() };
  return { count: segments.reduce((n, s) => n + s.count, 0), ...(digest ? { digest } : {}), load: () => segments.flatMap((s) => s.objects()) };
}
