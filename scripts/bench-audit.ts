/**
 * Benchmarks `tenantctl audit` at fleet scale against real API servers: the fleet of
 * scripts/fixtures/large-fleet.ts (1,000 tenants by default, 4 clusters) is synthesized, and each
 * cluster's generated/<cluster>/ is applied to its own control plane (test/control-plane: a real
 * kube-apiserver + etcd; one per cluster, since the clusters' objects share names). Then, in fresh
 * processes, median of `--repeat`:
 *
 * - the audit: `node bin/tenantctl.mjs -C <fleet> audit --kubeconfig <one context per cluster>
 *   --format json`, 2 clusters at a time (its default). A freshly applied fleet must give no
 *   findings and exit 0; anything else is printed and fails the run (a correctness check);
 * - the floor: listing the same objects with the same client, as the audit does and nothing else:
 *   for the 4 clusters at once, discovery, then the kinds `planListings` chooses (lib/audit/kinds.ts),
 *   page by page (500), 4 kinds at a time per cluster, items dropped. Its own child process, so it
 *   also pays Node start-up and its imports, as the audit does; what to list is worked out here;
 * - `kubectl diff --server-side` (kubectl of the same Kubernetes version) on the same manifests,
 *   the 4 clusters at once. It sends one dry-run apply per object, so it may take long: with
 *   `--kubectl-sample auto` (the default) a probe diffs 1 and N objects per cluster, and the full
 *   run is measured only when its projection fits `--kubectl-budget` seconds; otherwise the figure
 *   is extrapolated (linearly, through those two points) from N objects per cluster, and says so.
 *
 *   npx tsx scripts/bench-audit.ts [--tenants 1000] [--repeat 1] [--skip-kubectl]
 *                                  [--kubectl-sample auto|N|0] [--kubectl-budget 600] [--keep]
 *                                  [--profile DIR]
 *
 * `--kubectl-sample 0` always measures the full kubectl run; `--keep` keeps the fleet, the merged
 * kubeconfig and the control planes' data directories (the control planes are always stopped).
 * `--profile DIR` then runs the audit once more, unmeasured, with `node --cpu-prof --trace-gc`,
 * and writes the .cpuprofile files (one per thread), trace-gc.txt and rss.tsv (its RSS every 100 ms)
 * to DIR.
 * Seconds are wall-clock times of whole processes; peak memory is each process's maxRSS (from
 * /usr/bin/time, else polled from /proc), summed over the 4 kubectl processes. Targets (issue
 * "bench-audit"): the audit within 1.5× the floor, at least 10× faster than kubectl diff, under
 * 512 MB. Missing a target is reported, not an error; only a wrong audit exits non-zero.
 *
 * Pieces: scripts/lib/list-floor.ts (the floor's process), scripts/lib/measure-process.ts (time
 * and peak memory of a process), scripts/lib/apply-cluster.ts (server-side apply of a cluster).
 */
import type { GitOpsEngine } from '../lib/model/gitops-engine.ts';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KubeObject } from '../lib/model/resource.ts';
import type { ControlPlane } from '../test/control-plane/control-plane.ts';
import { GNU_TIME, measure, running, type Measured } from './lib/measure-process.ts';
import { applyCluster } from './lib/apply-cluster.ts';
import type { FloorCluster, FloorResult } from './lib/list-floor.ts';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = { floorRatio: 1.5, kubectlRatio: 10, peakMb: 512 };

interface Args {
  tenants: number;
  /** Fresh-process runs of each case; the median is reported. */
  repeat: number;
  kubectl: boolean;
  /** Objects per cluster kubectl diffs to extrapolate from; 0 = the full run; auto = full when it fits the budget. */
  kubectlSample: number | 'auto';
  /** Longest full kubectl run `auto` accepts, in seconds. */
  kubectlBudget: number;
  keep: boolean;
  /** Directory for a CPU profile and a GC trace of one more (unmeasured) audit. */
  profile?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { tenants: 1000, repeat: 1, kubectl: true, kubectlSample: 'auto', kubectlBudget: 600, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tenants') args.tenants = Number(argv[++i]);
    else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--skip-kubectl') args.kubectl = false;
    else if (a === '--kubectl-sample') args.kubectlSample = argv[++i] === 'auto' ? 'auto' : Number(argv[i]);
    else if (a === '--kubectl-budget') args.kubectlBudget = Number(argv[++i]);
    else if (a === '--keep') args.keep = true;
    else if (a === '--profile') args.profile = resolve(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (!(args.tenants > 0) || (args.kubectlSample !== 'auto' && !(args.kubectlSample >= 0))) throw new Error('--tenants and --kubectl-sample take positive numbers');
  return args;
}

const seconds = (from: number) => (performance.now() - from) / 1000;
const median = <T>(runs: readonly T[], by: (r: T) => number): T => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)];
const thousands = (n: number) => n.toLocaleString('en-US');

