/**
 * The stamps (size, modification time) of every manifest file under generated/: what tells synth
 * which folders nobody touched. At fleet scale that is tens of thousands of lstat calls, the
 * largest cost of a re-synth with nothing to do, so the files are listed first (one readdir per
 * folder) and then statted by this thread and, when the CLI runs from its bundle (a thread then
 * starts in milliseconds, not the ~0.3 s of the TypeScript loader), one worker thread, both taking
 * chunks from a shared counter and writing into shared arrays. Results are placed by index, so they
 * never depend on which thread statted what; a worker that fails leaves its files to this thread.
 */
import { lstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runningBundle } from './bundle-info.ts';
import { type FileStamp, listManifests } from './generated-tree.ts';
import { startWorker, stopWorkers } from './worker-pool.ts';

/** What the worker (scan-tree-worker.ts) is given: the files, a shared counter, shared results. */
export interface StatJob {
  readonly dir: string;
  readonly paths: readonly string[];
  /** Index of the next chunk to take. */
  readonly next: Int32Array;
  /** Per path: size, or NaN while not statted, or -1 when the file was gone. */
  readonly sizes: Float64Array;
  readonly mtimes: Float64Array;
}

const CHUNK = 512;
/** Fewer files than this are statted on this thread alone. */
const MIN_FILES_FOR_WORKER = 16_000;

/** Takes chunks of `job` until none is left; shared with the worker. */
export function statChunks(job: StatJob): void {
  const { dir, paths, next, sizes, mtimes } = job;
  for (let from = Atomics.add(next, 0, CHUNK); from < paths.length; from = Atomics.add(next, 0, CHUNK)) {
    const to = Math.min(paths.length, from + CHUNK);
    for (let i = from; i < to; i++) statOne(dir, paths, sizes, mtimes, i);
  }
}

function statOne(dir: string, paths: readonly string[], sizes: Float64Array, mtimes: Float64Array, i: number): void {
  // lstat: a file replaced by a link shows as changed, and it is cheaper than stat.
  const st = lstatSync(`${dir}/${paths[i]}`, { throwIfNoEntry: false });
  sizes[i] = st ? st.size : -1;
  mtimes[i] = st ? st.mtimeMs : -1;
}

export interface ScanOptions {
  /** Use a worker thread: default when running from the bundle on more than one core and the tree is large. */
  readonly worker?: boolean;
}

/** The manifest files under a folder with their stamps, as parallel arrays: no object per file. */
export interface ScannedFiles {
  /** Relative to the scanned folder, in listing order. */
  readonly paths: readonly string[];
  /** Per path: size, or -1 when the file was gone by the time it was statted. */
  readonly sizes: Float64Array;
  readonly mtimes: Float64Array;
}

/** Stamps of the manifest files under `dir`, without reading them. */
export async function scanTreeParallel(dir: string, options: ScanOptions = {}): Promise<Map<string, FileStamp>> {
  return stampMap(await scanFiles(dir, options));
}

/** The scan as a map from path to stamp (files gone meanwhile left out). */
export function stampMap(files: ScannedFiles): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  for (let i = 0; i < files.paths.length; i++) if (files.sizes[i] >= 0) out.set(files.paths[i], { size: files.sizes[i], mtimeMs: files.mtimes[i] });
  return out;
}

/** Like scanTreeParallel, as arrays: a re-synth with nothing to do never builds a map of 50,000 entries. */
export async function scanFiles(dir: string, options: ScanOptions = {}): Promise<ScannedFiles> {
  const paths = listManifests(dir);
  const job: StatJob = {
    dir,
    paths,
    next: new Int32Array(new SharedArrayBuffer(4)),
    sizes: new Float64Array(new SharedArrayBuffer(8 * paths.length)).fill(NaN),
    mtimes: new Float64Array(new SharedArrayBuffer(8 * paths.length)),
  };
  const useWorker = options.worker ?? (paths.length >= MIN_FILES_FOR_WORKER && availableParallelism() > 1 && runningBundle() !== undefined);
  if (!useWorker) {
    statChunks(job);
  } else {
    const worker = startWorker(new URL('./scan-tree-worker.ts', import.meta.url), job);
    const finished = new Promise<void>((resolve) => {
      worker.on('message', () => resolve());
      worker.on('error', () => resolve());
      worker.on('exit', () => resolve());
    });
    statChunks(job);
    await finished;
    await stopWorkers([worker]);
    // A chunk a failed worker took and never finished: stat it here.
    for (let i = 0; i < paths.length; i++) if (Number.isNaN(job.sizes[i])) statOne(dir, paths, job.sizes, job.mtimes, i);
  }
  return { paths, sizes: job.sizes, mtimes: job.mtimes };
}
