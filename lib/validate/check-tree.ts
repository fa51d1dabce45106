/**
 * `tenantctl validate` over generated/: every file read and validated against the schemas, and the
 * policies run, on every core, without moving the parsed objects between threads.
 *
 * generated/ holds one folder per cluster, and the policies look at one cluster at a time, so each
 * thread takes whole folders (the largest first, each thread the next one as it becomes free), reads
 * and validates their files, and once the tenant files are compiled runs the per-cluster policies on
 * them where they are. Only findings travel, plus the few objects the fleet-wide checks look at
 * (`Policy.fleetObjects`). Copying 55,000 objects to one thread and checking them there one cluster
 * after another cost more than a second at 1,000 tenants. A few folders do not share out evenly over
 * the threads, so a thread with no folder left reads batches of the folders the others are still
 * reading and sends them to their owner (lib/validate/unit-batches.ts): the threads finish together.
 * The workers start while the tree is listed, so that they are ready (validators loaded) when it is.
 *
 * The result is exactly that of reading on one thread, validating every document, grouping them by
 * cluster (lib/policy/context.ts) and `runPolicies`: the same problems, schema findings and policy
 * findings in the same order. That holds when every object of a folder belongs to the cluster the
 * folder is named for (as synth writes them); when some does not (a `tenantctl.io/cluster` label
 * naming another cluster, files outside a cluster folder), the objects are gathered on this thread
 * after all and checked there. When the folders cannot be shared out evenly (one cluster, or one
 * much larger than the others), the files are read in batches shared by all threads and the
 * objects copied to this thread, as lib/io/read-manifests-parallel.ts does.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Fleet } from '../fleet/schema.ts';
import { batchValidator, keepCompiledValidators, readManifestsParallel } from '../io/read-manifests-parallel.ts';
import { yamlFiles, type ReadManifestsOptions, type YamlFile } from '../io/read-manifests.ts';
import type { ReadSchemasOptions } from '../io/read-schemas.ts';
import { poolSize, startWorker, stopWorkers } from '../io/worker-pool.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import type { KubeObject } from '../model/resource.ts';
import { clusterOfDoc, contextsFromDocs } from '../policy/context.ts';
import { clusterFindings, fleetFindings, POLICIES, policyEnvironments, runPolicies, settleFindings } from '../policy/engine.ts';
import type { ClusterInfo, Finding, PolicyContext, PolicyTiers } from '../policy/types.ts';
import type { ManifestDoc, SchemaFinding } from './findings.ts';
import type { SchemaRegistry } from './registry.ts';
import { newSchedule, readBatches, type HelpedBatch, type Schedule, type Unit, type UnitFiles, type UnitRead } from './unit-batches.ts';
import { validateWith } from './validate.ts';

export type { Unit, UnitRead } from './unit-batches.ts';

/** What the policies need besides the objects: from the compiled tenant files and fleet.ts. Crosses threads. */
export interface PolicyInputs {
  readonly clusters: readonly ClusterInfo[];
  readonly environments: readonly TenantEnvironment[];
  readonly fleet?: Fleet;
  readonly tiers?: PolicyTiers;
}

export interface CheckTreeOptions extends ReadSchemasOptions {
  /** Findings name files relative to this directory. @default process.cwd() */
  readonly base?: string;
  readonly yaml?: ReadManifestsOptions['yaml'];
  /** Resolves once the tenant files are compiled; the files are read and validated meanwhile. A rejection ends the check with it. */
  readonly policies: Promise<PolicyInputs>;
  /** `YYYY-MM-DD`: waivers that expired before this day no longer apply. */
  readonly today: string;
  /** Worker threads besides this one. @default availableParallelism() - 1 */
  readonly workers?: number;
  /** Trees with fewer YAML files are read on this thread only. @default 2000 */
  readonly minFilesForWorkers?: number;
  /**
   * Largest load of one thread (files of the folders it takes) over an even share, beyond which
   * the files are read in shared batches instead. @default 1.25
   */
  readonly maxImbalance?: number;
  /** Validate against this registry, on this thread (tests). Reads in shared batches. */
  readonly registry?: SchemaRegistry;
  /** Files per batch a thread takes of a cluster folder (tests). @default BATCH_SIZE of unit-batches.ts */
  readonly batchSize?: number;
}