/** `objects` without duplicates of apiVersion/kind, first ones kept (what planListings reads of them), trimmed to their identity. */
function representatives(objects: readonly KubeObject[]): KubeObject[] {
  const seen = new Map<string, KubeObject>();
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    if (!seen.has(key)) seen.set(key, { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } } as KubeObject);
  }
  return [...seen.values()];
}

// ------------------------------------------------------------------------------------- setup

interface ClusterSetup {
  readonly name: string;
  readonly controlPlane: ControlPlane;
  /** Objects of generated/<cluster>/, kustomize's own files left out. */
  readonly objects: readonly KubeObject[];
  /** Their files, relative to generated/<cluster>/; one object each. */
  readonly files: readonly string[];
  readonly floor: FloorCluster;
}

/** One kubeconfig with a context per fleet cluster, named after it, pointing at its control plane. */
async function writeMergedKubeconfig(file: string, clusters: readonly ClusterSetup[]): Promise<void> {
  const { parse, stringify } = await import('yaml');
  type Named<K extends string> = { name: string } & Record<K, Record<string, unknown>>;
  const merged = { apiVersion: 'v1', kind: 'Config', clusters: [] as unknown[], users: [] as unknown[], contexts: [] as unknown[], 'current-context': clusters[0].name };
  for (const c of clusters) {
    const one = parse(readFileSync(c.controlPlane.kubeconfigPath, 'utf8')) as { clusters: Named<'cluster'>[]; users: Named<'user'>[]; contexts: Named<'context'>[]; 'current-context': string };
    const context = one.contexts.find((x) => x.name === one['current-context'])!.context;
    merged.clusters.push({ name: c.name, cluster: one.clusters.find((x) => x.name === context.cluster)!.cluster });
    merged.users.push({ name: `${c.name}-admin`, user: one.users.find((x) => x.name === context.user)!.user });
    merged.contexts.push({ name: c.name, context: { ...context, cluster: c.name, user: `${c.name}-admin` } });
  }
  writeFileSync(file, stringify(merged), { mode: 0o600 });
}

/** `files` of `from` linked (or copied) into `to`, in the same layout: what kubectl is given instead of generated/, which holds kustomization.yaml files. */
function mirror(from: string, files: readonly string[], to: string): string {
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    try {
      linkSync(join(from, f), join(to, f));
    } catch {
      copyFileSync(join(from, f), join(to, f));
    }
  }
  return to;
}

/** `n` of `files`, evenly spread over the sorted list. */
function spread(files: readonly string[], n: number): string[] {
  const sorted = [...files].sort();
  if (n >= sorted.length) return sorted;
  return Array.from({ length: n }, (_, k) => sorted[Math.floor((k * sorted.length) / n)]);
}

// ------------------------------------------------------------------------------------ the cases

interface Bench {
  readonly args: Args;
  readonly root: string;
  readonly work: string;
  readonly kubeconfig: string;
  readonly clusters: readonly ClusterSetup[];
}

interface AuditRun extends Measured {
  readonly report?: { clusters: Array<{ name: string; status: string; error?: string; findings: unknown[]; objects?: { desired: number; live: number } }> };
}

/** One `tenantctl audit` of the 4 clusters; `profile` adds Node's CPU profiler and GC trace, and an RSS timeline. */
async function runAudit(b: Bench, k: number | string, profile?: string): Promise<AuditRun> {
  const output = join(b.work, `audit-${k}.json`);
  const nodeOptions = profile ? ['--cpu-prof', '--cpu-prof-dir', profile, '--trace-gc'] : [];
  const args = [...nodeOptions, join(HERE, 'bin', 'tenantctl.mjs'), '-C', b.root, 'audit', '--kubeconfig', b.kubeconfig, '--format', 'json', '--output', output];
  const run = await measure(process.execPath, args, { cwd: b.root, timeline: !!profile });
  return { ...run, report: existsSync(output) ? JSON.parse(readFileSync(output, 'utf8')) : undefined };
}

