/**
 * Benchmarks `tenantctl validate` against kubeconform on the same files, as a user runs each: whole
 * processes, start-up to exit. For each size of `--tenants` (default 1,000 and 3,000), the fleet of
 * scripts/fixtures/large-fleet.ts is written and synthesized into a temporary repository; then, in
 * turn, `node bin/tenantctl.mjs -C <repository> validate` (strict schemas and policies, exactly what
 * the command does) and `kubeconform -strict -summary -n <cpus>` on its generated/, with strict
 * schemas generated from the same vendored inputs (kustomize's own kustomization.yaml files skipped
 * by both, so both count the same objects, which is checked). Prints the median of `--repeat` runs
 * of each, objects per second, the ratio and PASS/FAIL next to the target (tenantctl's throughput
 * ≥ 2× kubeconform's), with the machine's load average (os.loadavg) before and after.
 *
 * tenantctl runs with a cache directory of its own (TENANTCTL_CACHE_DIR, new for each size):
 * `tenantctl tenants` reads the tenant files into it, then the first validate compiles the validators
 * and parses the schemas into it, and is printed apart as the cold run; the second run, which keeps
 * V8's code cache of the validators, too; the median is of the runs after them, with validators loaded
 * from the cache as on any machine that ran validate before. Each median comes with the median CPU
 * seconds (user + system, all threads) of the same runs, on Linux. No validation result is cached: every run
 * parses and validates every file. Then, in this process, the command's phases are timed one after
 * another (secondary: they show the pipeline's own cost, whatever the start-up costs): compiling the
 * tenant files, then checkTree, the read, validation and policies the command runs.
 *
 *   npx tsx scripts/bench-validate.ts [repository] [--tenants 1000,3000] [--repeat 3] [--keep]
 *                                     [--no-kubeconform] [--no-phases]
 *
 * `repository`: benchmark that repository (fleet.ts, generated/) instead of synthetic fleets.
 * kubeconform is taken from PATH or $(go env GOPATH)/bin, else installed with
 * `GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0` (needs Go and
 * a Go module proxy) into the user cache. `--keep` keeps the temporary repositories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSchemaSource } from '../lib/io/read-schemas.ts';
import { cacheRoot } from '../lib/io/user-cache.ts';
import type { KubeObject } from '../lib/model/resource.ts';
import { policyTiers } from '../lib/policy/engine.ts';
import { checkTree } from '../lib/validate/check-tree.ts';
import { readAndValidate } from '../lib/validate/index.ts';
import { OBJECT_META_DEFINITION, strictDefinitions, strictSchema, type JsonSchema } from '../lib/validate/strict-schema.ts';
import { compileWorkspace } from '../lib/workspace/compile.ts';
import { removeLargeFleet, writeLargeFleet } from './fixtures/large-fleet.ts';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KUBECONFORM = 'github.com/yannh/kubeconform/cmd/kubeconform';
const KUBECONFORM_VERSION = 'v0.8.0';
/** tenantctl's whole-process throughput over kubeconform's, at least. */
const TARGET = 2;