/** How the tree was checked (tests, benchmarks). */
export type CheckTreeMode = 'shared-batches' | 'by-cluster' | 'by-cluster-gathered';

export interface CheckTreeResult {
  /** Documents read (kustomize files and empty documents left out). */
  readonly objects: number;
  /** `manifest.unreadable` findings, in file order. */
  readonly problems: SchemaFinding[];
  /** Schema findings, in file order. */
  readonly findings: SchemaFinding[];
  /** Policy findings, waivers applied, sorted: `runPolicies` on every cluster. */
  readonly policyFindings: Finding[];
  readonly mode: CheckTreeMode;
}

/** The listing cut into runs of files of the same top folder, in file order. */
export function unitsOf(paths: readonly string[], dir: string): Unit[] {
  const root = join(dir);
  const prefix = root.endsWith(sep) ? root : root + sep;
  const units: Unit[] = [];
  for (let i = 0; i < paths.length; i++) {
    const rest = paths[i].slice(prefix.length);
    const slash = rest.indexOf(sep);
    const name = slash < 0 ? '' : rest.slice(0, slash);
    const last = units[units.length - 1];
    if (last && last.name === name && last.to === i) units[units.length - 1] = { ...last, to: i + 1 };
    else units.push({ index: units.length, name, from: i, to: i + 1 });
  }
  return units;
}

/**
 * The order threads take units in, largest first, each thread taking the next one as it becomes
 * free (so that a thread that starts later, or runs slower, takes less); undefined when the largest
 * unit alone is more than `maxImbalance` times an even share of the files, so that the threads
 * cannot finish together.
 */
export function unitOrder(units: readonly Unit[], threads: number, maxImbalance: number): Unit[] | undefined {
  if (threads < 2 || units.length < 2) return undefined;
  const size = (u: Unit) => u.to - u.from;
  const order = [...units].sort((a, b) => size(b) - size(a) || a.index - b.index);
  const total = units.reduce((n, u) => n + size(u), 0);
  return size(order[0]) > (maxImbalance * total) / threads ? undefined : order;
}

/** What a thread found by policy on its units; `pure`: each unit's objects all belong to the cluster it is named for. */
export interface UnitsChecked {
  readonly pure: boolean;
  /** Per unit with objects: its cluster's findings before waivers, and the objects the fleet checks look at. */
  readonly units: ReadonlyArray<{ readonly unit: number; readonly findings: Finding[]; readonly fleetDocs: ManifestDoc[] }>;
}

/** Objects the fleet checks need of a cluster: those their `fleetObjects` select, or all when one has none. */
function fleetDocsOf(docs: readonly ManifestDoc[]): ManifestDoc[] {
  const fleet = POLICIES.filter((p) => p.checkFleet);
  if (fleet.some((p) => !p.fleetObjects)) return [...docs];
  return docs.filter((d) => fleet.some((p) => p.fleetObjects!(d.object)));
}

function contextOf(cluster: ClusterInfo, docs: readonly ManifestDoc[], inputs: PolicyInputs): PolicyContext {
  // As contextsFromDocs builds it.
  const files = new Map<KubeObject, string>(docs.map((d) => [d.object, d.file]));
  return { cluster, objects: docs.map((d) => d.object), files, environments: inputs.environments, fleet: inputs.fleet, tiers: inputs.tiers, source: undefined };
}

