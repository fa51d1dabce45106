/**
 * The compiler's pure core: placed tenant environments in, the complete generated/ tree out.
 *
 * Each environment renders independently, so a cache keyed by the environment's content and the
 * code version can skip unchanged tenants; per-cluster objects depend on every tenant of the
 * cluster and are always rendered (they are few).
 */
import { createHash } from 'node:crypto';
import { renderClusterBase } from '../../tiers/cluster.ts';
import { CLUSTER_BASE_FOLDER, renderArgoCd, renderFlux, TENANTS_FOLDER } from '../../tiers/gitops.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import type { CompiledFleet } from './compile.ts';
import { folderFiles, type ManifestFile } from './layout.ts';
import { renderClusterObjects, renderEnvironment } from './render.ts';

/** Rendered files of one environment, by content key. Implementations may persist them. */
export interface RenderCache {
  get(key: string): readonly ManifestFile[] | undefined;
  set(key: string, files: readonly ManifestFile[]): void;
}

export interface SynthOptions {
  /** Changes whenever templates or the compiler change; part of every cache key. */
  readonly codeVersion: string;
  readonly cache?: RenderCache;
}

export interface SynthResult {
  /** Sorted by path. */
  readonly files: readonly ManifestFile[];
  readonly stats: { readonly environments: number; readonly cached: number; readonly objects: number };
}

export function environmentFolder(env: TenantEnvironment): string {
  return `${env.cluster.name}/${TENANTS_FOLDER}/${env.tenant.name}-${env.name}`;
}

export function cacheKey(env: TenantEnvironment, codeVersion: string): string {
  return createHash('sha256').update(codeVersion).update('\0').update(JSON.stringify(env)).digest('hex');
}

export function synthesize(compiled: CompiledFleet, options: SynthOptions): SynthResult {
  const files: ManifestFile[] = [];
  let cached = 0;
  let objects = 0;
  const byCluster = new Map<string, TenantEnvironment[]>();
  for (const env of compiled.environments) {
    const list = byCluster.get(env.cluster.name) ?? [];
    list.push(env);
    byCluster.set(env.cluster.name, list);

    const key = cacheKey(env, options.codeVersion);
    let envFiles = options.cache?.get(key);
    if (envFiles) {
      cached++;
    } else {
      envFiles = folderFiles(environmentFolder(env), renderEnvironment(env, compiled.tiers), env.tenant.file, env.namespace);
      options.cache?.set(key, envFiles);
    }
    objects += envFiles.length - 1;
    files.push(...envFiles);
  }

  for (const cluster of [...compiled.fleet.clusters].sort((a, b) => a.name.localeCompare(b.name))) {
    const envs = byCluster.get(cluster.name) ?? [];
    const folders = envs.map((e) => `${e.tenant.name}-${e.name}`);
    const parts: Array<[string, ReturnType<typeof renderClusterObjects>]> = [
      [CLUSTER_BASE_FOLDER, renderClusterObjects((s) => renderClusterBase(s, cluster, compiled.fleet, envs))],
      ['argocd', renderClusterObjects((s) => renderArgoCd(s, cluster, compiled.fleet))],
      ['flux', renderClusterObjects((s) => renderFlux(s, cluster, compiled.fleet, folders))],
    ];
    for (const [folder, objs] of parts) {
      objects += objs.length;
      files.push(...folderFiles(`${cluster.name}/${folder}`, objs, 'fleet.ts'));
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, stats: { environments: compiled.environments.length, cached, objects } };
}