interface Args {
  repository?: string;
  tenants: number[];
  repeat: number;
  keep: boolean;
  kubeconform: boolean;
  phases: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { tenants: [1000, 3000], repeat: 3, keep: false, kubeconform: true, phases: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tenants') args.tenants = argv[++i].split(',').map((n) => Number(n.replace(/_/g, '')));
    else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--keep') args.keep = true;
    else if (a === '--no-kubeconform') args.kubeconform = false;
    else if (a === '--no-phases') args.phases = false;
    else if (!a.startsWith('--')) args.repository = resolve(a);
    else throw new Error(`unknown option ${a}`);
  }
  if (args.tenants.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tenants takes positive integers, e.g. 1000,3000');
  return args;
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perSecond = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
const count = (n: number) => n.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// kubeconform

function findKubeconform(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v kubeconform'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  const installed = join(cacheRoot(), 'kubeconform', KUBECONFORM_VERSION, 'kubeconform');
  if (existsSync(installed)) return installed;
  try {
    const bin = join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'kubeconform');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** kubeconform from PATH or GOPATH, else built from its Go module into the user cache (keyed by version). */
function ensureKubeconform(): string | undefined {
  const found = findKubeconform();
  if (found) return found;
  const gobin = join(cacheRoot(), 'kubeconform', KUBECONFORM_VERSION);
  console.log(`kubeconform: not found; installing ${KUBECONFORM}@${KUBECONFORM_VERSION} into ${gobin} (go install)`);
  const run = spawnSync('go', ['install', `${KUBECONFORM}@${KUBECONFORM_VERSION}`], { env: { ...process.env, GOFLAGS: '-mod=mod', GOBIN: gobin }, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  const bin = join(gobin, 'kubeconform');
  if (run.status === 0 && existsSync(bin)) return bin;
  console.log(`kubeconform: go install failed (exit ${run.status ?? run.error?.message}); run: GOFLAGS=-mod=mod go install ${KUBECONFORM}@${KUBECONFORM_VERSION}`);
  return undefined;
}

/** Every definition reachable from `roots` through `#/definitions/...` refs. */
function closure(definitions: Record<string, JsonSchema>, roots: string[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name] || !definitions[name]) continue;
    out[name] = definitions[name];
    for (const [, ref] of JSON.stringify(definitions[name]).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) queue.push(ref);
  }
  return out;
}

/** Standalone strict schemas in kubeconform's layout `{kind}-{group}-{version}.json`, for the kinds in `objects`. */
function writeKubeconformSchemas(dir: string, objects: readonly KubeObject[]): number {
  const source = readSchemaSource();
  const defs = strictDefinitions(source.definitions);
  const byGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(source.definitions)) {
    for (const g of (schema['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []) {
      byGvk.set(`${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`, name);
    }
  }
  let written = 0;
  for (const key of new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`))) {
    const slash = key.lastIndexOf('/');
    const apiVersion = key.slice(0, slash);
    const kind = key.slice(slash + 1);
    const parts = apiVersion.split('/');
    const core = byGvk.get(key);
    let schema: JsonSchema | undefined;
    if (core) schema = { ...defs[core], definitions: closure(defs, [core]) };
    else {
      const crd = source.crds.find((c) => `${c.group}/${c.version}` === apiVersion && c.kind === kind);
      if (crd) schema = { ...strictSchema(crd.schema, { objectMetaRef: `#/definitions/${OBJECT_META_DEFINITION}` }, true), definitions: closure(defs, [OBJECT_META_DEFINITION]) };
    }
    if (!schema) continue;
    writeFileSync(join(dir, `${kind.toLowerCase()}-${parts[0]}-${parts[parts.length - 1]}.json`), JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }));
    written++;
  }
  return written;
}

/**
 * CPU seconds (user + system) of this process's children that have ended so far, from
 * /proc/self/stat (Linux; undefined elsewhere): what a run used on all its threads, which other work
 * on the machine inflates less than wall time.
 */
function childCpu(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    // cutime and cstime: fields 16 and 17 of stat(5), the 14th and 15th after the command name; in clock ticks (100 a second on Linux).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** A spawned run's CPU seconds, from childCpu() before and after it. */
function cpuSince(before: number | undefined): number | undefined {
  const after = childCpu();
  return before === undefined || after === undefined ? undefined : after - before;
}

const cpuText = (runs: Array<{ cpu?: number }>) => (runs.every((r) => r.cpu !== undefined) ? `, CPU ${median(runs.map((r) => r.cpu!)).toFixed(2)} s` : '');

interface KubeconformRun {
  wall: number;
  cpu?: number;
  summary: string;
  /** Resources found less the kustomization.yaml files skipped. */
  objects: number;
}

function runKubeconform(bin: string, schemaDir: string, generated: string): KubeconformRun {
  const cpu = childCpu();
  const t = performance.now();
  const run = spawnSync(
    bin,
    // Skips kustomize's own kustomization.yaml files, as tenantctl does (not Flux Kustomizations, which both validate).
    ['-strict', '-summary', '-n', String(availableParallelism()), '-schema-location', join(schemaDir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'), '-skip', 'kustomize.config.k8s.io/v1beta1/Kustomization', generated],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const wall = seconds(t);
  const summary = run.stdout.trim().split('\n').filter((l) => l.startsWith('Summary')).pop() ?? `exit ${run.status}: ${run.stderr.trim().split('\n')[0]}`;
  const num = (re: RegExp) => Number(re.exec(summary)?.[1] ?? NaN);
  return { wall, cpu: cpuSince(cpu), summary, objects: num(/(\d+) resources? found/) - num(/Skipped: (\d+)/) };
}

// ---------------------------------------------------------------------------------------------
// tenantctl

interface TenantctlRun {
  wall: number;
  cpu?: number;
  objects: number;
  summary: string;
}

/** `tenantctl validate` as a user runs it: a whole process of this checkout's CLI. */
function runTenantctl(root: string, cacheDir: string): TenantctlRun {
  const cpu = childCpu();
  const t = performance.now();
  const run = spawnSync(process.execPath, [join(CHECKOUT, 'bin', 'tenantctl.mjs'), '-C', root, 'validate'], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TENANTCTL_CACHE_DIR: cacheDir } });
  const wall = seconds(t);
  // 0: valid; 1: findings (still a whole run). Anything else is a failure of the benchmark.
  if (run.status !== 0 && run.status !== 1) throw new Error(`tenantctl validate exited ${run.status}:\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  const summary = run.stdout.trim().split('\n').filter((l) => l.startsWith('validated ')).pop() ?? '';
  return { wall, cpu: cpuSince(cpu), objects: Number(/validated (\d+) objects?/.exec(summary)?.[1] ?? NaN), summary };
}

/**
 * The command's phases in this process (lib/cli/commands/validate.ts, without rendering): the tenant
 * files compiled, then the tree checked as the command checks it (checkTree: read, validated and
 * checked by policy on every core), timed apart.
 */
async function phases(root: string): Promise<string> {
  let t = performance.now();
  const compiled = await compileWorkspace(root);
  const compile = seconds(t);
  t = performance.now();
  const inputs = { clusters: compiled.fleet.clusters, environments: compiled.environments, fleet: compiled.fleet, tiers: policyTiers(compiled.templates.tiers) };
  const checked = await checkTree(join(root, 'generated'), { base: root, root: CHECKOUT, today: new Date().toISOString().slice(0, 10), policies: Promise.resolve(inputs) });
  const check = seconds(t);
  const total = compile + check;
  return `compile tenant files ${compile.toFixed(2)} s, read + validate + policies (${availableParallelism()} threads, ${checked.mode}) ${check.toFixed(2)} s; ${total.toFixed(2)} s, ${perSecond(checked.objects, total)} objects/s`;
}

// ---------------------------------------------------------------------------------------------

interface SizeResult {
  label: string;
  objects: number;
  cold: number;
  ours: number;
  theirs?: number;
  same?: boolean;
  loadBefore: string;
  loadAfter: string;
}

async function benchRepository(label: string, root: string, args: Args, kubeconform: string | undefined): Promise<SizeResult> {
  const generated = join(root, 'generated');
  const cacheDir = mkdtempSync(join(tmpdir(), 'tenantctl-bench-cache-'));
  const schemaDir = kubeconform ? mkdtempSync(join(tmpdir(), 'tenantctl-kubeconform-')) : undefined;
  try {
    const loadBefore = load();
    console.log(`\n${label}: load average ${loadBefore} (${availableParallelism()} CPUs)`);
    // `tenants` reads the tenant files into the fresh cache directory (not what this benchmark is
    // about); the first validate then fills the rest (schemas, compiled validators): the cold run.
    const tenants = spawnSync(process.execPath, [join(CHECKOUT, 'bin', 'tenantctl.mjs'), '-C', root, 'tenants'], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TENANTCTL_CACHE_DIR: cacheDir } });
    if (tenants.status !== 0) throw new Error(`tenantctl tenants exited ${tenants.status}:\n${tenants.stderr.slice(-2000)}`);
    const cold = runTenantctl(root, cacheDir);
    console.log(`  tenantctl validate, first run (no validators)  ${cold.wall.toFixed(2)} s  ${cold.summary}`);
    // The second run loads the validators from their code and keeps V8's code cache of them; the runs after it load them compiled.
    const second = runTenantctl(root, cacheDir);
    console.log(`  tenantctl validate, second run (keeps V8's code cache of the validators)  ${second.wall.toFixed(2)} s`);
    if (schemaDir && kubeconform) {
      const { docs } = await readAndValidate(generated, { base: root, root: CHECKOUT });
      const written = writeKubeconformSchemas(schemaDir, docs.map((d) => d.object));
      console.log(`  kubeconform: ${written} strict schemas generated from the same vendored inputs (not timed)`);
      runKubeconform(kubeconform, schemaDir, generated); // warms the file system cache for it as the first run did for tenantctl
    }
    // Interleaved, so that both see the same machine state.
    const ours: TenantctlRun[] = [];
    const theirs: KubeconformRun[] = [];
    for (let i = 0; i < args.repeat; i++) {
      ours.push(runTenantctl(root, cacheDir));
      if (schemaDir && kubeconform) theirs.push(runKubeconform(kubeconform, schemaDir, generated));
    }
    const objects = ours[0].objects;
    const o = median(ours.map((r) => r.wall));
    const times = (runs: Array<{ wall: number }>) => runs.map((r) => r.wall.toFixed(2)).join(', ');
    console.log(`  tenantctl validate, median of ${args.repeat}               ${o.toFixed(2)} s  ${perSecond(objects, o).padStart(7)} objects/s  (${times(ours)} s${cpuText(ours)})`);
    let k: number | undefined;
    let same: boolean | undefined;
    if (theirs.length) {
      k = median(theirs.map((r) => r.wall));
      const kObjects = theirs[0].objects;
      same = kObjects === objects;
      console.log(`  kubeconform -strict -n ${availableParallelism()}, median of ${args.repeat}         ${k.toFixed(2)} s  ${perSecond(kObjects, k).padStart(7)} objects/s  (${times(theirs)} s${cpuText(theirs)})  ${theirs[0].summary}`);
      console.log(`  same objects: ${same ? 'yes' : 'NO'} (tenantctl ${count(objects)}, kubeconform ${count(kObjects)} after skipping kustomization.yaml)`);
      console.log(`  tenantctl / kubeconform throughput: ${(k / o).toFixed(2)}x (cold run: ${(k / cold.wall).toFixed(2)}x)   target >= ${TARGET}x: ${k / o >= TARGET && same ? 'PASS' : 'FAIL'}`);
    }
    if (args.phases) {
      const previous = process.env.TENANTCTL_CACHE_DIR;
      process.env.TENANTCTL_CACHE_DIR = cacheDir;
      try {
        console.log(`  in this process (secondary): ${await phases(root)}`);
      } finally {
        if (previous === undefined) delete process.env.TENANTCTL_CACHE_DIR;
        else process.env.TENANTCTL_CACHE_DIR = previous;
      }
    }
    const loadAfter = load();
    console.log(`  load average after: ${loadAfter}`);
    return { label, objects, cold: cold.wall, ours: o, theirs: k, same, loadBefore, loadAfter };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    if (schemaDir) rmSync(schemaDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const kubeconform = args.kubeconform ? ensureKubeconform() : undefined;
  const results: SizeResult[] = [];
  if (args.repository) {
    if (!existsSync(join(args.repository, 'generated'))) throw new Error(`${args.repository} has no generated/`);
    results.push(await benchRepository(args.repository, args.repository, args, kubeconform));
  } else {
    for (const tenants of args.tenants) {
      const t = performance.now();
      const fleet = writeLargeFleet({ tenants, synth: true });
      console.log(`\nfleet: ${count(tenants)} tenants (scripts/fixtures/large-fleet.ts) synthesized into ${fleet.root} in ${seconds(t).toFixed(1)} s`);
      try {
        results.push(await benchRepository(`${count(tenants)} tenants`, fleet.root, args, kubeconform));
      } finally {
        if (args.keep) console.log(`kept ${fleet.root}`);
        else removeLargeFleet(fleet.root);
      }
    }
  }

  console.log(`\nsummary: tenantctl validate vs kubeconform -strict, whole processes, median of ${args.repeat}; target >= ${TARGET}x kubeconform's objects/s`);
  console.log(`  ${'size'.padEnd(14)}${'objects'.padStart(9)}${'tenantctl'.padStart(11)}${'kubeconform'.padStart(13)}${'ratio'.padStart(8)}  target  load before -> after`);
  for (const r of results) {
    const ratio = r.theirs !== undefined ? r.theirs / r.ours : undefined;
    const verdict = ratio === undefined ? 'n/a ' : ratio >= TARGET && r.same ? 'PASS' : 'FAIL';
    console.log(`  ${r.label.slice(-14).padEnd(14)}${count(r.objects).padStart(9)}${`${r.ours.toFixed(2)} s`.padStart(11)}${(r.theirs !== undefined ? `${r.theirs.toFixed(2)} s` : '-').padStart(13)}${(ratio !== undefined ? `${ratio.toFixed(2)}x` : '-').padStart(8)}  ${verdict}    ${r.loadBefore} -> ${r.loadAfter}`);
  }
  if (!kubeconform && args.kubeconform) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