/** Runs the per-cluster policies on a thread's units, when each is one cluster's; see UnitsChecked. */
export function checkUnits(reads: readonly UnitRead[], inputs: PolicyInputs): UnitsChecked {
  const names = new Set(inputs.clusters.map((c) => c.name));
  const pure = reads.every((r) => r.docs.every((d) => clusterOfDoc(d, names) === r.unit.name));
  if (!pure) return { pure, units: [] };
  const checked = reads.filter((r) => r.docs.length > 0).map((r) => ({ read: r, context: contextOf(inputs.clusters.find((c) => c.name === r.unit.name)!, r.docs, inputs) }));
  // Those of every context: the same list on every thread, as all contexts share `inputs.environments`.
  const environments = policyEnvironments(checked.map((c) => c.context));
  return { pure, units: checked.map(({ read, context }) => ({ unit: read.unit.index, findings: clusterFindings(context, POLICIES, environments), fleetDocs: fleetDocsOf(read.docs) })) };
}

/** What the worker (check-tree-worker.ts) starts with, while the tree is listed. */
export interface CheckTreeWorkerData {
  /** The worker's number in Schedule.owners (1…). */
  readonly thread: number;
  readonly yaml: CheckTreeOptions['yaml'];
  readonly validate: ReadSchemasOptions;
  readonly batchSize?: number;
}

/** Messages to a worker: the units once listed, batches read for it, the policy inputs, then gather or done. */
export type ToWorker =
  | { readonly kind: 'units'; readonly units: readonly UnitFiles[]; readonly schedule: Schedule }
  | HelpedBatch
  | { readonly kind: 'lost' }
  | { readonly kind: 'inputs'; readonly inputs: PolicyInputs }
  | { readonly kind: 'gather' }
  | { readonly kind: 'done' };
export type FromWorker =
  | HelpedBatch
  | { readonly kind: 'read'; readonly unit: number; readonly objects: number; readonly problems: SchemaFinding[]; readonly findings: SchemaFinding[] }
  | { readonly kind: 'checked'; readonly checked: UnitsChecked }
  | { readonly kind: 'docs'; readonly unit: number; readonly docs?: ManifestDoc[]; readonly json?: string }
  | { readonly kind: 'gathered' };

/** Messages taken one at a time, in the order they were put. */
export function mailbox<T>(): { put: (m: T) => void; take: () => Promise<T> } {
  const queue: T[] = [];
  let waiting: ((m: T) => void) | undefined;
  return {
    put(m) {
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w(m);
      } else queue.push(m);
    },
    take: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve))),
  };
}

/** A unit's results, wherever it was read: its documents only when they are on this thread (or were gathered). */
interface UnitResult {
  objects: number;
  problems: SchemaFinding[];
  findings: SchemaFinding[];
  docs?: ManifestDoc[];
  clusterFindings?: Finding[];
  fleetDocs?: ManifestDoc[];
}

/** Folders directly under `dir` (0 when it cannot be read): most units the listing can give, but for files at the top. */
function topFolders(dir: string): number {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).length;
  } catch {
    return 0;
  }
}

