/**
 * Where each object goes under generated/:
 *
 *   <cluster>/cluster/                 per-cluster base (shared data plane, TLS, auditor RBAC)
 *   <cluster>/tenants/<tenant>-<env>/  one folder per tenant environment
 *   <cluster>/argocd/                  AppProject + ApplicationSet over the folders above (Argo CD clusters)
 *   <cluster>/flux/                    GitRepository + one Kustomization per folder (Flux clusters;
 *                                      a cluster whose engine fleet.ts does not name gets both)
 *
 * Every folder has a kustomization.yaml listing its files, so Flux, Argo CD and `kubectl -k`
 * read the same set; file names are `<kind>-<name>.yaml`, stable across runs.
 */
import type { KubeObject } from '../model/resource.ts';
import { formatKey, keyOf } from '../model/resource.ts';
import { previousByPath, reusedFile, type TextReuse } from './reuse-text.ts';
import { toYaml } from './serialize.ts';

/** Folder names under generated/<cluster>/ that hold workloads (not the GitOps objects themselves). */
export const CLUSTER_BASE_FOLDER = 'cluster';
export const TENANTS_FOLDER = 'tenants';

export interface ManifestFile {
  /** Path relative to generated/, with forward slashes. */
  readonly path: string;
  readonly content: string;
  /** What the content was serialized from (reuse-text.ts objectDigest); set by renders that reuse text. */
  readonly digest?: string;
}

/**
 * `<kind>-<name>.yaml` for objects in the folder's own namespace (and cluster-scoped ones);
 * `<kind>-<namespace>-<name>.yaml` for objects that live elsewhere, so names never collide.
 */
export function fileNameOf(obj: KubeObject, folderNamespace?: string): string {
  const ns = obj.metadata.namespace;
  const where = ns && ns !== folderNamespace ? `${ns}-` : '';
  return `${obj.kind.toLowerCase()}-${where}${obj.metadata.name}.yaml`;
}

/**
 * Lays out one folder: a file per object plus its kustomization.yaml. With `reuse`, each file
 * records its digest, and text of the folder's previous render is reused where it matches.
 */
export function folderFiles(folder: string, objects: readonly KubeObject[], source: string, folderNamespace?: string, reuse?: TextReuse): ManifestFile[] {
  const previous = previousByPath(reuse);
  return withKustomization(folder, objectFiles(folder, objects, folderNamespace, source, toYaml, reuse, previous), source, reuse, previous);
}

/** A file per object of `folder` (no kustomization.yaml): one part of a folder rendered in parts. */
export function objectFiles(
  folder: string,
  objects: readonly KubeObject[],
  folderNamespace: string | undefined,
  source: string,
  serialize: (obj: KubeObject, source: string) => string = toYaml,
  reuse?: TextReuse,
  previous: ReadonlyMap<string, ManifestFile> = previousByPath(reuse),
): ManifestFile[] {
  const files: ManifestFile[] = [];
  const seen = new Map<string, KubeObject>();
  for (const obj of objects) {
    const name = fileNameOf(obj, folderNamespace);
    const clash = seen.get(name);
    if (clash) {
      throw new Error(`internal error: ${formatKey(keyOf(obj))} and ${formatKey(keyOf(clash))} both map to ${folder}/${name}; rename one of them in the tier template`);
    }
    seen.set(name, obj);
    const path = `${folder}/${name}`;
    files.push(reusedFile(reuse, previous, path, obj, source, () => serialize(obj, source)));
  }
  return files;
}

/** The folder's object files, sorted by path, with the kustomization.yaml that lists them. */
export function withKustomization(folder: string, files: readonly ManifestFile[], source: string, reuse?: TextReuse, previous: ReadonlyMap<string, ManifestFile> = previousByPath(reuse)): ManifestFile[] {
  const names = files.map((f) => f.path.slice(folder.length + 1));
  const resources = [...names].sort();
  for (let i = 1; i < resources.length; i++) {
    if (resources[i] === resources[i - 1]) throw new Error(`internal error: two objects map to ${folder}/${resources[i]}; rename one of them in the tier template`);
  }
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  const path = `${folder}/kustomization.yaml`;
  const all = [...files, reusedFile(reuse, previous, path, kustomization, source, () => toYaml(kustomization, source))];
  return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