/** Throws, with the first findings, unless the audit exited 0 with no findings on every cluster. */
function checkClean(run: AuditRun): void {
  const clusters = run.report?.clusters ?? [];
  const findings = clusters.flatMap((c) => c.findings.map((f) => ({ cluster: c.name, ...(f as object) })));
  const broken = clusters.filter((c) => c.status !== 'ok');
  if (run.code === 0 && run.report && findings.length === 0 && broken.length === 0) return;
  const lines = [
    `the audit of a freshly applied fleet must find nothing, but it exited ${run.code} with ${findings.length} findings${broken.length ? `, and ${broken.map((c) => `${c.name}: ${c.status} (${c.error})`).join('; ')}` : ''}`,
    ...findings.slice(0, 10).map((f) => `  ${JSON.stringify(f).slice(0, 600)}`),
  ];
  if (!run.report) lines.push(`stderr: ${run.stderr.trim().slice(-2000)}`);
  throw new Error(lines.join('\n'));
}

async function runFloor(b: Bench): Promise<Measured & { result: FloorResult }> {
  const plan = join(b.work, 'floor-plan.json');
  if (!existsSync(plan)) writeFileSync(plan, JSON.stringify({ kubeconfig: b.kubeconfig, clusters: b.clusters.map((c) => c.floor) }));
  const run = await measure(process.execPath, ['--import', 'tsx', join(HERE, 'scripts', 'lib', 'list-floor.ts'), plan], { cwd: HERE });
  if (run.code !== 0) throw new Error(`the floor exited ${run.code}:\n${run.stderr.trim().slice(-2000)}`);
  return { ...run, result: JSON.parse(run.stdout.trim().split('\n').pop()!) as FloorResult };
}

interface KubectlRun {
  readonly seconds: number;
  /** Sum over the clusters of each kubectl's maxRSS. */
  readonly peakMb: number;
  readonly objects: number;
  readonly diffLines: number;
  /** How many objects per cluster the figures were extrapolated from; absent for a full run. */
  readonly sampled?: number;
}

/** `kubectl diff --server-side` of each cluster's `dirs[name]`, the clusters at once. */
async function kubectlDiff(b: Bench, dirs: ReadonlyMap<string, string>): Promise<Array<Measured & { name: string }>> {
  return Promise.all(
    b.clusters.map(async (c) => {
      const { kubectl } = c.controlPlane.binaries;
      const args = ['--kubeconfig', c.controlPlane.kubeconfigPath, '--cache-dir', join(b.work, 'kubectl-cache', c.name), 'diff', '--server-side', '--field-manager=tenantctl', '--force-conflicts', '-R', '-f', dirs.get(c.name)!];
      const run = await measure(kubectl, args, { cwd: b.work });
      if (run.code === null || run.code > 1) throw new Error(`kubectl diff on ${c.name} exited ${run.code}:\n${run.stderr.trim().slice(-2000)}`);
      return { ...run, name: c.name };
    }),
  );
}

const sampleDirs = new Map<number, Map<string, string>>();

/** Per cluster, a folder of `n` of its files (all of them for n = Infinity), made once. */
function dirsOf(b: Bench, n: number): Map<string, string> {
  let dirs = sampleDirs.get(n);
  if (!dirs) {
    dirs = new Map(b.clusters.map((c) => [c.name, mirror(join(b.root, 'generated', c.name), spread(c.files, n), join(b.work, `kubectl-${n === Infinity ? 'all' : n}`, c.name))]));
    sampleDirs.set(n, dirs);
  }
  return dirs;
}

async function runKubectlFull(b: Bench): Promise<KubectlRun> {
  const runs = await kubectlDiff(b, dirsOf(b, Infinity));
  const objects = b.clusters.reduce((n, c) => n + c.files.length, 0);
  return { seconds: Math.max(...runs.map((r) => r.seconds)), peakMb: runs.reduce((s, r) => s + r.peakMb, 0), objects, diffLines: runs.reduce((s, r) => s + r.stdoutLines, 0) };
}

/**
 * Diffs 1, then `n` objects per cluster (the clusters at once), and extrapolates each cluster's
 * time linearly through those two points to all its objects; the clusters run at once, so the
 * fleet's figure is the slowest cluster's.
 */
