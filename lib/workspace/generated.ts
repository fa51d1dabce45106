/**
 * The generated/ tree of a working copy, kept in step with the sources: every input problem is
 * found before anything is rendered, and everything is rendered and compared before generated/
 * is touched. With the render cache, folders that synth itself wrote from the same content key
 * and that nobody changed since (tree-state.ts) are skipped entirely, so a re-synth after one
 * tenant changed costs that tenant, not the fleet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyTreeChanges, type FileStamp, replaceTree, scanTree, type TreeDiff } from '../io/generated-tree.ts';
import { clearTreeState, type FolderState, isFolderFresh, readTreeState, writeTreeState } from '../io/tree-state.ts';
import type { CompiledFleet } from '../synth/compile.ts';
import type { ManifestFile } from '../synth/layout.ts';
import { planSynth, type RenderCache, type SynthStats } from '../synth/synthesize.ts';
import { renderUnits } from './render-pool.ts';

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
}

export interface GeneratedSync {
  readonly stats: SynthStats;
  /** What differs between generated/ and the sources (with `check: false`: what was changed). */
  readonly diff: TreeDiff;
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Brings `<root>/generated` in step with `compiled` (or, with `check`, only says how it differs). */
export async function syncGenerated(root: string, compiled: CompiledFleet, options: SyncGeneratedOptions): Promise<GeneratedSync> {
  const units = planSynth(compiled, options.codeVersion);
  const dir = join(root, 'generated');

  // What is on disk, by stamps only; folders synth wrote from the same key are not even read.
  const stamps = scanTree(dir);
  const filesIn = new Map<string, number>();
  for (const p of stamps.keys()) filesIn.set(dirname(p), (filesIn.get(dirname(p)) ?? 0) + 1);
  const state = options.cache ? readTreeState(root) : undefined;
  const fresh = units.map((u) => isFolderFresh(state, u.folder, u.key, stamps, filesIn));
  const pending = units.filter((_, i) => !fresh[i]);
  const progress = options.progress;
  const rendered = await renderUnits(pending, compiled.templates, options.cache, {
    progress: progress && ((n, total) => progress(`rendering ${n}/${total} (${Math.floor((100 * n) / total)}%)`, n === total)),
  });
  progress?.(options.check ? 'comparing with generated/…' : 'writing generated/…', true);

  const added: string[] = [];
  const changed: string[] = [];
  const writes: ManifestFile[] = [];
  const wanted = new Set<string>();
  const newState: Record<string, FolderState> = {};
  let objects = 0;
  let cached = 0;
  units.forEach((unit, i) => {
    if (fresh[i]) {
      const recorded = state!.folders[unit.folder];
      newState[unit.folder] = recorded;
      objects += recorded.objects;
      if (unit.env) cached++;
      for (const [name] of recorded.files) wanted.add(`${unit.folder}/${name}`);
    }
  });
  pending.forEach((unit, k) => {
    const { files, cached: hit } = rendered[k];
    objects += files.length - 1;
    if (hit && unit.env) cached++;
    for (const f of files) {
      wanted.add(f.path);
      if (!stamps.has(f.path)) {
        added.push(f.path);
        writes.push(f);
      } else if (readFileSync(join(dir, f.path), 'utf8') !== f.content) {
        changed.push(f.path);
        writes.push(f);
      }
    }
  });
  const removed = [...stamps.keys()].filter((p) => !wanted.has(p)).sort(byPath);
  const diff: TreeDiff = { added: added.sort(byPath), changed: changed.sort(byPath), removed };
  const stats: SynthStats = { environments: compiled.environments.length, cached, objects };

  const changes = added.length + changed.length + removed.length;
  if (options.check) return { stats, diff };

  let written: ReadonlyMap<string, FileStamp> = new Map();
  if (changes > 0) {
    if (options.cache) clearTreeState(root);
    if (existsSync(dir)) {
      written = applyTreeChanges(dir, writes, removed, GENERATED_README);
    } else {
      replaceTree(dir, writes, GENERATED_README);
      written = scanTree(dir);
    }
  }
  if (options.cache) {
    pending.forEach((unit, k) => {
      const files = rendered[k].files;
      const stampOf = (path: string) => written.get(path) ?? stamps.get(path)!;
      const recorded = files.map((f) => [f.path.slice(unit.folder.length + 1), stampOf(f.path).size, stampOf(f.path).mtimeMs] as const);
      newState[unit.folder] = { key: unit.key, objects: files.length - 1, files: recorded };
    });
    writeTreeState(root, { version: 1, folders: newState });
  }
  return { stats, diff };
}
