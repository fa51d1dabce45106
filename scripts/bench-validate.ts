/**
 * Benchmarks offline validation: loads every YAML file under a directory (default generated/),
 * validates schemas and runs the policies, and prints objects, seconds and objects/second.
 * With kubeconform installed (`GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@latest`),
 * it also runs `kubeconform -strict -summary` on the same files, with schemas generated from the
 * same vendored inputs into a temporary directory (never into the repository).
 *
 *   npx tsx scripts/bench-validate.ts [dir] [--synthetic N] [--no-kubeconform] [--kubernetes-version 1.36.0]
 *
 * `--synthetic N` writes N copies of the compliant tenant environment of test/policy/fixtures.ts
 * into a temporary generated/ tree and benchmarks that.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { readManifestsParallel } from '../lib/io/read-manifests-parallel.ts';
import type { ManifestDoc } from '../lib/validate/findings.ts';
import { DEFAULT_KUBERNETES_VERSION, readSchemaSource } from '../lib/io/read-schemas.ts';
import type { KubeObject } from '../lib/model/resource.ts';
import { contextsFromDocs } from '../lib/policy/context.ts';
import { countFindings, runPolicies } from '../lib/policy/engine.ts';
import type { ClusterInfo } from '../lib/policy/types.ts';
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

/** One run of tenantctl's offline validation on `dir`: phases timed in process, in seconds. */
interface OurRun {
  objects: number;
  files: number;
  unreadable: number;
  load: number;
  /** Reading the vendored schemas and building the registry. */
  build: number;
  /** First validation pass, which compiles the validators of the kinds seen. */
  validate: number;
  policies: number;
  schemaFindings: number;
  errors: number;
  warnings: number;
  byPolicy: Array<[string, number]>;
}

async function measureOurs(dir: string, kubernetesVersion: string, keep?: (docs: ManifestDoc[], registry: SchemaRegistry) => void): Promise<OurRun> {
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
  const clusterNames = [...new Set(docs.map((d) => relative(dir, join(process.cwd(), d.file)).split('/')[0]))];
  const clusters: ClusterInfo[] = clusterNames.map((name) => ({ name, region: 'unknown', baseDomain: 'invalid', capacity: { cpu: Infinity, memoryGi: Infinity } }));
  const { contexts } = contextsFromDocs(docs, { clusters });
  const findings = runPolicies(contexts, { today: new Date().toISOString().slice(0, 10) });
  const policies = seconds(t);

  const counts = countFindings(findings);
  const byPolicy = new Map<string, number>();
  for (const f of findings) byPolicy.set(f.policy, (byPolicy.get(f.policy) ?? 0) + 1);
  keep?.(docs, registry);
  return {
    objects: docs.length,
    files: new Set(docs.map((d) => d.file)).size,
    unreadable: problems.length,
    load,
    build,
    validate,
    policies,
    schemaFindings: schemaFindings.length,
    errors: counts.errors,
    warnings: counts.warnings,
    byPolicy: [...byPolicy].sort((a, b) => b[1] - a[1]),
  };
}

const CHILD = '--measure-child';

