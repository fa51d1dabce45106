/**
 * API discovery: which kinds a server serves, under which group/version, with which URL
 * plural and scope. Aggregated discovery (two requests, Kubernetes ≥ 1.27/1.30), else the
 * legacy walk, one request per group/version. Takes the request function, so it holds no
 * connection or cache of its own (KubeClient caches the index).
 */
import { KubeApiError } from './errors.ts';
import { mapLimit } from './map-limit.ts';

/** A kind the server serves: where its objects live. */
export interface ApiResource {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** URL path segment, e.g. `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** Served kinds by `discoveryKey(apiVersion, kind)`. */
export type DiscoveryIndex = ReadonlyMap<string, ApiResource>;

/**
 * A GET whose 2xx answer is JSON (other statuses throw KubeApiError), sent with `accept` as the
 * Accept header when given.
 */
export type GetJson = <T>(path: string, accept?: string) => Promise<T>;

const AGGREGATED_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

/** Index key of a kind: `apps/v1|Deployment`, `v1|ConfigMap`. */
export function discoveryKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

/**
 * Every kind the server serves. Asks for aggregated discovery on `/api` and `/apis`; a server
 * that answers with the legacy lists gets one request per group/version (8 at a time), and
 * group/versions that answer 404 or 503 (an aggregated API that is down) are skipped.
 * Subresources (`deployments/scale`) are left out.
 */
export async function discover(getJson: GetJson): Promise<DiscoveryIndex> {
  const index = new Map<string, ApiResource>();
  const add = (r: ApiResource) => index.set(discoveryKey(`${r.group ? `${r.group}/` : ''}${r.version}`, r.kind), r);
  const [core, groups] = await Promise.all(
    ['/api', '/apis'].map((p) => getJson<AggregatedList | LegacyVersions | LegacyGroups>(p, AGGREGATED_DISCOVERY)),
  );
  const groupVersions: Array<{ group: string; version: string; path: string }> = [];
  for (const list of [core, groups]) {
    if (list.kind === 'APIGroupDiscoveryList') {
      for (const g of list.items ?? []) {
        for (const v of g.versions ?? []) {
          for (const r of v.resources ?? []) {
            if (!r.responseKind?.kind) continue;
            add({ group: g.metadata?.name ?? '', version: v.version, kind: r.responseKind.kind, plural: r.resource, namespaced: r.scope === 'Namespaced', verbs: r.verbs ?? [] });
          }
        }
      }
    } else if (list.kind === 'APIGroupList') {
      for (const g of list.groups ?? []) for (const v of g.versions) groupVersions.push({ group: g.name, version: v.version, path: `/apis/${v.groupVersion}` });
    } else {
      for (const v of list.versions ?? []) groupVersions.push({ group: '', version: v, path: `/api/${v}` });
    }
  }
  await mapLimit(groupVersions, 8, async (gv) => {
    let list: LegacyResources;
    try {
      list = await getJson<LegacyResources>(gv.path);
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 404 || error.status === 503)) return; // an aggregated API that is down
      throw error;
    }
    for (const r of list.resources ?? []) {
      if (!r.name.includes('/')) add({ group: gv.group, version: gv.version, kind: r.kind, plural: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
  });
  return index;
}

interface AggregatedList {
  kind: 'APIGroupDiscoveryList';
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      resources?: Array<{ resource: string; responseKind?: { kind?: string }; scope?: string; verbs?: string[] }>;
    }>;
  }>;
}
interface LegacyVersions {
  kind: 'APIVersions';
  versions?: string[];
}
interface LegacyGroups {
  kind: 'APIGroupList';
  groups?: Array<{ name: string; versions: Array<{ groupVersion: string; version: string }> }>;
}
interface LegacyResources {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}
