/**
 * The generated/ tree of a working copy, kept in step with the sources: every input problem is
 * found before anything is rendered, and everything is rendered and compared before generated/
 * is touched. With the render cache, folders that synth itself wrote from the same content key
 * and that nobody changed since (tree-state.ts) are skipped entirely, so a re-synth after one
 * tenant changed costs that tenant, not the fleet.
 *
 * Rendered folders are compared and staged as they arrive (lib/io/generated-tree.ts stageTree),
 * so memory holds one folder's files at a time, not the fleet's; generated/ is still replaced
 * whole or not at all, because nothing in it changes before every folder is rendered and staged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FileStamp, scanTree, stageTree, type TreeDiff } from '../io/generated-tree.ts';
import { clearTreeState, folderStamp, folderStamps, type FolderStamps, type FolderState, isFolderFresh, readTreeState, writeTreeState } from '../io/tree-state.ts';
import type { CompiledFleet } from '../synth/compile.ts';
import { planSynth, type RenderCache, type SynthStats, type SynthUnit } from '../synth/synthesize.ts';
import { renderUnits, type UnitFiles } from './render-pool.ts';

export const GENERATED_README = `# generated/

Written by \`tenantctl synth\` from \`tenants/*.ts\`, \`fleet.ts\` and \`tiers/\`. Do not edit: change the
sources and run \`npx tenantctl synth\`. CI fails when this tree is stale (\`tenantctl synth --check\`).

- \`<cluster>/cluster/\`: per-cluster objects (shared PostgreSQL and Redis, Traefik TLS defaults, auditor RBAC)
- \`<cluster>/tenants/<tenant>-<environment>/\`: one folder per tenant environment
- \`<cluster>/argocd/\`: AppProject and ApplicationSet for Argo CD
- \`<cluster>/flux/\`: GitRepository and Kustomizations for Flux
`;

export interface SyncGeneratedOptions {
  /** Hash of the rendering code (compile.ts codeVersion): part of every cache key. */
  readonly codeVersion: string;
  /** Only compare; leave generated/ as it is. */
  readonly check: boolean;
  /** Reuse rendered environments and skip folders known to be current; absent: render and compare everything. */
  readonly cache?: RenderCache;
  /** Rendering progress (environments rendered of those to render) and the phase after it. */
  readonly progress?: (line: string, force?: boolean) => void;
  /** Key of the inputs compiled (inputs-key.ts), recorded with the tree so the next run with the same key compiles nothing. */
  readonly inputs?: string;
  /**
   * folderStamps() of generated/ and its files' stamps (of the folders `include` takes), when the
   * caller has a scan under way: asked for only once the units are planned, so it scans on meanwhile.
   */
  readonly scan?: () => Promise<ScannedTree>;
}

/** generated/ as scanned: each folder's digest, and its files' stamps, built for the folders asked (a re-synth after one tenant changed needs a few of them). */
export interface ScannedTree {
  readonly folders: FolderStamps;
  stamps(include: (folder: string) => boolean): ReadonlyMap<string, FileStamp>;
}

