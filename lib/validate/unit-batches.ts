/**
 * How the threads of lib/validate/check-tree.ts read the units (cluster folders): each thread takes
 * whole units, the largest first, and reads a unit's files in batches taken from a counter of that
 * unit that every thread shares. Once no unit is left to take, a thread that runs dry takes batches
 * of the units the others are still reading (the one with the most left first) and sends each one,
 * read and validated, to the unit's owner. So the threads finish reading together even though four
 * cluster folders do not share out evenly over two threads, and the objects of a cluster still all
 * end on one thread, where its policies run.
 *
 * The owner puts the batches back in file order: a unit read so is exactly the unit read alone on
 * one thread (same documents, problems and findings, in the same order). When a thread that may have
 * taken batches stops (a worker that failed), its owners read whatever they still miss themselves.
 */
import { parseBatch } from '../io/read-manifests-parallel.ts';
import type { ReadManifestsOptions } from '../io/read-manifests.ts';
import type { ManifestDoc, SchemaFinding } from './findings.ts';

/** Files per batch. */
export const BATCH_SIZE = 256;

/** A folder directly under the tree (`name`, `''` for files at its top), as files `[from, to)` of the listing. */
export interface Unit {
  readonly index: number;
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** One unit as every thread gets it: its files (`paths`, and `files` as findings name them). */
export interface UnitFiles {
  readonly unit: Unit;
  readonly paths: readonly string[];
  readonly files: readonly string[];
}

/** One unit read and validated, its documents kept. */
export interface UnitRead {
  readonly unit: Unit;
  readonly docs: ManifestDoc[];
  readonly problems: SchemaFinding[];
  readonly findings: SchemaFinding[];
  /** Whether JSON carries the documents exactly (see parseManifestsChecked). */
  readonly json: boolean;
}

/** Counters every thread shares (in SharedArrayBuffers), units counted in the order they are taken. */
export interface Schedule {
  /** `[0]`: the next unit to take. */
  readonly next: Int32Array;
  /** Per unit: the next batch to take. */
  readonly batches: Int32Array;
  /** Per unit: the thread that took it (0 the main thread, 1… the workers), -1 until taken. */
  readonly owners: Int32Array;
}

export function newSchedule(units: number): Schedule {
  const ints = (n: number) => new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
  const owners = ints(units);
  owners.fill(-1);
  return { next: ints(1), batches: ints(units), owners };
}

/** A batch read by one thread for the owner of its unit (`unit`: its place in the order units are taken). */
export interface HelpedBatch {
  readonly kind: 'batch';
  readonly owner: number;
  readonly unit: number;
  readonly batch: number;
  readonly problems: SchemaFinding[];
  readonly findings: SchemaFinding[];
  /** The documents, as JSON text when JSON carries them exactly (faster to send), else as they are. */
  readonly docs?: ManifestDoc[];
  readonly text?: string;
}

export interface BatchThread {
  /** This thread's number in Schedule.owners. */
  readonly thread: number;
  /** Every unit, in the order they are taken. */
  readonly units: readonly UnitFiles[];
  readonly schedule: Schedule;
  /** @default BATCH_SIZE */
  readonly batchSize?: number;
  readonly yaml: ReadManifestsOptions['yaml'];
  readonly validate: (docs: readonly ManifestDoc[]) => SchemaFinding[];
  /** Runs after each batch (the main thread lets the tenant files' compilation go on). */
  readonly between?: () => Promise<void>;
  /** Sends a batch read here to the owner of its unit. */
  readonly send: (batch: HelpedBatch) => void;
  /**
   * The next batch another thread read for this one; `'lost'` when a thread that may have taken
   * batches stopped, so that the ones still missing are read here.
   */
  readonly receive: () => Promise<HelpedBatch | 'lost'>;
}

interface BatchRead {
  readonly docs: ManifestDoc[];
  readonly problems: SchemaFinding[];
  readonly findings: SchemaFinding[];
  readonly json: boolean;
}

const batchesOf = (u: UnitFiles, size: number) => Math.ceil(u.paths.length / size);

/** Reads this thread's share (see the module comment); returns the units it took, in the order it took them. */
export async function readBatches(t: BatchThread): Promise<UnitRead[]> {
  const { schedule } = t;
  const size = t.batchSize ?? BATCH_SIZE;
  const read = (k: number, b: number): BatchRead => {
    const u = t.units[k];
    const batch = parseBatch(u.paths, u.files, b * size, Math.min((b + 1) * size, u.paths.length), t.yaml);
    return { ...batch, findings: t.validate(batch.docs) };
  };
  const mine = new Map<number, Array<BatchRead | undefined>>();
  for (let k = Atomics.add(schedule.next, 0, 1); k < t.units.length; k = Atomics.add(schedule.next, 0, 1)) {
    Atomics.store(schedule.owners, k, t.thread);
    // Filled, not holed: a hole would be skipped by the counts below.
    const parts = new Array<BatchRead | undefined>(batchesOf(t.units[k], size)).fill(undefined);
    mine.set(k, parts);
    for (let b = Atomics.add(schedule.batches, k, 1); b < parts.length; b = Atomics.add(schedule.batches, k, 1)) {
      parts[b] = read(k, b);
      if (t.between) await t.between();
    }
  }
  // No unit left: help with the batches others have left, the unit with the most first.
  for (;;) {
    let k = -1;
    let most = 0;
    for (let i = 0; i < t.units.length; i++) {
      const owner = Atomics.load(schedule.owners, i);
      const left = batchesOf(t.units[i], size) - Atomics.load(schedule.batches, i);
      if (owner >= 0 && owner !== t.thread && left > most) [k, most] = [i, left];
    }
    if (k < 0) break;
    const b = Atomics.add(schedule.batches, k, 1);
    if (b >= batchesOf(t.units[k], size)) continue;
    const { docs, problems, findings, json } = read(k, b);
    t.send({ kind: 'batch', owner: Atomics.load(schedule.owners, k), unit: k, batch: b, problems, findings, ...(json ? { text: JSON.stringify(docs) } : { docs }) });
    if (t.between) await t.between();
  }
  // The batches of this thread's units that others took.
  const missing = () => [...mine].reduce((n, [, parts]) => n + parts.filter((p) => !p).length, 0);
  for (let left = missing(); left > 0; left = missing()) {
    const m = await t.receive();
    if (m === 'lost') {
      for (const [k, parts] of mine) for (let b = 0; b < parts.length; b++) parts[b] ??= read(k, b);
    } else {
      const parts = mine.get(m.unit);
      if (parts && !parts[m.batch]) parts[m.batch] = { docs: m.text !== undefined ? (JSON.parse(m.text) as ManifestDoc[]) : m.docs!, problems: m.problems, findings: m.findings, json: m.text !== undefined };
    }
  }
  return [...mine].map(([k, parts]) => {
    const whole = parts as BatchRead[];
    return { unit: t.units[k].unit, docs: whole.flatMap((p) => p.docs), problems: whole.flatMap((p) => p.problems), findings: whole.flatMap((p) => p.findings), json: whole.every((p) => p.json) };
  });
}
