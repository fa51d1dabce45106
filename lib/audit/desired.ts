/**
 * The desired side of one cluster: the objects under `generated/<cluster>/`. The GitOps
 * bootstrap folders (`argocd/`, `flux/`) are both generated, but a cluster runs one of the two:
 * each is expected only on a cluster that serves its kinds, so a Flux cluster does not report
 * the Argo CD objects as missing.
 */
import type { ManifestDoc } from '../validate/findings.ts';
import type { KubeObject } from '../model/resource.ts';

export interface OptionalFolder {
  /** Expected only when the cluster serves this kind. */
  readonly requires: { readonly group: string; readonly kind: string };
  readonly objects: readonly KubeObject[];
}

export interface DesiredCluster {
  readonly objects: readonly KubeObject[];
  readonly optional: readonly OptionalFolder[];
}

const GITOPS_FOLDERS: Readonly<Record<string, OptionalFolder['requires']>> = {
  argocd: { group: 'argoproj.io', kind: 'ApplicationSet' },
  flux: { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' },
};

/** `docs` read from `generated/<cluster>/` with paths relative to the repository root. */
export function desiredCluster(docs: readonly ManifestDoc[], cluster: string): DesiredCluster {
  const objects: KubeObject[] = [];
  const optional = new Map<string, KubeObject[]>();
  for (const doc of docs) {
    const parts = doc.file.split('/');
    const at = parts.indexOf(cluster);
    if (at < 0) continue;
    const folder = parts[at + 1];
    if (!(folder in GITOPS_FOLDERS)) objects.push(doc.object);
    else if (optional.has(folder)) optional.get(folder)!.push(doc.object);
    else optional.set(folder, [doc.object]);
  }
  return { objects, optional: [...optional].map(([folder, list]) => ({ requires: GITOPS_FOLDERS[folder], objects: list })) };
}
