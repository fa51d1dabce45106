/**
 * Gets the files of the synth units that are needed: from the cache when it has them, else by
 * rendering. When many environments miss the cache (a cold synth, a template change), they are
 * spread over worker threads, with the main thread rendering too: cdk8s and YAML serialization
 * are CPU-bound and each environment renders on its own. A worker costs about 0.4 s to start
 * (it loads cdk8s and the tiers), so a handful of misses renders inline.
 *
 * Output does not depend on which thread rendered what: results are placed by unit, and templates
 * are pure functions of the environment.
 */
import type { Worker } from 'node:worker_threads';
import { poolSize, startWorker, stopWorkers } from '../io/worker-pool.ts';
import type { Templates } from '../tier/tier.ts';
import type { ManifestFile } from '../synth/layout.ts';
import type { RenderReply, RenderRequest } from './render-worker.ts';
import { type RenderCache, type SynthUnit } from '../synth/synthesize.ts';
import { projectTemplates } from './templates.ts';

export interface RenderPoolOptions {
  /** Worker threads to use; default: one per core beyond the main thread, when there are enough misses. */
  readonly workers?: number;
  /** Fewest cache misses that make starting workers worth it. */
  readonly minMissesForWorkers?: number;
  /** Whether the main thread renders too (default); tests turn it off to make the workers do it all. */
  readonly renderInMain?: boolean;
  /** Called after each unit rendered (not for cache hits), with the count so far and the total to render. */
  readonly progress?: (rendered: number, total: number) => void;
  /**
   * Takes each unit's files as soon as they are there (in no particular order); the result then
   * holds none, so a caller that writes them out never holds the whole tree in memory.
   */
  readonly onUnit?: (index: number, unit: UnitFiles) => void;
  /**
   * A unit's files as last rendered (from an earlier synth), whose text the new render reuses for
   * objects unchanged since (reuse-text.ts). Consulted for units rendered in this thread only: those
   * are the few of a re-synth, while workers render folders by the hundred.
   */
  readonly previous?: (unit: SynthUnit) => readonly ManifestFile[] | undefined;
}

export interface UnitFiles {
  readonly files: readonly ManifestFile[];
  readonly cached: boolean;
}

const BATCH = 8;
const MIN_MISSES_FOR_WORKERS = 96;
/** Each worker holds its own cdk8s and tiers (~150 MB): more than this buys little. */
const MAX_WORKERS = 7;

/** The files of each of `units`, in the same order (or handed to `onUnit`). Fills `cache` with what it rendered. */
export async function renderUnits(units: readonly SynthUnit[], templates: Templates, cache: RenderCache | undefined, options: RenderPoolOptions = {}): Promise<UnitFiles[]> {
  const out: Array<UnitFiles | undefined> = new Array(units.length);
  const misses: number[] = [];
  const inline: number[] = [];
  const place = (i: number, got: UnitFiles) => {
    if (options.onUnit) options.onUnit(i, got);
    else out[i] = got;
  };
  units.forEach((unit, i) => {
    const hit = cache?.get(unit.key);
    if (hit) place(i, { files: hit, cached: true });
    else if (unit.env) misses.push(i);
    else inline.push(i);
  });
  const toRender = misses.length + inline.length;
  let rendered = 0;
  const done = (i: number, files: ManifestFile[]) => {
    cache?.set(units[i].key, files);
    place(i, { files, cached: false });
    options.progress?.(++rendered, toRender);
  };

  // Workers render with the project's templates; other templates (tests) render inline.
  const workerCount = templates !== projectTemplates ? 0 : poolSize({
    requested: options.workers,
    worthIt: misses.length >= (options.minMissesForWorkers ?? MIN_MISSES_FOR_WORKERS),
    limit: Math.ceil(misses.length / BATCH),
    max: MAX_WORKERS,
  });
  const batches: number[][] = [];
  for (let i = 0; i < misses.length; i += BATCH) batches.push(misses.slice(i, i + BATCH));

  if (workerCount === 0) {
    for (const i of [...inline, ...misses]) done(i, units[i].render(cache, options.previous?.(units[i])));
    return out as UnitFiles[];
  }

  const pending = [...batches.keys()].reverse(); // batch indexes not handed out yet, next at the end
  const inFlight = new Map<Worker, Set<number>>();
  let alive = workerCount;
  const busy = () => [...inFlight.values()].some((b) => b.size > 0);
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  // Two batches per worker: it starts the next one while the main thread, busy rendering, has
  // not yet read the reply to the previous one.
  const feed = (worker: Worker) => {
    const mine = inFlight.get(worker)!;
    while (!failure && mine.size < 2) {
      const batch = pending.pop();
      if (batch === undefined) return;
      mine.add(batch);
      worker.postMessage({ batch, envs: batches[batch].map((i) => units[i].env!), version: units[batches[batch][0]].version } satisfies RenderRequest);
    }
  };
  const workers = Array.from({ length: workerCount }, () => {
    const worker = startWorker(new URL('./render-worker.ts', import.meta.url));
    inFlight.set(worker, new Set());
    worker.on('message', (reply: RenderReply | 'ready') => {
      if (reply !== 'ready') {
        inFlight.get(worker)!.delete(reply.batch);
        if ('error' in reply) failure ??= new Error(`rendering in a worker failed: ${reply.error}`);
        else {
          try {
            reply.files.forEach((files, k) => done(batches[reply.batch][k], files));
          } catch (error) {
            // onUnit failed (a full disk while staging, say): stop, and throw it from the caller's await.
            failure ??= error instanceof Error ? error : new Error(String(error));
          }
        }
        signal();
      }
      feed(worker);
    });
    // A worker that dies (it could not load, say) hands its batches back to the main thread.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      alive--;
      for (const batch of inFlight.get(worker)!) pending.push(batch);
      inFlight.get(worker)!.clear();
      signal();
    });
    return worker;
  });

  try {
    for (const i of inline) done(i, units[i].render(cache));
    while (!failure && (pending.length > 0 || busy())) {
      const batch = options.renderInMain === false && alive > 0 ? undefined : pending.pop();
      if (batch === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      for (const i of batches[batch]) done(i, units[i].render());
      // Let worker replies in between, so workers never wait long for their next batch.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (failure) throw failure;
  } finally {
    await stopWorkers(workers);
  }
  return out as UnitFiles[];
}