/** Reads, validates and checks by policy every YAML file under `dir`; see the module comment. */
export async function checkTree(dir: string, options: CheckTreeOptions): Promise<CheckTreeResult> {
  // A compilation that fails while the files are read is this check's error, taken when it is awaited, not an unhandled rejection.
  options.policies.catch(() => undefined);
  const validateOptions: ReadSchemasOptions = { root: options.root, kubernetesVersion: options.kubernetesVersion, cacheDir: options.cacheDir };
  const minFiles = options.minFilesForWorkers ?? 2000;
  const wanted = (units: number) => (options.registry ? 0 : poolSize({ requested: options.workers, worthIt: true, limit: units - 1 }));
  // Workers start as soon as the listing has found enough files (a worker takes about as long to
  // start as the listing of a large tree takes), when the tree has folders to share out; those not
  // needed after all are stopped.
  const start = (thread: number) => startWorker(new URL('./check-tree-worker.ts', import.meta.url), { thread, yaml: options.yaml, validate: validateOptions, batchSize: options.batchSize } satisfies CheckTreeWorkerData);
  const started: Worker[] = [];
  let early = false;
  const found = yamlFiles(dir, options.base, (files) => {
    if (early || files < minFiles) return;
    early = true;
    for (let i = wanted(topFolders(dir)); i > 0; i--) started.push(start(started.length + 1));
  });
  const paths = found.map((f) => f.path);
  const files = found.map((f) => f.file);
  const units = unitsOf(paths, dir);
  const workers = paths.length < minFiles ? 0 : wanted(units.length);
  const order = workers > 0 ? unitOrder(units, workers + 1, options.maxImbalance ?? 1.25) : undefined;
  if (!order) {
    void stopWorkers(started);
    return sharedBatches(dir, found, options);
  }
  if (started.length > workers) void stopWorkers(started.splice(workers));
  while (started.length < workers) started.push(start(started.length + 1));

  const results: Array<UnitResult | undefined> = new Array(units.length);
  const schedule = newSchedule(order.length);
  const shared: UnitFiles[] = order.map((unit) => ({ unit, paths: paths.slice(unit.from, unit.to), files: files.slice(unit.from, unit.to) }));
  // Batches read for this thread, and word that a worker stopped (its batches are then read here).
  const batches = mailbox<HelpedBatch | 'lost'>();
  const pool = started.map((worker) => {
    const box = mailbox<FromWorker | undefined>();
    worker.on('message', (m: FromWorker) => {
      if (m.kind !== 'batch') box.put(m);
      else if (m.owner === 0) batches.put(m);
      else started[m.owner - 1]?.postMessage(m satisfies ToWorker);
    });
    const stopped = () => {
      box.put(undefined);
      batches.put('lost');
      for (const other of started) if (other !== worker) other.postMessage({ kind: 'lost' } satisfies ToWorker);
    };
    worker.once('error', stopped);
    worker.once('exit', stopped);
    worker.postMessage({ kind: 'units', units: shared, schedule } satisfies ToWorker);
    return { worker, next: box.take };
  });
  let failed = false;
  try {
    // Handed over as soon as they are known; a worker takes them once it has read its units. When
    // the tenant files do not compile, the check ends at once.
    options.policies.then(
      (inputs) => {
        for (const { worker } of pool) worker.postMessage({ kind: 'inputs', inputs } satisfies ToWorker);
      },
      () => {
        failed = true;
        void stopWorkers(started);
      },
    );
    const validate = (await batchValidator(validateOptions))!;
    // Between batches, the tenant files' compilation (I/O, awaits) goes on.
    const between = async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (failed) await options.policies;
    };
    // Each worker's reading and checking, taken in as it comes; a worker that fails leaves its units to this thread.
    const remoteDone = Promise.all(pool.map(async (w) => {
      const reads: Array<Extract<FromWorker, { kind: 'read' }>> = [];
      for (;;) {
        const m = await w.next();
        if (m?.kind === 'checked') return { reads, checked: m.checked };
        if (m?.kind !== 'read') return undefined;
        reads.push(m);
      }
    }));
    const mine = await readBatches({
      thread: 0,
      units: shared,
      schedule,
      batchSize: options.batchSize,
      yaml: options.yaml,
      validate,
      between,
      send: (m) => started[m.owner - 1]?.postMessage(m satisfies ToWorker),
      receive: batches.take,
    });
    await keepCompiledValidators(validateOptions);
    const inputs = await options.policies;
    const checked = [checkUnits(mine, inputs)];
    const remote = await remoteDone;
    // Units a failed worker took are read here.
    const done = new Set([...mine.map((r) => r.unit.index), ...remote.flatMap((r) => r?.reads.map((m) => m.unit) ?? [])]);
    const orphans: UnitRead[] = [];
    for (const [k, unit] of order.entries()) {
      if (done.has(unit.index)) continue;
      orphans.push(...(await readBatches({ thread: 0, units: [shared[k]], schedule: newSchedule(1), batchSize: options.batchSize, yaml: options.yaml, validate, send: () => undefined, receive: () => Promise.resolve('lost') })));
    }
    if (orphans.length > 0) {
      checked.push(checkUnits(orphans, inputs));
      mine.push(...orphans);
    }
    for (const r of mine) results[r.unit.index] = { objects: r.docs.length, problems: r.problems, findings: r.findings, docs: r.docs };
    for (const c of checked.flatMap((c) => c.units)) Object.assign(results[c.unit]!, { clusterFindings: c.findings, fleetDocs: c.fleetDocs });
    for (const r of remote) {
      if (!r) continue;
      for (const m of r.reads) results[m.unit] = { objects: m.objects, problems: m.problems, findings: m.findings };
      for (const c of r.checked.units) Object.assign(results[c.unit]!, { clusterFindings: c.findings, fleetDocs: c.fleetDocs });
    }
    const pure = checked.every((c) => c.pure) && remote.every((r) => !r || r.checked.pure);

    const all = results as UnitResult[];
    const problems = all.flatMap((r) => r.problems);
    const findings = all.flatMap((r) => r.findings);
    const objects = all.reduce((n, r) => n + r.objects, 0);
    if (pure) {
      return { objects, problems, findings, policyFindings: settleByCluster(units, all, inputs, options.today), mode: 'by-cluster' };
    }
    // Some object belongs elsewhere than its folder says: every document to this thread, checked as one list.
    for (const [i, r] of remote.entries()) {
      if (!r) continue;
      pool[i].worker.postMessage({ kind: 'gather' } satisfies ToWorker);
      for (let m = await pool[i].next(); m?.kind !== 'gathered'; m = await pool[i].next()) {
        if (m?.kind !== 'docs') throw new Error('internal error: a worker thread ended before it sent its documents');
        results[m.unit]!.docs = m.json !== undefined ? (JSON.parse(m.json) as ManifestDoc[]) : m.docs;
      }
    }
    const docs = all.flatMap((r) => r.docs!);
    const { contexts } = contextsFromDocs(docs, inputs);
    return { objects, problems, findings, policyFindings: runPolicies(contexts, { today: options.today }), mode: 'by-cluster-gathered' };
  } finally {
    await stopWorkers(started);
  }
}

