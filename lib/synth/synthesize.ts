/**
 * The compiler's pure core: placed tenant environments in, the complete generated/ tree out.
 *
 * The tree is a set of folders (units), each rendered independently and named by a content key
 * (code version + everything the folder is rendered from). Equal keys render equal files, so a
 * cache can skip unchanged tenants, and the synth command can skip folders it already wrote.
 * Per-cluster folders are units too: their keys cover the cluster, the fleet and the keys of the
 * cluster's environments, so they render again only when one of those changed.
 */
import { createHash } from 'node:crypto';
import type { TenantEnvironment } from '../model/environment.ts';
import type { GitOpsEngine } from '../model/gitops-engine.ts';
import type { Templates } from '../tier/tier.ts';
import type { CompiledFleet } from './compile.ts';
import { CLUSTER_BASE_FOLDER, folderFiles, type ManifestFile, TENANTS_FOLDER } from './layout.ts';
import { renderClusterObjects, renderEnvironment } from './render.ts';

/** Rendered files of one folder, by content key. Implementations may persist them. */
export interface RenderCache {
  get(key: string): readonly ManifestFile[] | undefined;
  set(key: string, files: readonly ManifestFile[]): void;
}

export interface SynthOptions {
  /** Changes whenever templates or the compiler change; part of every cache key. */
  readonly codeVersion: string;
  readonly cache?: RenderCache;
}

export interface SynthStats {
  readonly environments: number;
  /** Environments whose files came from the cache. */
  readonly cached: number;
  readonly objects: number;
}

export interface SynthResult {
  /** Sorted by path. */
  readonly files: readonly ManifestFile[];
  readonly stats: SynthStats;
}

/** One folder of generated/ and how to render it. */
export interface SynthUnit {
  /** Relative to generated/, e.g. `eu-west-1/tenants/acme-production` or `eu-west-1/flux`. */
  readonly folder: string;
  /** Content key: units with equal keys render byte-identical files. */
  readonly key: string;
  /** The environment rendered into the folder; absent for per-cluster folders. */
  readonly env?: TenantEnvironment;
  /** The folder's files, its kustomization.yaml included, sorted by path. */
  render(): ManifestFile[];
}

export function environmentFolder(env: TenantEnvironment): string {
  return `${env.cluster.name}/${TENANTS_FOLDER}/${env.tenant.name}-${env.name}`;
}

export function cacheKey(env: TenantEnvironment, codeVersion: string): string {
  return createHash('sha256').update(codeVersion).update('\0').update(JSON.stringify(env)).digest('hex');
}

/** Renders one environment's folder; what workers run for the cache misses, too. */
export function renderEnvironmentFolder(env: TenantEnvironment, templates: Templates): ManifestFile[] {
  return folderFiles(environmentFolder(env), renderEnvironment(env, templates.tiers), env.tenant.file, env.namespace);
}

/** Whether `cluster` gets the engine's folder: the one fleet.ts names, or both when it names none. */
function runsEngine(cluster: { readonly engine?: GitOpsEngine }, engine: GitOpsEngine): boolean {
  return cluster.engine === undefined || cluster.engine === engine;
}

/** Every folder of the tree, environments first (in compiled order), then per-cluster folders by cluster. */
export function planSynth(compiled: CompiledFleet, codeVersion: string): SynthUnit[] {
  const units: SynthUnit[] = [];
  const byCluster = new Map<string, Array<{ env: TenantEnvironment; key: string }>>();
  for (const env of compiled.environments) {
    const key = cacheKey(env, codeVersion);
    const list = byCluster.get(env.cluster.name) ?? [];
    list.push({ env, key });
    byCluster.set(env.cluster.name, list);
    units.push({ folder: environmentFolder(env), key, env, render: () => renderEnvironmentFolder(env, compiled.templates) });
  }

  const fleetJson = JSON.stringify(compiled.fleet);
  const { templates } = compiled;
  for (const cluster of [...compiled.fleet.clusters].sort((a, b) => a.name.localeCompare(b.name))) {
    const entries = byCluster.get(cluster.name) ?? [];
    const envs = entries.map((e) => e.env);
    const folders = envs.map((e) => `${e.tenant.name}-${e.name}`);
    const clusterKey = (part: string, inputs: readonly string[]) => {
      const h = createHash('sha256').update(codeVersion).update('\0').update(part).update('\0').update(JSON.stringify(cluster)).update('\0').update(fleetJson);
      for (const input of inputs) h.update('\0').update(input);
      return h.digest('hex');
    };
    type Part = [string, readonly string[], () => ReturnType<typeof renderClusterObjects>];
    const parts: Part[] = [
      [CLUSTER_BASE_FOLDER, entries.map((e) => e.key), () => renderClusterObjects((s) => templates.clusterBase(s, cluster, compiled.fleet, envs))],
      ...(runsEngine(cluster, 'argocd') ? [['argocd', [], () => renderClusterObjects((s) => templates.argoCd(s, cluster, compiled.fleet))] satisfies Part] : []),
      ...(runsEngine(cluster, 'flux') ? [['flux', folders, () => renderClusterObjects((s) => templates.flux(s, cluster, compiled.fleet, folders))] satisfies Part] : []),
    ];
    for (const [part, inputs, objects] of parts) {
      const folder = `${cluster.name}/${part}`;
      units.push({ folder, key: clusterKey(part, inputs), render: () => folderFiles(folder, objects(), 'fleet.ts') });
    }
  }
  return units;
}

/** The files of `unit`, from the cache when it has them; counts a cache hit of an environment. */
export function unitFiles(unit: SynthUnit, cache: RenderCache | undefined): { files: readonly ManifestFile[]; cached: boolean } {
  const hit = cache?.get(unit.key);
  if (hit) return { files: hit, cached: true };
  const files = unit.render();
  cache?.set(unit.key, files);
  return { files, cached: false };
}

export function synthesize(compiled: CompiledFleet, options: SynthOptions): SynthResult {
  const files: ManifestFile[] = [];
  let cached = 0;
  let objects = 0;
  for (const unit of planSynth(compiled, options.codeVersion)) {
    const got = unitFiles(unit, options.cache);
    if (got.cached && unit.env) cached++;
    objects += got.files.length - 1;
    files.push(...got.files);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, stats: { environments: compiled.environments.length, cached, objects } };
}