export interface GeneratedSync {
  readonly stats: SynthStats;
  /** What differs between generated/ and the sources (with `check: false`: what was changed). */
  readonly diff: TreeDiff;
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Most folders rendered before the scan is joined: they are held in memory until it is. */
const EARLY_RENDER_MAX = 32;

/** Brings `<root>/generated` in step with `compiled` (or, with `check`, only says how it differs). */
export async function syncGenerated(root: string, compiled: CompiledFleet, options: SyncGeneratedOptions): Promise<GeneratedSync> {
  const units = planSynth(compiled, options.codeVersion);
  const dir = join(root, 'generated');
  const state = options.cache ? readTreeState(root) : undefined;
  // A folder rendered again reuses the text of its objects unchanged since its last render.
  const previous = (unit: SynthUnit) => {
    const was = state?.folders[unit.folder];
    return was && was.key !== unit.key ? options.cache?.get(was.key) : undefined;
  };
  // Folders whose key is not the one they were written with render whatever the scan finds: when
  // they are few (one tenant changed), they render now, while the scan finishes on its thread.
  const early = options.scan && state ? units.filter((u) => state.folders[u.folder]?.key !== u.key) : [];
  const rendered = new Map<string, UnitFiles>();
  if (early.length > 0 && early.length <= EARLY_RENDER_MAX) {
    const files = await renderUnits(early, compiled.templates, options.cache, { previous });
    early.forEach((unit, k) => rendered.set(unit.folder, files[k]));
  }

  // What is on disk, by stamps only; folders synth wrote from the same key are not even read.
  const scanned = await options.scan?.();
  const full = scanned ? undefined : scanTree(dir);
  const onDisk = scanned?.folders ?? folderStamps(full!);
  const freshFolders = new Set<string>();
  const newState: Record<string, FolderState> = {};
  const pending: typeof units = [];
  let objects = 0;
  let cached = 0;
  for (const unit of units) {
    if (isFolderFresh(state, unit.folder, unit.key, onDisk)) {
      const recorded = state!.folders[unit.folder];
      newState[unit.folder] = recorded;
      freshFolders.add(unit.folder);
      objects += recorded.objects;
      if (unit.env) cached++;
    } else pending.push(unit);
  }
  // Only files outside the fresh folders are compared, removed or stamped below.
  const stamps = full ?? scanned!.stamps((folder) => !freshFolders.has(folder));

  const added: string[] = [];
  const changed: string[] = [];
  const wanted = new Set<string>();
  const pendingFiles: string[][] = new Array(pending.length);
  const stage = options.check ? undefined : stageTree(dir, existsSync(dir) ? 'patch' : 'replace');
  const progress = options.progress;
  const take = (k: number, { files, cached: hit }: UnitFiles) => {
    objects += files.length - 1;
    if (hit && pending[k].env) cached++;
    pendingFiles[k] = files.map((f) => f.path);
    for (const f of files) {
      wanted.add(f.path);
      if (!stamps.has(f.path)) {
        added.push(f.path);
        stage?.write(f.path, f.content);
      } else if (readFileSync(join(dir, f.path), 'utf8') !== f.content) {
        changed.push(f.path);
        stage?.write(f.path, f.content);
      }
    }
  };
  try {
    const rest: number[] = [];
    pending.forEach((unit, k) => {
      const got = rendered.get(unit.folder);
      if (got) take(k, got);
      else rest.push(k);
    });
    rendered.clear();
    await renderUnits(rest.map((k) => pending[k]), compiled.templates, options.cache, {
      progress: progress && ((n, total) => progress(`rendering ${n}/${total} (${Math.floor((100 * n) / total)}%)`, n === total)),
      onUnit: (k, got) => take(rest[k], got),
      previous,
    });
  } catch (error) {
    stage?.discard();
    throw error;
  }
  progress?.(options.check ? 'comparing with generated/…' : 'writing generated/…', true);
  const folderOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  const removed = [...stamps.keys()].filter((p) => !wanted.has(p) && !freshFolders.has(folderOf(p))).sort(byPath);
  const diff: TreeDiff = { added: added.sort(byPath), changed: changed.sort(byPath), removed };
  const stats: SynthStats = { environments: compiled.environments.length, cached, objects };

  const changes = added.length + changed.length + removed.length;
  if (!stage) return { stats, diff };

  let written: ReadonlyMap<string, FileStamp> = new Map();
  if (changes > 0) {
    if (options.cache) clearTreeState(root);
    try {
      written = stage.commit(removed, GENERATED_README);
    } catch (error) {
      stage.discard();
      throw error;
    }
  } else stage.discard();
  if (options.cache) {
    pending.forEach((unit, k) => {
      const paths = pendingFiles[k];
      const files = paths.map((p) => [p.slice(unit.folder.length + 1), written.get(p) ?? stamps.get(p)!] as const);
      newState[unit.folder] = { key: unit.key, objects: paths.length - 1, files: paths.length, stamp: folderStamp(files) };
    });
    writeTreeState(root, {
      version: 3,
      inputs: options.inputs,
      counts: { environments: stats.environments, clusters: compiled.fleet.clusters.length, objects },
      folders: newState,
    });
  }
  return { stats, diff };
}

