/**
 * `tenantctl synth`: compile tenants into generated/, or with --check report whether the
 * committed tree is what the sources produce (for CI).
 *
 * Every input problem is found before anything is rendered, and everything is rendered and
 * compared before generated/ is touched. With the render cache, folders that synth itself wrote
 * from the same content key and that nobody changed since (tree-state.ts) are skipped entirely,
 * so a re-synth after one tenant changed costs that tenant, not the fleet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyTreeChanges, type FileStamp, replaceTree, scanTree, type TreeDiff } from '../../io/generated-tree.ts';
import { clearTreeState, type FolderState, isFolderFresh, readTreeState, writeTreeState } from '../../io/tree-state.ts';
import type { ManifestFile } from '../../synth/layout.ts';
import { renderUnits } from '../../synth/render-pool.ts';
import { planSynth, type RenderCache, type SynthStats } from '../../synth/synthesize.ts';
import { compileWorkspace, codeVersion } from '../workspace.ts';

export const GENERATED_README = `# generated/

Written by \`tenantctl synth\` from \`tenants/*.ts\`, \`fleet.ts\` and \`tiers/\`. Do not edit: change the
sources and run \`npx tenantctl synth\`. CI fails when this tree is stale (\`tenantctl synth --check\`).

- \`<cluster>/cluster/\`: per-cluster objects (shared PostgreSQL and Redis, Traefik TLS defaults, auditor RBAC)
- \`<cluster>/tenants/<tenant>-<environment>/\`: one folder per tenant environment
- \`<cluster>/argocd/\`: AppProject and ApplicationSet for Argo CD
- \`<cluster>/flux/\`: GitRepository and Kustomizations for Flux
`;

export interface SynthCommandOptions {
  readonly root: string;
  readonly packageRoot: string;
  readonly check: boolean;
  /** Reuse rendered environments and skip folders known to be current; absent: render and compare everything. */
  readonly cache?: RenderCache;
  readonly out?: (line: string) => void;
  /** Progress lines for a terminal (each replaces the previous); absent: silent, as in CI and pipes. */
  readonly progress?: (line: string) => void;
}

export interface SynthOutcome {
  readonly stats: SynthStats;
  readonly diff: TreeDiff;
  readonly stale: boolean;
  readonly summary: string;
}

/** At most one line per 100 ms (a terminal redraw per rendered tenant would cost more than the render). */
function throttled(write: ((line: string) => void) | undefined): ((line: string, force?: boolean) => void) | undefined {
  if (!write) return undefined;
  let last = 0;
  return (line, force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    write(line);
  };
}

const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function synthCommand(options: SynthCommandOptions): Promise<SynthOutcome> {
  const progress = throttled(options.progress);
  progress?.('reading tenant files…');
  const compiled = await compileWorkspace(options.root);
  const units = planSynth(compiled, codeVersion(options.packageRoot));
  const dir = join(options.root, 'generated');

  // What is on disk, by stamps only; folders synth wrote from the same key are not even read.
  const stamps = scanTree(dir);
  const filesIn = new Map<string, number>();
  for (const p of stamps.keys()) filesIn.set(dirname(p), (filesIn.get(dirname(p)) ?? 0) + 1);
  const state = options.cache ? readTreeState(options.root) : undefined;
  const fresh = units.map((u) => isFolderFresh(state, u.folder, u.key, stamps, filesIn));
  const pending = units.filter((_, i) => !fresh[i]);
  const rendered = await renderUnits(pending, compiled.tiers, options.cache, {
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
  const counts = `${stats.environments} tenant environments on ${compiled.fleet.clusters.length} clusters, ${stats.objects} objects`;
  if (options.check) {
    if (changes === 0) return { stats, diff, stale: false, summary: `generated/ is up to date (${counts}).` };
    const lines = [`generated/ is stale: ${added.length} to add, ${changed.length} to change, ${removed.length} to remove.`];
    for (const [sign, list] of [['+', added], ['~', changed], ['-', removed]] as const) {
      for (const p of list.slice(0, 20)) lines.push(`  ${sign} generated/${p}`);
      if (list.length > 20) lines.push(`  ${sign} … and ${list.length - 20} more`);
    }
    lines.push('Run `npx tenantctl synth` and commit generated/.');
    return { stats, diff, stale: true, summary: lines.join('\n') };
  }

  let written: ReadonlyMap<string, FileStamp> = new Map();
  if (changes > 0) {
    if (options.cache) clearTreeState(options.root);
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
    writeTreeState(options.root, { version: 1, folders: newState });
  }
  return {
    stats,
    diff,
    stale: false,
    summary: changes === 0 ? `generated/ unchanged (${counts}).` : `generated/ updated: ${added.length} added, ${changed.length} changed, ${removed.length} removed (${counts}).`,
  };
}
