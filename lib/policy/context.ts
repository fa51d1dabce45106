/**
 * Builds policy contexts from manifests read from generated/: one per cluster, the cluster taken
 * from the `tenantctl.io/cluster` label or the `generated/<cluster>/...` path of the file.
 */
import type { TenantEnvironment } from '../model/environment.ts';
import { LABELS, type KubeObject } from '../model/resource.ts';
import type { Fleet } from '../fleet/schema.ts';
import type { ManifestDoc } from '../validate/findings.ts';
import type { ClusterInfo, PolicyContext, PolicyTiers } from './types.ts';

export interface ContextsFromDocsOptions {
  readonly clusters: readonly ClusterInfo[];
  readonly environments?: readonly TenantEnvironment[];
  readonly fleet?: Fleet;
  readonly tiers?: PolicyTiers;
  readonly source?: PolicyContext['source'];
}

export function clusterOfDoc(doc: ManifestDoc, names: ReadonlySet<string>): string | undefined {
  const label = doc.object.metadata?.labels?.[LABELS.cluster];
  if (label && names.has(label)) return label;
  return doc.file.split('/').find((segment) => names.has(segment));
}

/** One context per cluster that has documents; documents of no known cluster are returned apart. */
export function contextsFromDocs(docs: readonly ManifestDoc[], options: ContextsFromDocsOptions): { contexts: PolicyContext[]; unassigned: ManifestDoc[] } {
  const names = new Set(options.clusters.map((c) => c.name));
  const grouped = new Map<string, ManifestDoc[]>();
  const unassigned: ManifestDoc[] = [];
  for (const doc of docs) {
    const cluster = clusterOfDoc(doc, names);
    if (!cluster) {
      unassigned.push(doc);
      continue;
    }
    const list = grouped.get(cluster);
    if (list) list.push(doc);
    else grouped.set(cluster, [doc]);
  }
  const contexts = options.clusters
    .filter((c) => grouped.has(c.name))
    .map((cluster): PolicyContext => {
      const clusterDocs = grouped.get(cluster.name)!;
      const files = new Map<KubeObject, string>(clusterDocs.map((d) => [d.object, d.file]));
      return { cluster, objects: clusterDocs.map((d) => d.object), files, environments: options.environments, fleet: options.fleet, tiers: options.tiers, source: options.source };
    });
  return { contexts, unassigned };
}