/** runPolicies' result from each cluster's findings and the fleet checks on the objects they need, units being clusters. */
function settleByCluster(units: readonly Unit[], results: readonly UnitResult[], inputs: PolicyInputs, today: string): Finding[] {
  const byCluster = new Map<string, UnitResult>();
  for (const unit of units) if (results[unit.index].objects > 0) byCluster.set(unit.name, results[unit.index]);
  const clusters = inputs.clusters.filter((c) => byCluster.has(c.name));
  const contexts = clusters.map((c) => contextOf(c, byCluster.get(c.name)!.fleetDocs!, inputs));
  const environments = policyEnvironments(contexts);
  const found: Finding[] = [];
  for (const c of clusters) for (const f of byCluster.get(c.name)!.clusterFindings!) found.push(f);
  for (const f of fleetFindings(contexts, POLICIES, environments)) found.push(f);
  return settleFindings(found, environments, { today });
}

/** Files read in batches shared by every thread, the documents copied to this thread, the policies run here. */
async function sharedBatches(dir: string, found: readonly YamlFile[], options: CheckTreeOptions): Promise<CheckTreeResult> {
  const { registry } = options;
  const findings: SchemaFinding[] = [];
  const read = await readManifestsParallel(dir, {
    base: options.base,
    yaml: options.yaml,
    workers: options.workers,
    minFilesForWorkers: options.minFilesForWorkers,
    found,
    ...(registry
      ? { onBatch: (batch) => findings.push(...validateWith(registry, batch.docs)) }
      : { validate: { root: options.root, kubernetesVersion: options.kubernetesVersion, cacheDir: options.cacheDir } }),
  });
  const inputs = await options.policies;
  const { contexts } = contextsFromDocs(read.docs, inputs);
  return { objects: read.docs.length, problems: read.problems, findings: registry ? findings : (read.findings ?? []), policyFindings: runPolicies(contexts, { today: options.today }), mode: 'shared-batches' };
}

