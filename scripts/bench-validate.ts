/**
 * Benchmarks offline validation against kubeconform on the same files: by default the output of
 * 1,000 tenants (the fleet of scripts/bench-synth.ts, compiled with `tenantctl synth` into a
 * temporary repository), or any generated/ tree given as `dir`.
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
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
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

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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

const REGIONS = ['eu-west', 'eu-central'] as const;
const VERSIONS = ['17.0', '18.0', '19.0'] as const;

/** The fleet of scripts/bench-synth.ts: the example clusters with capacities that 1,000 tenants fit in. */
const FLEET = `import { defineFleet } from './lib/fleet/schema.ts';

export default defineFleet({
  gitops: { repoURL: 'https://github.com/odoo-hosting/tenantctl.git', branch: 'main', path: 'generated' },
  secretStore: { kind: 'ClusterSecretStore', name: 'vault' },
  issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' },
  allowedRegistries: ['registry.odoo-hosting.example/', 'ghcr.io/cloudnative-pg/', 'docker.io/library/redis'],
  images: {
    postgres: { '15': 'ghcr.io/cloudnative-pg/postgresql:15.10', '16': 'ghcr.io/cloudnative-pg/postgresql:16.6', '17': 'ghcr.io/cloudnative-pg/postgresql:17.2' },
    redis: 'docker.io/library/redis:7.4.2',
    tools: 'registry.odoo-hosting.example/platform/db-tools:2025.11.1',
  },
  regions: {
    'eu-west': { objectStorage: { endpoint: 'https://s3.eu-west.odoo-hosting.example', bucket: 'tenantctl-eu-west', lockedBucket: 'tenantctl-eu-west-locked', cidrs: ['198.18.10.0/24'] } },
    'eu-central': { objectStorage: { endpoint: 'https://s3.eu-central.odoo-hosting.example', bucket: 'tenantctl-eu-central', lockedBucket: 'tenantctl-eu-central-locked', cidrs: ['198.18.20.0/24'] } },
  },
  clusters: [
    { name: 'eu-west-shared-1', region: 'eu-west', tiers: ['shared'], capacity: { cpu: 100000, memoryGi: 400000 }, baseDomain: 'eu-west.erp.odoo-hosting.example' },
    { name: 'eu-west-dedicated-1', region: 'eu-west', tiers: ['dedicated', 'regulated'], capacity: { cpu: 100000, memoryGi: 400000 }, baseDomain: 'eu-west.erp.odoo-hosting.example' },
    { name: 'eu-central-1', region: 'eu-central', tiers: ['shared', 'dedicated', 'regulated'], capacity: { cpu: 100000, memoryGi: 400000 }, baseDomain: 'eu-central.erp.odoo-hosting.example' },
    { name: 'eu-central-2', region: 'eu-central', tiers: ['shared', 'dedicated'], capacity: { cpu: 100000, memoryGi: 400000 }, baseDomain: 'eu-central.erp.odoo-hosting.example' },
  ],
});
`;

/** Tenant `i` of scripts/bench-synth.ts's fleet: 60% shared, 30% dedicated (a third hybrid), 10% regulated. */
function tenantSource(i: number): string {
  const name = `t${String(i).padStart(4, '0')}`;
  const region = REGIONS[i % 2];
  const other = REGIONS[(i + 1) % 2];
  const version = VERSIONS[i % 3];
  const slot = i % 10;
  const tier = slot < 6 ? 'shared' : slot < 9 ? 'dedicated' : 'regulated';
  const host = (env: string) => `${name}-${env}.${region}.erp.odoo-hosting.example`;
  const envs: string[] = [`production: { domains: ['${host('production')}', 'erp.${name}.example'] }`];
  if (tier === 'dedicated' && i % 3 === 0) envs.push(`staging: { tier: 'shared', workers: 2, domains: ['${host('staging')}'] }`);
  if (tier === 'dedicated' && i % 3 === 1) envs.push(`staging: { replicas: 1, domains: ['${host('staging')}'] }`);
  if (tier === 'regulated') envs.push(`validation: { replicas: 2, domains: ['${host('validation')}'] }`);
  if (tier === 'shared' && i % 4 === 0) envs.push(`training: { domains: ['${host('training')}'] }`);
  const extra =
    tier === 'regulated'
      ? `  backup: { rpoMinutes: 5, retentionDays: 2555, crossRegion: '${other}' },\n`
      : tier === 'dedicated'
        ? `  database: { storage: '${40 + (i % 5) * 20}Gi', instances: ${2 + (i % 2)} },\n  egress: [{ name: 'edi', cidr: '198.51.100.${i % 250}/32', port: 443 }],\n`
        : '';
  return `import { defineTenant } from '../lib/tenant/schema.ts';

/** Synthetic tenant ${i} for the benchmarks. */
export default defineTenant({
  name: '${name}',
  displayName: 'Tenant ${i}',
  tier: '${tier}',
  region: '${region}',
  odoo: { version: '${version}', image: 'registry.odoo-hosting.example/odoo/odoo:${version}-20251110', workers: ${tier === 'shared' ? 2 : 4}${i % 7 === 0 ? ", addons: ['stock_barcode']" : ''} },
  environments: {
    ${envs.join(',\n    ')},
  },
${extra}  labels: { owner: 'team-${i % 13}', costCenter: 'CC-${1000 + (i % 97)}' },
});
`;
}

/**
 * A temporary repository with `tenants` tenant files (the fleet of scripts/bench-synth.ts), compiled
 * with `tenantctl synth`; returns its root. lib/, tiers/, vendor/ and node_modules/ link to this checkout.
 */
function synthFleet(tenants: number): string {
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-bench-fleet-'));
  for (const dir of ['lib', 'tiers', 'vendor', 'node_modules']) symlinkSync(join(HERE, dir), join(root, dir));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench-fleet', private: true, type: 'module' }) + '\n');
  writeFileSync(join(root, 'fleet.ts'), FLEET);
  mkdirSync(join(root, 'tenants'));
  for (let i = 0; i < tenants; i++) writeFileSync(join(root, 'tenants', `t${String(i).padStart(4, '0')}.ts`), tenantSource(i));
  const run = spawnSync(process.execPath, [join(HERE, 'bin', 'tenantctl.mjs'), '-C', root, 'synth'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`tenantctl synth exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return root;
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
      const root = synthFleet(args.tenants);
      dir = join(root, 'generated');
      console.log(`fleet: ${args.tenants} tenants (the fleet of scripts/bench-synth.ts) synthesized into ${dir} in ${fmt(seconds(t))}`);
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
