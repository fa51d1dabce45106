/**
 * `tenantctl synth`: compile tenants into generated/, or with --check report whether the
 * committed tree is what the sources produce (for CI). The work is the workspace's
 * (lib/workspace/generated.ts); this file only words the outcome.
 *
 * With the cache, a run whose inputs and code are those generated/ was last written from, and
 * whose generated/ nobody touched since, is answered from the recorded state
 * (lib/workspace/current-tree.ts) before the compiler is even loaded.
 */
import type { TreeDiff } from '../../io/generated-tree.ts';
import type { InputFile } from '../../io/inputs-digest.mjs';
import type { CompiledFleet } from '../../synth/compile.ts';
import type { RenderCache, SynthStats } from '../../synth/synthesize.ts';
import { currentTree } from '../../workspace/current-tree.ts';
import type { ScannedTree } from '../../workspace/generated.ts';
import { inputsKey } from '../../workspace/inputs-key.ts';

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

export async function synthCommand(options: SynthCommandOptions): Promise<SynthOutcome> {
  const progress = throttled(options.progress);
  progress?.('reading tenant files…');
  let inputs: string | undefined;
  let scan: (() => Promise<ScannedTree>) | undefined;
  // The input files as the inputs key saw them (content hash, bytes when read): compiled by those hashes.
  let inputFiles: ReadonlyMap<string, InputFile> | undefined;
  if (options.cache) {
    const current = await currentTree(options.root, (read) => inputsKey(options.root, options.packageRoot, read));
    inputs = current.inputs;
    inputFiles = current.inputFiles;
    if ('counts' in current) {
      const { environments, clusters, objects } = current.counts;
      const counts = `${environments} tenant environments on ${clusters} clusters, ${objects} objects`;
      const stats = { environments, cached: environments, objects };
      const diff = { added: [], changed: [], removed: [] };
      return { stats, diff, stale: false, summary: options.check ? `generated/ is up to date (${counts}).` : `generated/ unchanged (${counts}).` };
    }
    scan = current.scan;
  }
  let compiled: CompiledFleet;
  let sync: typeof import('../../workspace/generated.ts').syncGenerated;
  let version: string;
  try {
    // The compiler and the tiers load only now: a run with nothing to do never needs them (and
    // cdk8s only when something is rendered). generated/ is scanned meanwhile (current-tree.ts).
    const [{ codeVersion, compileWorkspace }, { syncGenerated }] = await Promise.all([import('../../workspace/compile.ts'), import('../../workspace/generated.ts')]);
    compiled = await compileWorkspace(options.root, [], inputFiles);
    sync = syncGenerated;
    version = codeVersion(options.packageRoot);
  } catch (error) {
    await scan?.().catch(() => undefined); // the scan's worker holds the process until it is joined
    throw error;
  }
  const { stats, diff } = await sync(options.root, compiled, { codeVersion: version, check: options.check, cache: options.cache, progress, inputs, scan });
  const { added, changed, removed } = diff;
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
  return {
    stats,
    diff,
    stale: false,
    summary: changes === 0 ? `generated/ unchanged (${counts}).` : `generated/ updated: ${added.length} added, ${changed.length} changed, ${removed.length} removed (${counts}).`,
  };
}
