/**
 * `readManifests` on every core: this thread and worker threads take batches of files from one
 * shared counter and parse them, and the results are put back in file order, so the outcome is the
 * same as `readManifests`, documents and problems in the same order.
 *
 * With `validate`, every thread also validates the documents it parsed against its own registry of
 * the vendored schemas (lib/validate/vendored.ts, loaded only then), and the findings come back with
 * each batch, in the same order as validating all documents one after another.
 *
 * The documents come back as objects (readManifestsParallel), or as the JSON text of each
 * (readManifestTextsParallel) for a caller that stores them rather than works on them: a string
 * crosses threads as one copy, and the caller's thread then builds no objects to stringify again.
 *
 * A worker costs about 0.1 s to start (it loads the TypeScript sources through tsx), so small trees
 * are read on this thread alone. A worker that fails leaves its batches to this thread.
 */
import { readFileSync } from 'node:fs';
import type { ManifestDoc, SchemaFinding } from '../validate/findings.ts';
import type { SchemaRegistry } from '../validate/registry.ts';
import { poolSize, startWorker } from './worker-pool.ts';
import { parseManifestsChecked, yamlFiles, type ReadManifests, type ReadManifestsOptions, type YamlFile } from './read-manifests.ts';
import type { ReadSchemasOptions } from './read-schemas.ts';

/** A batch of files read: its documents and problems, and with `validate`, the schema findings of its documents. */
export interface ReadBatch extends ReadManifests {
  readonly findings?: SchemaFinding[];
}

export interface ReadManifestsParallelOptions extends ReadManifestsOptions {
  /** Worker threads besides this one. @default availableParallelism() - 1 */
  readonly workers?: number;
  /** Trees with fewer YAML files are read on this thread only. @default 2000 */
  readonly minFilesForWorkers?: number;
  /**
   * Called on this thread with each batch of files as soon as it and every batch before it are
   * read, in file order: work on the documents (validating them) overlaps with the reading.
   */
  readonly onBatch?: (batch: ReadBatch) => void;
  /** Validate every document where it is parsed, against the vendored schemas read with these options. */
  readonly validate?: ReadSchemasOptions;
  /** `yamlFiles(dir, base)`, when the caller has listed the tree already. */
  readonly found?: readonly YamlFile[];
}

/**
 * A document as the JSON text of its object, with what it is grouped by: how a reader that only
 * stores the documents (the audit's desired-state cache, lib/workspace/desired-state.ts) takes
 * them from the worker threads, without a parse on its own thread and a stringify again there.
 */
export interface ManifestText {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  /**
   * `JSON.stringify` of the object, UTF-8: what the object is to anything that reads it back with
   * JSON.parse. Bytes, not a string: a view into its batch's buffer, which moves from the worker
   * without a copy and lies outside V8's heap, so a whole cluster's documents held at once do
   * not make V8 grow its heap fourfold over them (its growing factor), as strings did.
   */
  readonly json: Uint8Array;
}

/** What readManifestTextsParallel reads: the documents as text, and the problems as readManifests finds them. */
export interface ReadTexts {
  readonly texts: ManifestText[];
  readonly problems: SchemaFinding[];
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
  /** As ReadManifestsParallelOptions.validate. */
  readonly validate?: ReadSchemasOptions;
  /** `texts`: send the documents as ManifestText (readManifestTextsParallel). @default 'objects' */
  readonly form?: 'objects' | 'texts';
}

/**
 * What the worker sends: one message per batch, then `{ done: true }`. A batch whose documents JSON
 * carries exactly travels as JSON text: JSON.parse here is about twice as fast as the structured
 * clone of the same objects.
 */
export type ParseWorkerMessage =
  | { readonly batch: number; readonly result: ReadBatch }
  | { readonly batch: number; readonly json: string }
  | { readonly batch: number; readonly texts: ReadTexts }
  | { readonly done: true };

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

/**
 * `parseBatch`'s documents as text, in one buffer of their own (never Node's shared pool, so the
 * worker can hand it over). Shared with the worker.
 */
export function textBatch(paths: readonly string[], files: readonly string[], from: number, to: number, yaml: ReadManifestsOptions['yaml']): ReadTexts & { readonly bytes: ArrayBuffer } {
  const { docs, problems } = parseBatch(paths, files, from, to, yaml);
  const jsons = docs.map((d) => JSON.stringify(d.object));
  const bytes = new TextEncoder().encode(jsons.join(''));
  let at = 0;
  const texts = docs.map(({ file, object }, i): ManifestText => {
    const length = Buffer.byteLength(jsons[i]);
    const namespace = object.metadata?.namespace;
    const text = { file, apiVersion: object.apiVersion, kind: object.kind, ...(namespace ? { namespace } : {}), json: bytes.subarray(at, at + length) };
    at += length;
    return text;
  });
  return { texts, problems, bytes: bytes.buffer };
}

/**
 * The registry a thread validates with, when `validate` is set: loaded on demand, so that reading
 * alone (the audit) never loads ajv. Shared with the worker.
 */
export async function batchValidator(validate: ReadSchemasOptions | undefined): Promise<((docs: readonly ManifestDoc[]) => SchemaFinding[]) | undefined> {
  if (!validate) return undefined;
  const [{ vendoredRegistry }, { validateWith }] = await Promise.all([import('../validate/vendored.ts'), import('../validate/validate.ts')]);
  let registry: SchemaRegistry | undefined;
  // Built on the first batch: the schema source and validator code are read only by a thread that validates.
  return (docs) => validateWith((registry ??= vendoredRegistry(validate)), docs);
}

