/**
 * The desired side of one cluster: the objects under `generated/<cluster>/`. The GitOps
 * bootstrap folders (`argocd/`, `flux/`) belong to one engine each, and a cluster runs one of
 * them: only the folder of the cluster's engine is expected, so a Flux cluster does not report
 * the Argo CD objects as missing. The engine is the one fleet.ts names, else the only one whose
 * kinds the cluster serves; with both (or neither) served it is unknown and both folders are
 * optional: compared where live, never missing (optionalObjects).
 */
import type { ManifestDoc } from '../validate/findings.ts';
import type { KubeObject } from '../model/resource.ts';
import { GITOPS_ENGINES, type GitOpsEngine } from '../model/gitops-engine.ts';

export interface EngineFolder {
  readonly engine: GitOpsEngine;
  readonly objects: readonly KubeObject[];
}

export interface DesiredCluster {
  readonly objects: readonly KubeObject[];
  /** The engines' bootstrap folders present in generated/<cluster>/. */
  readonly engineFolders: readonly EngineFolder[];
}

/** The kind whose being served tells that an engine is installed. */
export const ENGINE_KIND: Readonly<Record<GitOpsEngine, { readonly group: string; readonly kind: string }>> = {
  argocd: { group: 'argoproj.io', kind: 'ApplicationSet' },
  flux: { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' },
};

const isEngineFolder = (folder: string): folder is GitOpsEngine => (GITOPS_ENGINES as readonly string[]).includes(folder);

/** `docs` read from `generated/<cluster>/` with paths relative to the repository root. */
export function desiredCluster(docs: readonly ManifestDoc[], cluster: string): DesiredCluster {
  const objects: KubeObject[] = [];
  const folders = new Map<GitOpsEngine, KubeObject[]>();
  for (const doc of docs) {
    const parts = doc.file.split('/');
    const at = parts.indexOf(cluster);
    if (at < 0) continue;
    const folder = parts[at + 1];
    if (!isEngineFolder(folder)) objects.push(doc.object);
    else if (folders.has(folder)) folders.get(folder)!.push(doc.object);
    else folders.set(folder, [doc.object]);
  }
  return { objects, engineFolders: [...folders].map(([engine, list]) => ({ engine, objects: list })) };
}

/**
 * The engine that syncs the cluster: `declared` (fleet.ts) when set, else the only engine whose
 * kind the cluster serves; undefined when it serves both or neither.
 */
export function resolveEngine(declared: GitOpsEngine | undefined, served: ReadonlyArray<{ readonly group: string; readonly kind: string }>): GitOpsEngine | undefined {
  if (declared) return declared;
  const installed = GITOPS_ENGINES.filter((e) => served.some((r) => r.group === ENGINE_KIND[e].group && r.kind === ENGINE_KIND[e].kind));
  return installed.length === 1 ? installed[0] : undefined;
}

/** generated/<cluster>/ plus the folder of the cluster's engine, if known. */
export function expectedObjects(loaded: DesiredCluster, engine: GitOpsEngine | undefined): KubeObject[] {
  const folder = engine && loaded.engineFolders.find((f) => f.engine === engine);
  return folder ? [...loaded.objects, ...folder.objects] : [...loaded.objects];
}

/**
 * With no engine known (fleet.ts names none and the cluster serves both engines' kinds, or
 * neither), every engine folder's objects: compared where they are live, never missing where not,
 * since either engine, or none, may be the one that applies this cluster.
 */
export function optionalObjects(loaded: DesiredCluster, engine: GitOpsEngine | undefined): KubeObject[] {
  return engine ? [] : loaded.engineFolders.flatMap((f) => f.objects);
}