async function runKubectlSample(b: Bench, n: number): Promise<KubectlRun> {
  const one = await kubectlDiff(b, dirsOf(b, 1));
  const many = await kubectlDiff(b, dirsOf(b, n));
  const projected = b.clusters.map((c, i) => {
    const sampled = Math.min(n, c.files.length);
    const perObject = sampled > 1 ? Math.max(0, many[i].seconds - one[i].seconds) / (sampled - 1) : 0;
    return one[i].seconds + perObject * (c.files.length - 1);
  });
  const objects = b.clusters.reduce((s, c) => s + c.files.length, 0);
  return { seconds: Math.max(...projected), peakMb: many.reduce((s, r) => s + r.peakMb, 0), objects, diffLines: many.reduce((s, r) => s + r.stdoutLines, 0), sampled: n };
}

// -------------------------------------------------------------------------------------- main

/** What setUp made so far, for the tear-down, also when it fails half-way. */
interface Made {
  root?: string;
  readonly controlPlanes: ControlPlane[];
}

async function setUp(args: Args, work: string, made: Made): Promise<Bench> {
  const { writeLargeFleet } = await import('./fixtures/large-fleet.ts');
  const { readManifests } = await import('../lib/io/read-manifests.ts');
  const { desiredCluster } = await import('../lib/audit/desired.ts');
  const { startControlPlane } = await import('../test/control-plane/control-plane.ts');

  let t = performance.now();
  const { root } = writeLargeFleet({ tenants: args.tenants, synth: true, prefix: 'tenantctl-bench-audit-' });
  made.root = root;
  const fleet = ((await import(pathToFileURL(join(root, 'fleet.ts')).href)) as { default: { clusters: Array<{ name: string; context?: string; engine?: GitOpsEngine }> } }).default;
  console.log(`setup: fleet of ${args.tenants} tenants synthesized into ${root} in ${seconds(t).toFixed(1)} s`);

  t = performance.now();
  // A /24 of Service IPs (the control plane's default) is too few for a cluster of a 1,000-tenant fleet.
  const started = await Promise.allSettled(fleet.clusters.map(() => startControlPlane({ log: () => {}, extraArgs: ['--service-cluster-ip-range=10.0.0.0/16'] })));
  const { controlPlanes } = made;
  for (const s of started) if (s.status === 'fulfilled') controlPlanes.push(s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  console.log(`setup: ${controlPlanes.length} control planes (Kubernetes ${controlPlanes[0].binaries.version}, one per cluster) started in ${seconds(t).toFixed(1)} s`);

  t = performance.now();
  const clusters = fleet.clusters.map((fc, i): ClusterSetup => {
    const dir = join(root, 'generated', fc.name);
    const { docs, problems } = readManifests(dir, { base: root });
    if (problems.length) throw new Error(`${dir}: ${problems.length} unreadable documents, e.g. ${problems[0].file}: ${problems[0].message}`);
    const kept = docs.filter((d) => !(d.object.kind === 'Kustomization' && d.object.apiVersion.startsWith('kustomize.config.k8s.io/')));
    const desired = desiredCluster(kept, fc.name);
    const prefix = `generated/${fc.name}/`;
    const files = [...new Set(kept.map((d) => d.file))].map((f) => (f.startsWith(prefix) ? f.slice(prefix.length) : f));
    if (files.length !== kept.length) throw new Error(`${dir}: ${kept.length} objects in ${files.length} files; the kubectl extrapolation assumes one object per file`);
    return {
      name: fc.name,
      controlPlane: controlPlanes[i],
      objects: kept.map((d) => d.object),
      files,
      floor: {
        name: fc.name,
        context: fc.context ?? fc.name,
        objects: representatives(desired.objects),
        ...(fc.engine ? { engine: fc.engine } : {}),
        engineFolders: desired.engineFolders.map((f) => ({ engine: f.engine, objects: representatives(f.objects) })),
      },
    };
  });
  await Promise.all(clusters.map((c) => applyCluster(c.controlPlane, c.objects)));
  const applied = clusters.reduce((n, c) => n + c.objects.length, 0);
  console.log(`setup: ${thousands(applied)} objects applied (server-side, 16 at a time per cluster) in ${seconds(t).toFixed(1)} s: ${clusters.map((c) => `${c.name} ${thousands(c.objects.length)}`).join(', ')}`);

  const kubeconfig = join(work, 'kubeconfig');
  await writeMergedKubeconfig(kubeconfig, clusters);
  return { args, root, work, kubeconfig, clusters };
}

/** Chooses how kubectl is measured: the full run, or a sample when the full run would not fit the budget. */
async function kubectlPlan(b: Bench): Promise<number> {
  const { kubectlSample: sample, kubectlBudget: budget } = b.args;
  if (sample !== 'auto') return sample;
  const t = performance.now();
  const probe = await runKubectlSample(b, 100);
  const full = probe.seconds * b.args.repeat;
  console.log(`setup: kubectl probe (1 and 100 objects per cluster, ${seconds(t).toFixed(1)} s): full run projected at ${probe.seconds.toFixed(0)} s per run, ${full <= budget ? `within the ${budget} s budget: measuring it` : `over the ${budget} s budget: extrapolating from 500 objects per cluster (--kubectl-sample 0 forces the full run)`}`);
  return full <= budget ? 0 : 500;
}

function printResults(b: Bench, floors: Array<Measured & { result: FloorResult }>, audits: AuditRun[], kubectls: KubectlRun[]): void {
  const floor = median(floors, (r) => r.seconds);
  const audit = median(audits, (r) => r.seconds);
  const kubectl = kubectls.length ? median(kubectls, (r) => r.seconds) : undefined;
  const desired = b.clusters.reduce((n, c) => n + c.objects.length, 0);
  const listed = floor.result.clusters.reduce((n, c) => n + c.listed, 0);
  const requests = floor.result.clusters.reduce((n, c) => n + c.requests, 0);
  const auditDesired = audit.report!.clusters.reduce((n, c) => n + (c.objects?.desired ?? 0), 0);
  const auditLive = audit.report!.clusters.reduce((n, c) => n + (c.objects?.live ?? 0), 0);

  const floorRatio = audit.seconds / floor.seconds;
  const kubectlRatio = kubectl ? kubectl.seconds / audit.seconds : NaN;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const kubectlCase = kubectl?.sampled ? `kubectl diff --server-side, EXTRAPOLATED from ${kubectl.sampled} objects/cluster` : 'kubectl diff --server-side (4 processes)';
  const rows: Array<[string, number, number, string]> = [
    ['floor: list the same kinds, same client', floor.seconds, floor.peakMb, ''],
    ['tenantctl audit --format json', audit.seconds, audit.peakMb, `${verdict(floorRatio <= TARGET.floorRatio)} (<= ${TARGET.floorRatio}x floor), ${verdict(audit.peakMb < TARGET.peakMb)} (< ${TARGET.peakMb} MB)`],
  ];
  if (kubectl) rows.push([kubectlCase, kubectl.seconds, kubectl.peakMb, `${verdict(kubectlRatio >= TARGET.kubectlRatio)} (audit >= ${TARGET.kubectlRatio}x faster: ${kubectlRatio.toFixed(1)}x)`]);
  const head = ['case (4 clusters, whole processes)', 'seconds', 'peak MB', 'x floor', 'target'];
  const table = [head, ...rows.map(([c, s, m, t]) => [c, s.toFixed(2), m.toFixed(0), (s / floor.seconds).toFixed(2), t])];
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  console.log('');
  for (const r of table) console.log(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());

  console.log(`\nobjects: ${thousands(desired)} desired in generated/ (audit compared ${thousands(auditDesired)}, with the GitOps folders of kinds the clusters serve); live: the floor listed ${thousands(listed)} objects in ${thousands(requests)} list requests, the audit kept ${thousands(auditLive)} (selected kinds, and tenant-namespace objects of the scanned kinds)`);
  for (const c of b.clusters) {
    const f = floor.result.clusters.find((x) => x.name === c.name)!;
    const a = audit.report!.clusters.find((x) => x.name === c.name);
    console.log(`  ${c.name.padEnd(20)} desired ${thousands(c.objects.length).padStart(6)}  listed ${thousands(f.listed).padStart(6)} (${f.kinds} kinds, ${f.requests} requests)  audit live ${thousands(a?.objects?.live ?? NaN).padStart(6)}`);
  }
  console.log(`correctness: the audit exited 0 with 0 findings on ${audit.report!.clusters.length} clusters, in each of ${audits.length} runs`);
  console.log(`floor: discovery + listing took ${floor.result.seconds.toFixed(2)} s inside its process; the other ${(floor.seconds - floor.result.seconds).toFixed(2)} s are Node start-up, tsx and the imports of the client, which the audit pays too`);
  if (b.args.repeat > 1) {
    const all = (runs: Array<{ seconds: number }>) => runs.map((r) => r.seconds.toFixed(2)).join(', ');
    console.log(`runs (median reported): floor ${all(floors)} s; audit ${all(audits)} s${kubectls.length ? `; kubectl ${all(kubectls)} s` : ''}`);
  }
  if (kubectl) {
    console.log(`kubectl: ${kubectl.sampled ? `${kubectl.sampled} objects and 1 object diffed per cluster, each cluster's time extrapolated linearly to all its objects (${thousands(kubectl.objects)} in all; fleet figure: the slowest cluster; peak MB: the ${kubectl.sampled}-object runs)` : `all ${thousands(kubectl.objects)} objects`}; ${kubectl.diffLines} lines of diff; peak MB summed over the 4 processes`);
  } else {
    console.log('kubectl: skipped (--skip-kubectl)');
  }
  console.log(`machine: ${availableParallelism()} CPUs shared by the measured process and the 4 control planes; peak memory from ${GNU_TIME ? '/usr/bin/time (maxRSS)' : '/proc VmHWM polled every 50 ms'}`);

  const passed = [floorRatio <= TARGET.floorRatio, audit.peakMb < TARGET.peakMb, ...(kubectl ? [kubectlRatio >= TARGET.kubectlRatio] : [])];
  const kubectlNote = kubectl ? `, kubectl diff --server-side ${kubectl.seconds.toFixed(0)} s${kubectl.sampled ? ' (extrapolated)' : ''} = ${kubectlRatio.toFixed(0)}x the audit` : '';
  console.log(`\nsummary: bench:audit, ${thousands(b.args.tenants)} tenants (${thousands(desired)} objects on 4 real API servers): audit ${audit.seconds.toFixed(2)} s, ${audit.peakMb.toFixed(0)} MB peak, ${floorRatio.toFixed(2)}x the floor (${floor.seconds.toFixed(2)} s)${kubectlNote}; targets ${passed.filter(Boolean).length}/${passed.length} PASS`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const work = mkdtempSync(join(tmpdir(), 'tenantctl-bench-audit-work-'));
  const made: Made = { controlPlanes: [] };
  const tearDown = async () => {
    for (const child of running) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await Promise.all(made.controlPlanes.map((cp) => cp.stop()));
    const dirs = [made.root, work, ...made.controlPlanes.map((cp) => cp.dataDir)].filter((d): d is string => !!d);
    if (args.keep) console.log(`kept ${dirs.join(', ')}`);
    else for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the control planes`);
      void tearDown().finally(() => process.exit(130));
    });
  }

  try {
    const setupStarted = performance.now();
    const b = await setUp(args, work, made);
    // Untimed: checks the floor works and warms the API servers' caches for every case alike.
    await runFloor(b);
    const sample = args.kubectl ? await kubectlPlan(b) : 0;
    console.log(`setup took ${seconds(setupStarted).toFixed(1)} s (not measured)`);

    const floors: Array<Measured & { result: FloorResult }> = [];
    const audits: AuditRun[] = [];
    const kubectls: KubectlRun[] = [];
    // The cases interleaved, so that each sees the same machine state.
    for (let k = 0; k < args.repeat; k++) {
      floors.push(await runFloor(b));
      const audit = await runAudit(b, k);
      checkClean(audit);
      audits.push(audit);
      if (args.kubectl) kubectls.push(sample ? await runKubectlSample(b, sample) : await runKubectlFull(b));
      console.log(`run ${k + 1}/${args.repeat}: floor ${floors[k].seconds.toFixed(2)} s, audit ${audit.seconds.toFixed(2)} s${args.kubectl ? `, kubectl ${kubectls[k].seconds.toFixed(1)} s${sample ? ' (extrapolated)' : ''}` : ''}`);
    }
    printResults(b, floors, audits, kubectls);
    if (args.profile) {
      mkdirSync(args.profile, { recursive: true });
      const profiled = await runAudit(b, 'profile', args.profile);
      checkClean(profiled);
      writeFileSync(join(args.profile, 'trace-gc.txt'), profiled.stdout);
      writeFileSync(join(args.profile, 'rss.tsv'), ['seconds\trss MB\tthreads', ...(profiled.timeline ?? []).map(([t, mb, n]) => `${t.toFixed(1)}\t${mb.toFixed(0)}\t${n}`)].join('\n') + '\n');
      console.log(`profile: one more audit (${profiled.seconds.toFixed(2)} s, ${profiled.peakMb.toFixed(0)} MB, not measured) with --cpu-prof and --trace-gc, written to ${args.profile} with its RSS every 100 ms (rss.tsv)`);
    }
  } finally {
    await tearDown();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
