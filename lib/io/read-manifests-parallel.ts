/**
 * `readManifests` on every core: this thread and worker threads take batches of files from one
 * shared counter and parse them, and the results are put back in file order, so the outcome is the
 * same as `readManifests`, documents and problems in the same order.
 *
 * A worker costs about 0.1 s to start (it loads the TypeScript sources through tsx), so small trees
 * are read on this thread alone. A worker that fails leaves its batches to this thread.
 */
import { readFileSync } from 'node:fs';
import type { ManifestDoc, SchemaFinding } from '../validate/findings.ts';
import { poolSize, startWorker } from './worker-pool.ts';
import { parseManifestsChecked, yamlFiles, type ReadManifests, type ReadManifestsOptions } from './read-manifests.ts';

export interface ReadManifestsParallelOptions extends ReadManifestsOptions {
  /** Worker threads besides this one. @default availableParallelism() - 1 */
  readonly workers?: number;
  /** Trees with fewer YAML files are read on this thread only. @default 2000 */
  readonly minFilesForWorkers?: number;
  /**
   * Called on this thread with each batch of files as soon as it and every batch before it are
   * read, in file order: work on the documents (validating them) overlaps with the reading.
   */
  readonly onBatch?: (batch: ReadManifests) => void;
}

/** What the worker (read-manifests-worker.ts) gets. */
export interface ParseWorkerData {
  readonly paths: readonly string[];
  /** `paths` as findings name them. */
  readonly files: readonly string[];
  /** Shared counter: the next batch to take. */
  readonly next: Int32Array;
  readonly batchSize: number;
  readonly yaml: ReadManifestsOptions['yaml'];
}

/**
 * What the worker sends: one message per batch, then `{ done: true }`. A batch whose documents JSON
 * carries exactly travels as JSON text: JSON.parse here is about twice as fast as the structured
 * clone of the same objects.
 */
export type ParseWorkerMessage = { readonly batch: number; readonly result: ReadManifests } | { readonly batch: number; readonly json: string } | { readonly done: true };

const BATCH_SIZE = 256;

/** Parses files `[from, to)` of `paths`; `json`: whether JSON carries all of it exactly. Shared with the worker. */
export function parseBatch(paths: readonly string[], files: readonly string[], from: number, to: number, yaml: ReadManifestsOptions['yaml']): ReadManifests & { json: boolean } {
  const docs: ManifestDoc[] = [];
  const problems: SchemaFinding[] = [];
  let json = true;
  for (let i = from; i < to && i < paths.length; i++) {
    const parsed = parseManifestsChecked(readFileSync(paths[i], 'utf8'), files[i], { yaml });
    for (const d of parsed.docs) docs.push(d);
    for (const p of parsed.problems) problems.push(p);
    json &&= parsed.json;
  }
  return { docs, problems, json };
}

/** Every YAML document under `dir`, as `readManifests` reads them, parsed on several threads. */
export async function readManifestsParallel(dir: string, options: ReadManifestsParallelOptions = {}): Promise<ReadManifests> {
  const found = yamlFiles(dir, options.base);
  const paths = found.map((f) => f.path);
  const files = found.map((f) => f.file);
  const batches = Math.ceil(paths.length / BATCH_SIZE);
  const workers = paths.length < (options.minFilesForWorkers ?? 2000) ? 0 : poolSize({ requested: options.workers, worthIt: true, limit: batches - 1 });
  const results: Array<ReadManifests | undefined> = new Array(batches);
  const parse = (batch: number): ReadManifests => {
    const { docs, problems } = parseBatch(paths, files, batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE, options.yaml);
    return { docs, problems };
  };

  let delivered = 0;
  const deliver = () => {
    for (; delivered < batches && results[delivered]; delivered++) options.onBatch?.(results[delivered]!);
  };

  const next = new Int32Array(new SharedArrayBuffer(4));
  const finished: Array<Promise<void>> = [];
  for (let w = 0; w < workers; w++) {
    const data: ParseWorkerData = { paths, files, next, batchSize: BATCH_SIZE, yaml: options.yaml };
    const worker = startWorker(new URL('./read-manifests-worker.ts', import.meta.url), data);
    finished.push(
      new Promise<void>((resolve) => {
        worker.on('message', (message: ParseWorkerMessage) => {
          if ('done' in message) resolve();
          else {
            results[message.batch] = 'json' in message ? (JSON.parse(message.json) as ReadManifests) : message.result;
            deliver();
          }
        });
        // A batch the worker took but did not send is parsed below.
        worker.on('error', () => resolve());
        worker.on('exit', () => resolve());
      }),
    );
  }
  for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
    results[batch] = parse(batch);
    deliver();
    // Take in what the workers sent meanwhile.
    if (workers > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(finished);
  for (let batch = 0; batch < batches; batch++) results[batch] ??= parse(batch);
  deliver();

  const docs: ManifestDoc[] = [];
  const problems: SchemaFinding[] = [];
  for (const result of results as ReadManifests[]) {
    for (const d of result.docs) docs.push(d);
    for (const p of result.problems) problems.push(p);
  }
  return { docs, problems };
}
