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
import type { ClusterBasePart, Templates } from '../tier/tier.ts';
import type { CompiledFleet } from './compile.ts';
import { CLUSTER_BASE_FOLDER, folderFiles, type ManifestFile, objectFiles, TENANTS_FOLDER, withKustomization } from './layout.ts';
import { renderClusterObjects, renderEnvironment } from './render.ts';
import type { TextReuse } from './reuse-text.ts';
import { toYamlChunked } from './serialize-chunked.ts';
import type { KubeObject } from '../model/resource.ts';

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
  /** With `env`: the rendering code's version, which its files' digests are made with (reuse-text.ts); workers render with it too. */
  readonly version?: string;
  /**
   * The folder's files, its kustomization.yaml included, sorted by path. A folder rendered in
   * parts (the cluster base) takes the parts its cache holds from `cache` and puts the others there;
   * an environment's folder takes the text of objects unchanged since `previous` (the folder's
   * files as last rendered, reuse-text.ts) from there.
   */
  render(cache?: RenderCache, previous?: readonly ManifestFile[]): ManifestFile[];
}

export function environmentFolder(env: TenantEnvironment): string {
  return `${env.cluster.name}/${TENANTS_FOLDER}/${env.tenant.name}-${env.name}`;
}

/**
 * The content key of an environment's folder: the code, and the environment with the fleet it
 * carries. The fleet is the same for every environment, so it is passed in hashed once
 * (`fleetDigest`, fleetDigestOf) rather than serialized again per environment.
 */
export function cacheKey(env: TenantEnvironment, codeVersion: string, fleetDigest = fleetDigestOf(env.fleet)): string {
  const rest = JSON.stringify({ ...env, fleet: undefined });
  return createHash('sha256').update(codeVersion).update('\0').update(fleetDigest).update('\0').update(rest).digest('hex');
}

export function fleetDigestOf(fleet: TenantEnvironment['fleet']): string {
  return createHash('sha256').update(JSON.stringify(fleet)).digest('hex');
}

/**
 * Renders one environment's folder; what workers run for the cache misses, too. With `reuse`, its
 * files carry their digests, and text is reused from `reuse.previous` (reuse-text.ts).
 */
export function renderEnvironmentFolder(env: TenantEnvironment, templates: Templates, reuse?: TextReuse): ManifestFile[] {
  return folderFiles(environmentFolder(env), renderEnvironment(env, templates.tiers), env.tenant.file, env.namespace, reuse);
}

/** Whether `cluster` gets the engine's folder: the one fleet.ts names, or both when it names none. */
function runsEngine(cluster: { readonly engine?: GitOpsEngine }, engine: GitOpsEngine): boolean {
  return cluster.engine === undefined || cluster.engine === engine;
}

/** Every folder of the tree, environments first (in compiled order), then per-cluster folders by cluster. */
export function planSynth(compiled: CompiledFleet, codeVersion: string): SynthUnit[] {
  const units: SynthUnit[] = [];
  const byCluster = new Map<string, Array<{ env: TenantEnvironment; key: string }>>();
  const fleetDigest = fleetDigestOf(compiled.fleet);
  for (const env of compiled.environments) {
    const key = cacheKey(env, codeVersion, fleetDigest);
    const list = byCluster.get(env.cluster.name) ?? [];
    list.push({ env, key });
    byCluster.set(env.cluster.name, list);
    units.push({ folder: environmentFolder(env), key, env, version: codeVersion, render: (_cache, previous) => renderEnvironmentFolder(env, compiled.templates, { version: codeVersion, previous }) });
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
    // The base folder's key is that of its parts, each keyed by the inputs it reads: a tenant
    // change that none of them reads (a display name, a domain) leaves the folder as it is.
    const baseFolder = `${cluster.name}/${CLUSTER_BASE_FOLDER}`;
    const baseParts = templates.clusterBase(cluster, compiled.fleet, envs);
    const partKeys = baseParts.map((p) => clusterKey(`${CLUSTER_BASE_FOLDER}/${p.name}`, [JSON.stringify(p.inputs) ?? 'undefined']));
    units.push({ folder: baseFolder, key: clusterKey(CLUSTER_BASE_FOLDER, partKeys), render: (cache) => renderInParts(baseFolder, baseParts, partKeys, cache, codeVersion) });

    type Part = [string, readonly string[], () => ReturnType<typeof renderClusterObjects>];
    const parts: Part[] = [
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

/**
 * A folder rendered part by part: each part's files from `cache` under its key when there, else
 * rendered (and put there); then the kustomization.yaml over all of them. Byte-identical to
 * rendering the parts' objects as one folder: each object's file depends on that object alone.
 */
function renderInParts(folder: string, parts: readonly ClusterBasePart[], keys: readonly string[], cache: RenderCache | undefined, codeVersion: string): ManifestFile[] {
  // A long list in an object (the shared PostgreSQL's roles) is serialized in cached chunks.
  const serialize = (obj: KubeObject, source: string) => toYamlChunked(obj, source, cache, codeVersion);
  const files = parts.flatMap((part, i) => {
    const hit = cache?.get(keys[i]);
    if (hit) return hit;
    const rendered = objectFiles(folder, renderClusterObjects((s) => part.render(s, part.inputs)), undefined, 'fleet.ts', serialize);
    cache?.set(keys[i], rendered);
    return rendered;
  });
  return withKustomization(folder, files, 'fleet.ts');
}

/** The files of `unit`, from the cache when it has them; counts a cache hit of an environment. */
export function unitFiles(unit: SynthUnit, cache: RenderCache | undefined): { files: readonly ManifestFile[]; cached: boolean } {
  const hit = cache?.get(unit.key);
  if (hit) return { files: hit, cached: true };
  const files = unit.render(cache);
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
