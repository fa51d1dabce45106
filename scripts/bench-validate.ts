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
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { readManifests } from '../lib/io/read-manifests.ts';
import { DEFAULT_KUBERNETES_VERSION, readSchemaSource } from '../lib/io/read-schemas.ts';
import type { KubeObject } from '../lib/model/resource.ts';
import { contextsFromDocs } from '../lib/policy/context.ts';
import { countFindings, runPolicies } from '../lib/policy/engine.ts';
import type { ClusterInfo } from '../lib/policy/types.ts';
import { SchemaRegistry } from '../lib/validate/registry.ts';
import { OBJECT_META_DEFINITION, strictDefinitions, strictSchema, type JsonSchema } from '../lib/validate/strict-schema.ts';
import { validateWith } from '../lib/validate/validate.ts';

interface Args {
  dir: string;
  synthetic?: number;
  kubeconform: boolean;
  kubernetesVersion: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { dir: 'generated', kubeconform: true, kubernetesVersion: DEFAULT_KUBERNETES_VERSION };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--synthetic') args.synthetic = Number(argv[++i]);
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let dir = args.dir;
  let cleanup: string | undefined;
  if (args.synthetic) {
    const t = performance.now();
    dir = await writeSynthetic(args.synthetic);
    cleanup = join(dir, '..');
    console.log(`synthetic: ${args.synthetic} tenant environments written to ${dir} in ${fmt(seconds(t))}`);
  }
  if (!existsSync(dir)) throw new Error(`${dir} does not exist; run tenantctl synth first, or pass --synthetic N`);

  try {
    const total = performance.now();
    let t = performance.now();
    const { docs, problems } = readManifests(dir);
    const load = seconds(t);

    t = performance.now();
    const registry = new SchemaRegistry(readSchemaSource({ kubernetesVersion: args.kubernetesVersion }));
    const build = seconds(t);
    t = performance.now();
    const schemaFindings = validateWith(registry, docs);
    const firstValidate = seconds(t);
    t = performance.now();
    validateWith(registry, docs);
    const warmValidate = seconds(t);

    t = performance.now();
    const clusterNames = [...new Set(docs.map((d) => relative(dir, join(process.cwd(), d.file)).split('/')[0]))];
    const clusters: ClusterInfo[] = clusterNames.map((name) => ({ name, region: 'unknown', baseDomain: 'invalid', capacity: { cpu: Infinity, memoryGi: Infinity } }));
    const { contexts } = contextsFromDocs(docs, { clusters });
    const findings = runPolicies(contexts, { today: new Date().toISOString().slice(0, 10) });
    const policies = seconds(t);
    const all = seconds(total);

    const n = docs.length;
    const counts = countFindings(findings);
    console.log(`objects:              ${n} (${new Set(docs.map((d) => d.file)).size} files, ${problems.length} unreadable)`);
    console.log(`load YAML:            ${fmt(load)}`);
    console.log(`build schema registry:${fmt(build).padStart(9)} (${registry.kinds().length} kinds known)`);
    console.log(`validate (1st pass):  ${fmt(firstValidate)}  incl. compiling the validators of the kinds seen`);
    console.log(`validate (warm):      ${fmt(warmValidate)}  ${Math.round(n / warmValidate)} objects/s`);
    console.log(`policies:             ${fmt(policies)}  ${Math.round(n / policies)} objects/s  (${counts.errors} errors, ${counts.warnings} warnings)`);
    const byPolicy = new Map<string, number>();
    for (const f of findings) byPolicy.set(f.policy, (byPolicy.get(f.policy) ?? 0) + 1);
    if (byPolicy.size) console.log(`  by policy:          ${[...byPolicy].sort((a, b) => b[1] - a[1]).map(([p, k]) => `${p} ${k}`).join(', ')}`);
    console.log(`schema findings:      ${schemaFindings.length}`);
    console.log(`total:                ${fmt(all)}  ${Math.round(n / all)} objects/s (load + schemas + policies)`);

    if (!args.kubeconform) return;
    const kubeconform = findKubeconform();
    if (!kubeconform) {
      console.log('kubeconform: not installed (GOFLAGS=-mod=mod go install github.com/yannh/kubeconform/cmd/kubeconform@latest)');
      return;
    }
    const schemaDir = mkdtempSync(join(tmpdir(), 'tenantctl-kubeconform-'));
    try {
      t = performance.now();
      const written = writeKubeconformSchemas(schemaDir, docs.map((d) => d.object), args.kubernetesVersion);
      console.log(`kubeconform schemas:  ${written} written to ${schemaDir} in ${fmt(seconds(t))}`);
      t = performance.now();
      const run = spawnSync(kubeconform, ['-strict', '-summary', '-n', '2', '-schema-location', join(schemaDir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'), '-skip', 'Kustomization', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const elapsed = seconds(t);
      const summary = run.stdout.trim().split('\n').filter((l) => l.startsWith('Summary')).pop() ?? run.stdout.trim().split('\n').slice(-3).join(' | ');
      console.log(`kubeconform -strict:  ${fmt(elapsed)}  ${Math.round(n / elapsed)} objects/s  (${summary}${run.stderr.trim() ? `; stderr: ${run.stderr.trim().split('\n')[0]}` : ''})`);
      console.log(`tenantctl schemas:    ${fmt(build + firstValidate)} cold in-process (${Math.round(n / (build + firstValidate))} objects/s), ${Math.round(n / warmValidate)} objects/s warm`);
    } finally {
      rmSync(schemaDir, { recursive: true, force: true });
    }
  } finally {
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
