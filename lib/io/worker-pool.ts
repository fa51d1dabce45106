/**
 * The one way tenantctl spreads CPU-bound batches over worker threads (rendering environments in
 * lib/workspace/render-pool.ts, parsing manifests in lib/io/read-manifests-parallel.ts): how many
 * threads a job is worth, how a thread starts with the TypeScript sources, and how they stop.
 * The caller's thread always works too, and results are placed by batch, so output never depends
 * on which thread did what.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type MessagePort, Worker } from 'node:worker_threads';
import { type BundleInfo, runningBundle } from './bundle-info.ts';
import { cacheRoot } from './user-cache.ts';

/** What a worker module exports: it serves `port` with `data` (what startWorker was given). */
export type Serve<D> = (port: MessagePort, data: D) => void | Promise<void>;

export interface PoolSize {
  /** Threads the caller asked for; overrides `worthIt`. @default one per core beyond this thread, capped by `max` */
  readonly requested?: number;
  /** Whether the job is large enough to pay for starting threads, when none were requested. */
  readonly worthIt: boolean;
  /** Most threads the job can use (its batches, less the ones this thread takes). */
  readonly limit: number;
  /** Most threads worth their memory. @default no cap */
  readonly max?: number;
}

/** Worker threads to start besides this one (0: do it all on this thread). */
export function poolSize(o: PoolSize): number {
  const wanted = o.requested ?? (o.worthIt ? Math.min(o.max ?? Infinity, availableParallelism() - 1) : 0);
  return Math.max(0, Math.min(wanted, o.limit));
}

/**
 * The worker's entry, as a script: registers the TypeScript loader (module hooks are per thread,
 * and workers do not run the parent's `--import` preloads), then hands the port to the module.
 */
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((tsx) => tsx.register())
  .then(() => import(workerData.module))
  .then((m) => m.serve(parentPort, workerData.data));
`;

/** URL of tsx's ES module API (`tsx/esm/api`, import condition). */
function tsxApi(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

/**
 * A bundled worker's entry: it announces the bundle in its thread too, compiles packages with V8's
 * cached code as the main thread does (bin/code-cache.mjs: module hooks are per thread), then
 * serves the port. A worker is terminated, not exited, so it writes the cache entries of what it
 * compiled once `serve` has set up (loaded what it works with), not at exit.
 */
const BUNDLE_BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
globalThis[Symbol.for('tenantctl.bundle')] = workerData.bundle;
(async () => {
  const codeCache = await import(workerData.codeCache).catch(() => undefined);
  codeCache?.installCodeCache(workerData.cacheRoot, { writeAtExit: false });
  const m = await import(workerData.module);
  await m.serve(parentPort, workerData.data);
  codeCache?.writeCodeCache();
})();
`;

/**
 * Starts a thread running `module`'s `serve` export (a Serve<D>) with `data` (structured-cloned).
 * Name the module as `new URL('./x.ts', import.meta.url)`, in that form: the CLI's bundle makes
 * every module named so an entry point of its own, and here the source URL maps to it.
 */
export function startWorker<D>(module: URL, data?: D): Worker {
  const bundle = runningBundle();
  const entry = bundle && module.href.startsWith(bundle.sourceRoot) ? bundle.entries[module.href.slice(bundle.sourceRoot.length)] : undefined;
  if (bundle && entry) {
    const info: BundleInfo = { sourceRoot: bundle.sourceRoot, dir: bundle.dir, entries: bundle.entries, key: bundle.key };
    const codeCache = new URL('bin/code-cache.mjs', bundle.sourceRoot).href;
    return new Worker(BUNDLE_BOOT, { eval: true, workerData: { bundle: info, module: pathToFileURL(join(bundle.dir, entry)).href, data, codeCache, cacheRoot: cacheRoot() } });
  }
  return new Worker(BOOT, { eval: true, workerData: { tsx: tsxApi(), module: module.href, data } });
}

/** Stops every thread of a pool, whether it finished or not. */
export async function stopWorkers(workers: readonly Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.terminate()));
}