/**
 * Once a thread has validated its batches: keeps V8's code cache of the validators it loaded without
 * one (lib/validate/validator-cache.ts), so that later runs load them compiled. Shared with the workers.
 */
export async function keepCompiledValidators(validate: ReadSchemasOptions | undefined): Promise<void> {
  if (validate) (await import('../validate/vendored.ts')).keepCompiledValidators();
}

/** What one batch of files gives, and how the parallel reader gets it on this thread or from a worker. */
interface BatchForm<R> {
  readonly form: 'objects' | 'texts';
  /** How this thread parses files `[from, to)` of `paths`; awaited once, before it takes its first batch. */
  readonly start: (paths: readonly string[], files: readonly string[]) => Promise<(from: number, to: number) => R>;
  /** A worker's message about a batch, as a result. */
  readonly receive: (message: Exclude<ParseWorkerMessage, { done: true }>) => R;
}

/**
 * The batches of the files under `dir`, each parsed on whichever thread took it (this one and the
 * workers share one counter), in file order; `onBatch` as ReadManifestsParallelOptions says.
 */
async function readBatches<R>(dir: string, options: ReadManifestsParallelOptions, how: BatchForm<R>, onBatch?: (result: R) => void): Promise<R[]> {
  const found = options.found ?? yamlFiles(dir, options.base);
  const paths = found.map((f) => f.path);
  const files = found.map((f) => f.file);
  const batches = Math.ceil(paths.length / BATCH_SIZE);
  const workers = paths.length < (options.minFilesForWorkers ?? 2000) ? 0 : poolSize({ requested: options.workers, worthIt: true, limit: batches - 1 });
  const results: Array<R | undefined> = new Array(batches);

  let delivered = 0;
  const deliver = () => {
    for (; delivered < batches && results[delivered]; delivered++) onBatch?.(results[delivered]!);
  };

  // Workers first: they start while this thread loads its validator.
  const next = new Int32Array(new SharedArrayBuffer(4));
  const finished: Array<Promise<void>> = [];
  for (let w = 0; w < workers; w++) {
    const data: ParseWorkerData = { paths, files, next, batchSize: BATCH_SIZE, yaml: options.yaml, form: how.form, ...(options.validate ? { validate: options.validate } : {}) };
    const worker = startWorker(new URL('./read-manifests-worker.ts', import.meta.url), data);
    finished.push(
      new Promise<void>((resolve) => {
        worker.on('message', (message: ParseWorkerMessage) => {
          if ('done' in message) resolve();
          else {
            results[message.batch] = how.receive(message);
            deliver();
          }
        });
        // A batch the worker took but did not send is parsed below.
        worker.on('error', () => resolve());
        worker.on('exit', () => resolve());
      }),
    );
  }
  const parseFiles = await how.start(paths, files);
  const parse = (batch: number) => parseFiles(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE);
  for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
    results[batch] = parse(batch);
    deliver();
    // Take in what the workers sent meanwhile.
    if (workers > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(finished);
  for (let batch = 0; batch < batches; batch++) results[batch] ??= parse(batch);
  deliver();
  return results as R[];
}

/** Every YAML document under `dir`, as `readManifests` reads them, parsed (and validated) on several threads. */
export async function readManifestsParallel(dir: string, options: ReadManifestsParallelOptions = {}): Promise<ReadBatch> {
  const results = await readBatches<ReadBatch>(dir, options, {
    form: 'objects',
    start: async (paths, files) => {
      const validate = await batchValidator(options.validate);
      return (from, to) => {
        const { docs, problems } = parseBatch(paths, files, from, to, options.yaml);
        return validate ? { docs, problems, findings: validate(docs) } : { docs, problems };
      };
    },
    receive: (message) => ('json' in message ? (JSON.parse(message.json) as ReadBatch) : 'result' in message ? message.result : unexpected(message)),
  }, options.onBatch);
  await keepCompiledValidators(options.validate);

  const docs: ManifestDoc[] = [];
  const problems: SchemaFinding[] = [];
  const findings: SchemaFinding[] = [];
  for (const result of results) {
    for (const d of result.docs) docs.push(d);
    for (const p of result.problems) problems.push(p);
    for (const f of result.findings ?? []) findings.push(f);
  }
  return options.validate ? { docs, problems, findings } : { docs, problems };
}

/**
 * Every YAML document under `dir` as readManifestsParallel reads them, as ManifestText: for a
 * caller that stores the documents rather than works on them, so that no thread turns the
 * JSON back into objects. Nothing is validated.
 */
export async function readManifestTextsParallel(dir: string, options: Omit<ReadManifestsParallelOptions, 'validate' | 'onBatch'> = {}): Promise<ReadTexts> {
  const results = await readBatches<ReadTexts>(dir, options, {
    form: 'texts',
    start: async (paths, files) => (from, to) => {
      const { texts, problems } = textBatch(paths, files, from, to, options.yaml);
      return { texts, problems };
    },
    receive: (message) => ('texts' in message ? message.texts : unexpected(message)),
  });
  const texts: ManifestText[] = [];
  const problems: SchemaFinding[] = [];
  for (const result of results) {
    for (const t of result.texts) texts.push(t);
    for (const p of result.problems) problems.push(p);
  }
  return { texts, problems };
}

function unexpected(message: ParseWorkerMessage): never {
  throw new Error(`read-manifests worker sent a message of another form: ${Object.keys(message).join(', ')}`);
}
