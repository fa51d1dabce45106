/**
 * Benchmarks offline validation against kubeconform on the same files: by default the output of
 * 1,000 tenants (the fleet of scripts/fixtures/large-fleet.ts, compiled with `tenantctl synth` into
 * a temporary repository), or any generated/ tree given as `dir`.
 *
 * Prints the objects, each phase timed in this process (YAML load, schema registry, validation
 * cold and warm, policies), then fresh-process runs of both tools, interleaved, median of
 * `--repeat`: tenantctl's schema validation (read and validate, as `readAndValidate` does it), the
 * same plus the policies, and the whole process; kubeconform's whole process (`-strict -n <cpus>`,
 * with strict schemas generated from the same vendored inputs into a temporary directory); objects
 * per second and the ratios. Both count the same objects: kustomize's own kustomization.yaml files
 * are skipped by both.
 *
 *   npx tsx scripts/bench-validate.ts [dir] [--tenants 1000] [--synthetic N] [--repeat 3] [--keep]
 *                                     [--no-kubeconform] [--kubernetes-version 1.36.0]
 *
 * kubeconform: `GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@latest`
 * (found on PATH or in $(go env GOPATH)/bin). `--synthetic N` benchmarks N copies of the compliant
 * environment of test/policy/fixtures.ts instead of a synthesized fleet. `--keep` keeps the
 * temporary repository. Policies get the clusters of `<dir>/../fleet.ts` when there is one, but no
 * tenant sources, so the domain and region policies report custom domains and cross-region backups.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import type { FleetSpec } from '../lib/fleet/schema.ts';
import { readManifestsParallel } from '../lib/io/read-manifests-parallel.ts';
import { DEFAULT_KUBERNETES_VERSION, readSchemaSource } from '../lib/io/read-schemas.ts';
import type { KubeObject } from '../lib/model/resource.ts';
import { contextsFromDocs } from '../lib/policy/context.ts';
import { countFindings, runPolicies } from '../lib/policy/engine.ts';
import type { ClusterInfo } from '../lib/policy/types.ts';
import type { ManifestDoc } from '../lib/validate/findings.ts';
import { readAndValidate } from '../lib/validate/index.ts';
import { SchemaRegistry } from '../lib/validate/registry.ts';
import { OBJECT_META_DEFINITION, strictDefinitions, strictSchema, type JsonSchema } from '../lib/validate/strict-schema.ts';
import { validateWith } from '../lib/validate/validate.ts';
import { writeLargeFleet } from './fixtures/large-fleet.ts';

interface Args {
  dir?: string;
  synthetic?: number;
  tenants: number;
  keep: boolean;
  kubeconform: boolean;
  kubernetesVersion: string;
  /** Fresh-process runs of each tool; the median is reported. */
  repeat: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { tenants: 1000, keep: false, kubeconform: true, kubernetesVersion: DEFAULT_KUBERNETES_VERSION, repeat: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--synthetic') args.synthetic = Number(argv[++i]);
    else if (a === '--tenants') args.tenants = Number(argv[++i]);
    else if (a === '--keep') args.keep = true;
    else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--no-kubeconform') args.kubeconform = false;
    else if (a === '--kubernetes-version') args.kubernetesVersion = argv[++i];
    else if (!a.startsWith('--')) args.dir = a;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const fmt = (s: number) => `${s.toFixed(3)} s`;

async function writeSynthetic(copies: number): Promise<string> {
  const { compliantObjects } = await import('../test/policy/fixtures.ts');
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-bench-'));
  const template = JSON.stringify(compliantObjects());
  for (let i = 0; i < copies; i++) {
    const objects = JSON.parse(template.replaceAll('acme', `t${i}`)) as KubeObject[];
    const dir = join(root, 'generated', 'eu-1', 'tenants', `t${i}-production`);
    mkdirSync(dir, { recursive: true });
    for (const o of objects) writeFileSync(join(dir, `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), stringify(o));
  }
  return join(root, 'generated');
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

/** Standalone strict schemas in kubeconform's template layout `{kind}-{group}-{version}.json`, for the kinds in `objects`. */
function writeKubeconformSchemas(dir: string, objects: readonly KubeObject[], kubernetesVersion: string): number {
  const source = readSchemaSource({ kubernetesVersion });
  const defs = strictDefinitions(source.definitions);
  const byGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(source.definitions)) {
    for (const g of (schema['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []) {
      byGvk.set(`${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`, name);
    }
  }
  const wanted = new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`));
  let written = 0;
  for (const key of wanted) {
    const slash = key.lastIndexOf('/');
    const apiVersion = key.slice(0, slash);
    const kind = key.slice(slash + 1);
    const parts = apiVersion.split('/');
    const file = join(dir, `${kind.toLowerCase()}-${parts[0]}-${parts[parts.length - 1]}.json`);
    const core = byGvk.get(key);
    let schema: JsonSchema | undefined;
    if (core) {
      schema = { ...defs[core], definitions: closure(defs, [core]) };
    } else {
      const crd = source.crds.find((c) => `${c.group}/${c.version}` === apiVersion && c.kind === kind);
      if (crd) schema = { ...strictSchema(crd.schema, { objectMetaRef: `#/definitions/${OBJECT_META_DEFINITION}` }, true), definitions: closure(defs, [OBJECT_META_DEFINITION]) };
    }
    if (!schema) continue;
    writeFileSync(file, JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }));
    written++;
  }
  return written;
}

function findKubeconform(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v kubeconform'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  try {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    const bin = join(gopath, 'bin', 'kubeconform');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

interface PolicyCounts {
  policyErrors: number;
  policyWarnings: number;
  byPolicy: Array<[string, number]>;
}

/** The policies on `docs`, as `tenantctl validate` runs them but without the tenant sources. */
async function runPoliciesOn(dir: string, docs: readonly ManifestDoc[]): Promise<PolicyCounts> {
  const clusters = await clustersOf(dir, docs);
  const { contexts } = contextsFromDocs(docs, { clusters });
  const findings = runPolicies(contexts, { today: new Date().toISOString().slice(0, 10) });
  const counts = countFindings(findings);
  const byPolicy = new Map<string, number>();
  for (const f of findings) byPolicy.set(f.policy, (byPolicy.get(f.policy) ?? 0) + 1);
  return { policyErrors: counts.errors, policyWarnings: counts.warnings, byPolicy: [...byPolicy].sort((a, b) => b[1] - a[1]) };
}

/** The phases one after another, in this process, for the breakdown; in seconds. */
interface Phases extends PolicyCounts {
  objects: number;
  files: number;
  unreadable: number;
  schemaFindings: number;
  load: number;
  /** Reading the vendored schemas and building the registry. */
  build: number;
  /** First validation pass, which compiles the validators of the kinds seen. */
  validate: number;
  warm: number;
  policies: number;
  kinds: number;
}

async function measurePhases(dir: string, kubernetesVersion: string): Promise<{ phases: Phases; objects: KubeObject[] }> {
  let t = performance.now();
  const { docs, problems } = await readManifestsParallel(dir);
  const load = seconds(t);
  t = performance.now();
  const registry = new SchemaRegistry(readSchemaSource({ kubernetesVersion }));
  const build = seconds(t);
  t = performance.now();
  const schemaFindings = validateWith(registry, docs);
  const validate = seconds(t);
  t = performance.now();
  validateWith(registry, docs);
  const warm = seconds(t);
  t = performance.now();
  const policyCounts = await runPoliciesOn(dir, docs);
  const policies = seconds(t);
  const objects = docs.map((d) => d.object);
  return {
    phases: {
      objects: docs.length,
      files: new Set(docs.map((d) => d.file)).size,
      unreadable: problems.length,
      schemaFindings: schemaFindings.length,
      load,
      build,
      validate,
      warm,
      policies,
      kinds: new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`)).size,
      ...policyCounts,
    },
    objects,
  };
}

/** One run as `tenantctl validate` would do it: read and validate pipelined (readAndValidate), then the policies. */
interface Run extends PolicyCounts {
  objects: number;
  unreadable: number;
  schemaFindings: number;
  /** Reading, building the registry, compiling and validating: what kubeconform does. */
  schemas: number;
  policies: number;
}

async function measureRun(dir: string, kubernetesVersion: string): Promise<Run> {
  let t = performance.now();
  const { docs, problems, findings } = await readAndValidate(dir, { kubernetesVersion });
  const schemas = seconds(t);
  t = performance.now();
  const policyCounts = await runPoliciesOn(dir, docs);
  const policies = seconds(t);
  return { objects: docs.length, unreadable: problems.length, schemaFindings: findings.length, schemas, policies, ...policyCounts };
}

/**
 * The clusters of the fleet whose output `dir` is (`<dir>/../fleet.ts`), as the policies need them;
 * without a fleet file, one cluster per top-level folder, of unknown region and domain (the region
 * and domain policies then report every object).
 */
async function clustersOf(dir: string, docs: readonly ManifestDoc[]): Promise<ClusterInfo[]> {
  const fleetFile = join(dir, '..', 'fleet.ts');
  if (existsSync(fleetFile)) {
    const fleet = ((await import(pathToFileURL(resolve(fleetFile)).href)) as { default: FleetSpec }).default;
    return fleet.clusters.map((c) => ({ name: c.name, region: c.region, baseDomain: c.baseDomain, capacity: c.capacity }));
  }
  const names = [...new Set(docs.map((d) => relative(dir, join(process.cwd(), d.file)).split('/')[0]))];
  return names.map((name) => ({ name, region: 'unknown', baseDomain: 'invalid', capacity: { cpu: Infinity, memoryGi: Infinity } }));
}

const CHILD = '--measure-child';

/** measureRun in a fresh node process; with the wall-clock time of the whole process, start-up to exit. */
function measureRunInChild(dir: string, kubernetesVersion: string): Run & { wall: number } {
  const t = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD, dir, kubernetesVersion], { cwd: process.cwd(), encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = seconds(t);
  if (run.status !== 0) throw new Error(`measuring child exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return { ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as Run), wall };
}

interface KubeconformRun {
  wall: number;
  summary: string;
  resources: number;
  skipped: number;
  stderr: string;
}

function runKubeconform(bin: string, schemaDir: string, dir: string): KubeconformRun {
  const t = performance.now();
  const run = spawnSync(
    bin,
    // Skips kustomize's own kustomization.yaml files, as tenantctl does (not Flux Kustomizations, which both validate).
    ['-strict', '-summary', '-n', String(availableParallelism()), '-schema-location', join(schemaDir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'), '-skip', 'kustomize.config.k8s.io/v1beta1/Kustomization', dir],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const wall = seconds(t);
  const lines = run.stdout.trim().split('\n');
  const summary = lines.filter((l) => l.startsWith('Summary')).pop() ?? lines.slice(-3).join(' | ');
  const num = (re: RegExp) => Number(re.exec(summary)?.[1] ?? NaN);
  return { wall, summary, resources: num(/(\d+) resources? found/), skipped: num(/Skipped: (\d+)/), stderr: run.stderr.trim() };
}

const median = <T>(runs: T[], by: (r: T) => number): T => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)];
const perSecond = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === CHILD) {
    process.stdout.write(JSON.stringify(await measureRun(argv[1], argv[2])) + '\n');
    return;
  }
  const args = parseArgs(argv);
  let dir = args.dir;
  let cleanup: string | undefined;
  if (!dir) {
    const t = performance.now();
    if (args.synthetic) {
      dir = await writeSynthetic(args.synthetic);
      console.log(`synthetic: ${args.synthetic} copies of the policy fixture environment written to ${dir} in ${fmt(seconds(t))}`);
    } else {
      dir = writeLargeFleet({ tenants: args.tenants, synth: true }).generated;
      console.log(`fleet: ${args.tenants} tenants (scripts/fixtures/large-fleet.ts) synthesized into ${dir} in ${fmt(seconds(t))}`);
    }
    cleanup = join(dir, '..');
  }
  if (!existsSync(dir)) throw new Error(`${dir} does not exist`);

  try {
    const { phases: p, objects } = await measurePhases(dir, args.kubernetesVersion);
    const n = p.objects;
    console.log(`objects:  ${n} in ${p.files} files (${p.unreadable} unreadable), ${p.kinds} kinds; ${availableParallelism()} CPUs`);
    console.log(`findings: ${p.schemaFindings} schema; policies (clusters from ${existsSync(join(dir, '..', 'fleet.ts')) ? 'fleet.ts' : 'folder names'}, no tenant sources): ${p.policyErrors} errors, ${p.policyWarnings} warnings${p.byPolicy.length ? ` (${p.byPolicy.map(([k, c]) => `${k} ${c}`).join(', ')})` : ''}`);
    console.log(`\nphases one after another, in this process:`);
    console.log(`  load YAML             ${fmt(p.load)}  ${perSecond(n, p.load)} objects/s (${availableParallelism()} threads)`);
    console.log(`  schema registry       ${fmt(p.build)}`);
    console.log(`  validate, cold        ${fmt(p.validate)}  ${perSecond(n, p.validate)} objects/s, incl. compiling the validators of ${p.kinds} kinds`);
    console.log(`  validate, warm        ${fmt(p.warm)}  ${perSecond(n, p.warm)} objects/s`);
    console.log(`  policies              ${fmt(p.policies)}  ${perSecond(n, p.policies)} objects/s`);

    const ours: Array<Run & { wall: number }> = [];
    const theirs: KubeconformRun[] = [];
    const kubeconform = args.kubeconform ? findKubeconform() : undefined;
    if (args.kubeconform && !kubeconform) console.log('kubeconform: not installed (GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@latest)');
    const schemaDir = kubeconform ? mkdtempSync(join(tmpdir(), 'tenantctl-kubeconform-')) : undefined;
    try {
      if (kubeconform && schemaDir) {
        const t = performance.now();
        const written = writeKubeconformSchemas(schemaDir, objects, args.kubernetesVersion);
        console.log(`\nkubeconform schemas: ${written} strict schemas generated from the same vendored inputs in ${fmt(seconds(t))} (not timed below)`);
      }
      // Fresh processes, the two tools interleaved, so that both see the same machine state.
      for (let i = 0; i < args.repeat; i++) {
        ours.push(measureRunInChild(dir, args.kubernetesVersion));
        if (kubeconform && schemaDir) theirs.push(runKubeconform(kubeconform, schemaDir, dir));
      }
    } finally {
      if (schemaDir) rmSync(schemaDir, { recursive: true, force: true });
    }

    const o = median(ours, (r) => r.wall);
    const total = o.schemas + o.policies;
    const row = (label: string, s: number, objects: number, note = '') => console.log(`  ${label.padEnd(38)}${s.toFixed(3).padStart(7)} s ${perSecond(objects, s).padStart(9)} objects/s${note ? `  ${note}` : ''}`);
    console.log(`\nfresh processes, median of ${args.repeat} (tenantctl ${ours.map((r) => r.wall.toFixed(2)).join(', ')} s; kubeconform ${theirs.map((r) => r.wall.toFixed(2)).join(', ') || '-'} s):`);
    row('tenantctl schemas (load + validate)', o.schemas, o.objects, `read and validated as readAndValidate does (${o.schemaFindings} findings, ${o.unreadable} unreadable)`);
    row('tenantctl total (+ policies)', total, o.objects, `policies ${o.policies.toFixed(3)} s`);
    row('tenantctl whole process', o.wall, o.objects, 'node + tsx start-up, module loading, all of the above, exit');
    if (theirs.length) {
      const k = median(theirs, (r) => r.wall);
      const kObjects = k.resources - k.skipped;
      row(`kubeconform -strict -n ${availableParallelism()}, whole process`, k.wall, kObjects, `${k.summary}${k.stderr ? `; stderr: ${k.stderr.split('\n')[0]}` : ''}`);
      console.log(`same objects: ${kObjects === o.objects ? 'yes' : 'NO'} (tenantctl ${o.objects}; kubeconform ${k.resources} found - ${k.skipped} kustomization.yaml skipped = ${kObjects})`);
      console.log(`kubeconform time / tenantctl time: ${(k.wall / o.schemas).toFixed(2)}x schemas, ${(k.wall / total).toFixed(2)}x total with policies, ${(k.wall / o.wall).toFixed(2)}x whole process to whole process`);
    }
  } finally {
    if (cleanup && !args.keep) rmSync(cleanup, { recursive: true, force: true });
    else if (cleanup) console.log(`kept ${cleanup}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