/** Runs measureOurs in a fresh node process; returns its phases and the wall-clock time of the whole process. */
function measureOursInChild(dir: string, kubernetesVersion: string): OurRun & { wall: number } {
  const t = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD, dir, kubernetesVersion], { cwd: process.cwd(), encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = seconds(t);
  if (run.status !== 0) throw new Error(`measuring child exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
  return { ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as OurRun), wall };
}

interface KubeconformRun {
  wall: number;
  summary: string;
  resources: number;
  skipped: number;
  invalid: number;
  errors: number;
  stderr: string;
}

function runKubeconform(bin: string, schemaDir: string, dir: string): KubeconformRun {
  const t = performance.now();
  const run = spawnSync(bin, ['-strict', '-summary', '-n', String(Math.max(1, availableParallelism())), '-schema-location', join(schemaDir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'), '-skip', 'kustomize.config.k8s.io/v1beta1/Kustomization', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = seconds(t);
  const lines = run.stdout.trim().split('\n');
  const summary = lines.filter((l) => l.startsWith('Summary')).pop() ?? lines.slice(-3).join(' | ');
  const num = (re: RegExp) => Number(re.exec(summary)?.[1] ?? NaN);
  return { wall, summary, resources: num(/(\d+) resources? found/), skipped: num(/Skipped: (\d+)/), invalid: num(/Invalid: (\d+)/), errors: num(/Errors: (\d+)/), stderr: run.stderr.trim() };
}

const median = <T>(runs: T[], by: (r: T) => number): T => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)];
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} objects/s`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === CHILD) {
    process.stdout.write(JSON.stringify(await measureOurs(argv[1], argv[2])) + '\n');
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
    // In this process: phases, and a warm validation pass for the steady-state rate.
    let warm = 0;
    const inProcess = await measureOurs(dir, args.kubernetesVersion, (docs, registry) => {
      const t = performance.now();
      validateWith(registry, docs);
      warm = seconds(t);
      if (args.kubeconform) kinds = docs.map((d) => d.object);
    });
    const n = inProcess.objects;
    console.log(`objects:               ${n} in ${inProcess.files} files (${inProcess.unreadable} unreadable), ${availableParallelism()} CPUs`);
    console.log(`in process (warm JIT): load YAML ${fmt(inProcess.load)}, schema registry ${fmt(inProcess.build)}, validate ${fmt(inProcess.validate)} (warm ${fmt(warm)}, ${rate(n, warm)}), policies ${fmt(inProcess.policies)}`);
    console.log(`findings:              ${inProcess.schemaFindings} schema, ${inProcess.errors} policy errors, ${inProcess.warnings} policy warnings${inProcess.byPolicy.length ? ` (${inProcess.byPolicy.map(([p, k]) => `${p} ${k}`).join(', ')})` : ''}`);

    const ours: Array<OurRun & { wall: number }> = [];
    const theirs: KubeconformRun[] = [];
    const kubeconform = args.kubeconform ? findKubeconform() : undefined;
    if (args.kubeconform && !kubeconform) console.log('kubeconform: not installed (GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@latest)');
    const schemaDir = kubeconform ? mkdtempSync(join(tmpdir(), 'tenantctl-kubeconform-')) : undefined;
    try {
      if (kubeconform && schemaDir) {
        const t = performance.now();
        const written = writeKubeconformSchemas(schemaDir, kinds, args.kubernetesVersion);
        console.log(`kubeconform schemas:   ${written} strict schemas generated from the same vendored inputs in ${fmt(seconds(t))}`);
      }
      // Fresh processes, interleaved, so both tools see the same machine state.
      for (let i = 0; i < args.repeat; i++) {
        ours.push(measureOursInChild(dir, args.kubernetesVersion));
        if (kubeconform && schemaDir) theirs.push(runKubeconform(kubeconform, schemaDir, dir));
      }
    } finally {
      if (schemaDir) rmSync(schemaDir, { recursive: true, force: true });
    }

    const o = median(ours, (r) => r.wall);
    const schemaOnly = o.load + o.build + o.validate;
    const all = schemaOnly + o.policies;
    console.log(`\ntenantctl, fresh process (median of ${args.repeat}: ${ours.map((r) => r.wall.toFixed(2)).join(', ')} s wall):`);
    console.log(`  load YAML             ${fmt(o.load)}`);
    console.log(`  schema registry       ${fmt(o.build)}`);
    console.log(`  validate (cold)       ${fmt(o.validate)}`);
    console.log(`  policies              ${fmt(o.policies)}`);
    console.log(`  schema-only           ${fmt(schemaOnly)}  ${rate(o.objects, schemaOnly)}  (load + registry + validate)`);
    console.log(`  total                 ${fmt(all)}  ${rate(o.objects, all)}  (load + registry + validate + policies)`);
    console.log(`  whole process         ${fmt(o.wall)}  ${rate(o.objects, o.wall)}  (node + tsx start-up, module loading, all of the above, exit)`);
    if (theirs.length) {
      const k = median(theirs, (r) => r.wall);
      const kObjects = k.resources - k.skipped;
      console.log(`kubeconform -strict -n ${availableParallelism()}, fresh process (median of ${args.repeat}: ${theirs.map((r) => r.wall.toFixed(2)).join(', ')} s wall):`);
      console.log(`  whole process         ${fmt(k.wall)}  ${rate(kObjects, k.wall)}  (${k.summary}${k.stderr ? `; stderr: ${k.stderr.split('\n')[0]}` : ''})`);
      console.log(`same objects:          ${kObjects === o.objects ? 'yes' : 'NO'} (tenantctl ${o.objects}, kubeconform ${k.resources} found - ${k.skipped} Kustomization skipped = ${kObjects})`);
      console.log(`speed-up vs kubeconform: ${(k.wall / all).toFixed(2)}x on total (schemas + policies), ${(k.wall / schemaOnly).toFixed(2)}x schema-only, ${(k.wall / o.wall).toFixed(2)}x whole process to whole process`);
    }
  } finally {
    if (cleanup && !args.keep) rmSync(cleanup, { recursive: true, force: true });
    else if (cleanup) console.log(`kept ${cleanup}`);
  }
}

let kinds: KubeObject[] = [];

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
