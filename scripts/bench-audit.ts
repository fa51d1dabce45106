/**
 * Benchmarks `tenantctl audit` at fleet scale against real API servers, at one or more fleet sizes
 * (`--tenants 1000,3000`, the default): for each size the fleet of scripts/fixtures/large-fleet.ts
 * (4 clusters) is synthesized and committed (a git repository: the desired-state cache is keyed by
 * the tree of generated/<cluster> at the audited commit), and each cluster's generated/<cluster>/ is
 * applied to its own control plane (test/control-plane: a real kube-apiserver + etcd; one per
 * cluster, since the clusters' objects share names; 4 is what the 2-core machine holds next to the
 * audit). Then, in fresh processes, median of `--repeat`:
 *
 * - the floor: listing the same objects with the same client, as the audit does and nothing else:
 *   for the 4 clusters at once, discovery, the namespaces, then the kinds `planListings` chooses
 *   (lib/audit/kinds.ts; Secrets in each live tenant namespace, as the audit lists them) with the
 *   audit's pager (lib/audit/list-live.ts), page by page (500), 4 kinds at a time per cluster, items dropped.
 *   Printed beside it, not a target: the same floor without those Secrets, as it was measured
 *   in earlier runs, so that older figures can be compared. Its own child process, so it
 *   also pays Node start-up and its imports, as the audit does; what to list is worked out here;
 * - the cold audit: `node bin/tenantctl.mjs -C <fleet> audit --kubeconfig <one context per cluster>
 *   --format json`, as many clusters at once as its object budget admits (its default: all 4 at
 *   1,000 tenants, 1 or 2 at a time at 3,000; lib/audit/object-budget.ts), with an empty desired-state cache
 *   (TENANTCTL_CACHE_DIR a directory holding the other caches of an audit run once during setup,
 *   tenant files and schemas, but no desired-state entry and no in-sync record): generated/ is
 *   read, parsed and cached, every object compared, as on a cluster never audited before;
 * - the nightly audit: the same command at the same commit again, the cache warm: generated/ is
 *   not read (checked: no cache entry is written again), and objects not written since the cold
 *   audit are not compared again (lib/audit/in-sync.ts). A freshly applied fleet must give no
 *   findings and exit 0 in all cases; anything else is printed and fails the run (a correctness check);
 * - the nightly audit with `--no-cache`: every object compared again, as after a day in which
 *   every object was written (status updates count): the nightly audit's worst case;
 * - `kubectl diff --server-side` (kubectl of the same Kubernetes version) on the same manifests,
 *   the 4 clusters at once. It sends one dry-run apply per object, so it may take long: with
 *   `--kubectl-sample auto` (the default) a probe diffs 1 and N objects per cluster, and the full
 *   run is measured only when its projection fits `--kubectl-budget` seconds; otherwise the figure
 *   is extrapolated (linearly, through those two points) from N objects per cluster, and says so.
 *
 *   npx tsx scripts/bench-audit.ts [--tenants 1000,3000] [--repeat 1] [--skip-kubectl]
 *                                  [--kubectl-sample auto|N|0] [--kubectl-budget 600] [--keep]
 *                                  [--apply-concurrency 32] [--profile DIR] [--baseline DIR] [--hold]
 *
 * `--kubectl-sample 0` always measures the full kubectl run; `--keep` keeps the fleets, the merged
 * kubeconfigs and the control planes' data directories (the control planes are always stopped).
 * `--profile DIR` then runs the nightly audit once more per size, unmeasured, with
 * `node --cpu-prof --trace-gc`, and writes the .cpuprofile files (one per thread), trace-gc.txt and
 * rss.tsv (its RSS every 100 ms) to DIR/<tenants>.
 * `--baseline DIR` also measures the nightly audit of another checkout of tenantctl (DIR, e.g. a
 * `git worktree` of main with node_modules) on the same fleet, right after each nightly audit
 * of this one, so that a change is compared with what it changes in the same minute (the
 * machine is shared: figures of runs minutes apart differ by more than most changes). Its
 * desired-state cache is its own, filled by one unmeasured audit; it must find nothing too.
 * `--hold` sets up the first size, runs the unmeasured audit once, prints how to audit the fleet
 * by hand (its root, kubeconfig and warm cache) and keeps the control planes up until interrupted
 * (Ctrl-C stops them): for profiling changes against one fleet without setting it up again.
 * Seconds are wall-clock times of whole processes; peak memory is each process's maxRSS (from
 * /usr/bin/time, else polled from /proc), summed over the 4 kubectl processes; the machine's load
 * (1-minute load average, sampled every second while the cases run) is printed with them. Targets
 * (issue 14): at 1,000 tenants the audit within 1.5x the floor and under 512 MB, the nightly audit
 * reading nothing from generated/; at 3,000 tenants time per object within 1.2x of the 1,000-tenant
 * run and under 768 MB; kubectl diff at least 10x slower. Missing a target is reported, not an
 * error; only a wrong audit exits non-zero.
 *
 * Pieces: scripts/lib/list-floor.ts (the floor's process), scripts/lib/measure-process.ts (time
 * and peak memory of a process), scripts/lib/apply-cluster.ts (server-side apply of a cluster).
 */
import { GITOPS_ENGINES, type GitOpsEngine } from '../lib/model/gitops-engine.ts';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KubeObject } from '../lib/model/resource.ts';
import type { ControlPlane } from '../test/control-plane/control-plane.ts';
import { GNU_TIME, measure, running, type Measured } from './lib/measure-process.ts';
import { applyCluster } from './lib/apply-cluster.ts';
import type { FloorCluster, FloorResult } from './lib/list-floor.ts';
import { removeLargeFleet } from './fixtures/large-fleet.ts';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Targets of issue 14: per size (peak memory), and for sizes beyond the first, time per object against the first's. */
const TARGET = { floorRatio: 1.5, kubectlRatio: 10, perObjectRatio: 1.2, peakMb: (tenants: number) => (tenants <= 1000 ? 512 : 768) };

interface Args {
  /** Fleet sizes, smallest first; each is set up, measured and torn down before the next. */
  tenants: number[];
  /** Fresh-process runs of each case; the median is reported. */
  repeat: number;
  kubectl: boolean;
  /** Objects per cluster kubectl diffs to extrapolate from; 0 = the full run; auto = full when it fits the budget. */
  kubectlSample: number | 'auto';
  /** Longest full kubectl run `auto` accepts, in seconds. */
  kubectlBudget: number;
  keep: boolean;
  /** Server-side applies at once per cluster during setup. */
  applyConcurrency: number;
  /** Directory for a CPU profile and a GC trace of one more (unmeasured) nightly audit per size. */
  profile?: string;
  /** Another tenantctl checkout whose nightly audit is measured next to this one's. */
  baseline?: string;
  /** Keep the fleet up after setup, for audits by hand, until interrupted. */
  hold: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { tenants: [1000, 3000], repeat: 1, kubectl: true, kubectlSample: 'auto', kubectlBudget: 600, keep: false, applyConcurrency: 32, hold: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tenants') args.tenants = argv[++i].split(',').map(Number).sort((x, y) => x - y);
    else if (a === '--apply-concurrency') args.applyConcurrency = Number(argv[++i]);
    else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--skip-kubectl') args.kubectl = false;
    else if (a === '--kubectl-sample') args.kubectlSample = argv[++i] === 'auto' ? 'auto' : Number(argv[i]);
    else if (a === '--kubectl-budget') args.kubectlBudget = Number(argv[++i]);
    else if (a === '--keep') args.keep = true;
    else if (a === '--profile') args.profile = resolve(argv[++i]);
    else if (a === '--baseline') args.baseline = resolve(argv[++i]);
    else if (a === '--hold') args.hold = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!args.tenants.every((n) => n > 0) || !(args.applyConcurrency > 0) || (args.kubectlSample !== 'auto' && !(args.kubectlSample >= 0))) throw new Error('--tenants (e.g. 1000,3000), --apply-concurrency and --kubectl-sample take positive numbers');
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
  readonly tenants: number;
  readonly root: string;
  readonly work: string;
  readonly kubeconfig: string;
  readonly clusters: readonly ClusterSetup[];
  /** Folders of sampled files for kubectl, by sample size. */
  readonly sampleDirs: Map<number, Map<string, string>>;
}

interface AuditRun extends Measured {
  readonly report?: { clusters: Array<{ name: string; status: string; error?: string; findings: unknown[]; objects?: { desired: number; live: number } }> };
}

/**
 * One `tenantctl audit` of the 4 clusters with its desired-state cache in `cacheDir` (the audit's
 * only cache; the control planes' binaries stay where they are); `profile` adds Node's CPU
 * profiler and GC trace, and an RSS timeline.
 */
async function runAudit(b: Bench, k: number | string, cacheDir: string, profile?: string, checkout = HERE, extra: readonly string[] = []): Promise<AuditRun> {
  const output = join(b.work, `audit-${k}.json`);
  const nodeOptions = profile ? ['--cpu-prof', '--cpu-prof-dir', profile, '--trace-gc'] : [];
  const args = [...nodeOptions, join(checkout, 'bin', 'tenantctl.mjs'), '-C', b.root, 'audit', '--kubeconfig', b.kubeconfig, '--format', 'json', '--output', output, ...extra];
  const run = await measure(process.execPath, args, { cwd: b.root, timeline: !!profile, env: { ...process.env, TENANTCTL_CACHE_DIR: cacheDir } });
  return { ...run, report: existsSync(output) ? JSON.parse(readFileSync(output, 'utf8')) : undefined };
}

/** The desired-state cache entries under `cacheDir`, with their modification times. */
function cacheEntries(cacheDir: string): Map<string, number> {
  const dir = join(cacheDir, 'tenantctl', 'desired-state');
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
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

/** `secrets: false`: the floor as it was before it listed Secrets (printed beside, for comparison with older runs). */
async function runFloor(b: Bench, secrets = true): Promise<Measured & { result: FloorResult }> {
  const plan = join(b.work, secrets ? 'floor-plan.json' : 'floor-plan-no-secrets.json');
  if (!existsSync(plan)) writeFileSync(plan, JSON.stringify({ kubeconfig: b.kubeconfig, clusters: b.clusters.map((c) => c.floor), secrets }));
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

/** Per cluster, a folder of `n` of its files (all of them for n = Infinity), made once. */
function dirsOf(b: Bench, n: number): Map<string, string> {
  let dirs = b.sampleDirs.get(n);
  if (!dirs) {
    dirs = new Map(b.clusters.map((c) => [c.name, mirror(join(b.root, 'generated', c.name), spread(c.files, n), join(b.work, `kubectl-${n === Infinity ? 'all' : n}`, c.name))]));
    b.sampleDirs.set(n, dirs);
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
  work?: string;
  readonly controlPlanes: ControlPlane[];
}

/** Commits the fleet (what the audit's cache is keyed by); the links to this checkout stay untracked. */
function commitFleet(root: string): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };
  for (const args of [['init', '-q', '-b', 'main'], ['add', '--', 'fleet.ts', 'package.json', 'tenants', 'generated'], ['commit', '-q', '-m', 'fleet']]) {
    const run = spawnSync('git', args, { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`git ${args[0]} in ${root} exited ${run.status}: ${run.stderr}`);
  }
}

async function setUp(args: Args, tenants: number, work: string, made: Made): Promise<Bench> {
  const { writeLargeFleet } = await import('./fixtures/large-fleet.ts');
  const { readManifestsParallel } = await import('../lib/io/read-manifests-parallel.ts');
  const { desiredCluster } = await import('../lib/audit/desired.ts');
  const { startControlPlane } = await import('../test/control-plane/control-plane.ts');

  let t = performance.now();
  const { root } = writeLargeFleet({ tenants, synth: true, prefix: 'tenantctl-bench-audit-' });
  made.root = root;
  const fleet = ((await import(pathToFileURL(join(root, 'fleet.ts')).href)) as { default: { clusters: Array<{ name: string; context?: string; engine?: GitOpsEngine }> } }).default;
  console.log(`setup: fleet of ${thousands(tenants)} tenants synthesized into ${root} in ${seconds(t).toFixed(1)} s`);
  t = performance.now();
  commitFleet(root);
  console.log(`setup: fleet committed (git) in ${seconds(t).toFixed(1)} s`);

  t = performance.now();
  // A /24 of Service IPs (the control plane's default) is too few for a cluster of a 1,000-tenant fleet.
  const started = await Promise.allSettled(fleet.clusters.map(() => startControlPlane({ log: () => {}, extraArgs: ['--service-cluster-ip-range=10.0.0.0/16'] })));
  const { controlPlanes } = made;
  for (const s of started) if (s.status === 'fulfilled') controlPlanes.push(s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  console.log(`setup: ${controlPlanes.length} control planes (Kubernetes ${controlPlanes[0].binaries.version}, one per cluster) started in ${seconds(t).toFixed(1)} s`);

  t = performance.now();
  const clusters: ClusterSetup[] = [];
  for (const [i, fc] of fleet.clusters.entries()) {
    const dir = join(root, 'generated', fc.name);
    const { docs, problems } = await readManifestsParallel(dir, { base: root });
    if (problems.length) throw new Error(`${dir}: ${problems.length} unreadable documents, e.g. ${problems[0].file}: ${problems[0].message}`);
    const kept = docs.filter((d) => !(d.object.kind === 'Kustomization' && d.object.apiVersion.startsWith('kustomize.config.k8s.io/')));
    const desired = desiredCluster(kept, fc.name);
    const prefix = `generated/${fc.name}/`;
    const files = [...new Set(kept.map((d) => d.file))].map((f) => (f.startsWith(prefix) ? f.slice(prefix.length) : f));
    if (files.length !== kept.length) throw new Error(`${dir}: ${kept.length} objects in ${files.length} files; the kubectl extrapolation assumes one object per file`);
    clusters.push({
      name: fc.name,
      controlPlane: controlPlanes[i],
      objects: kept.map((d) => d.object),
      files,
      floor: {
        name: fc.name,
        context: fc.context ?? fc.name,
        objects: representatives(desired.segments.filter((s) => !s.engine).flatMap((s) => s.objects())),
        ...(fc.engine ? { engine: fc.engine } : {}),
        engineFolders: GITOPS_ENGINES.map((engine) => ({ engine, objects: representatives(desired.segments.filter((s) => s.engine === engine).flatMap((s) => s.objects())) })).filter((f) => f.objects.length),
      },
    });
  }
  console.log(`setup: generated/ read in ${seconds(t).toFixed(1)} s`);
  t = performance.now();
  await Promise.all(clusters.map((c) => applyCluster(c.controlPlane, c.objects, args.applyConcurrency)));
  const applied = clusters.reduce((n, c) => n + c.objects.length, 0);
  console.log(`setup: ${thousands(applied)} objects applied (server-side, ${args.applyConcurrency} at a time per cluster, the 4 clusters at once) in ${seconds(t).toFixed(1)} s (${(applied / seconds(t)).toFixed(0)} objects/s): ${clusters.map((c) => `${c.name} ${thousands(c.objects.length)}`).join(', ')}`);

  const kubeconfig = join(work, 'kubeconfig');
  await writeMergedKubeconfig(kubeconfig, clusters);
  return { args, tenants, root, work, kubeconfig, clusters, sampleDirs: new Map() };
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

/** The 1-minute load average, sampled every second while the cases run. */
function loadSampler(): { stop(): { mean: number; max: number } } {
  const samples: number[] = [loadavg()[0]];
  const timer = setInterval(() => samples.push(loadavg()[0]), 1000);
  return {
    stop() {
      clearInterval(timer);
      return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples) };
    },
  };
}

/** What one size measured, for its table and the comparison between sizes. */
interface SizeResult {
  readonly tenants: number;
  readonly objects: number;
  readonly floor: Measured & { result: FloorResult };
  /** The floor without the Secrets of the tenant namespaces, as the floor was before they were listed. */
  readonly floorNoSecrets: Measured & { result: FloorResult };
  readonly cold: AuditRun;
  readonly nightly: AuditRun;
  /** The nightly audit with --no-cache: every object compared. */
  readonly nightlyFull: AuditRun;
  /** The nightly audit of the --baseline checkout, measured right after each of ours. */
  readonly baseline?: AuditRun;
  /** Whether the nightly audits wrote no desired-state cache entry (generated/ not read). */
  readonly reused: boolean;
  readonly kubectl?: KubectlRun;
  readonly load: { mean: number; max: number };
  readonly setupSeconds: number;
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const perObjectUs = (seconds: number, objects: number) => (seconds / objects) * 1e6;

function printSize(b: Bench, r: SizeResult, base: SizeResult | undefined, runs: { floors: Measured[]; colds: AuditRun[]; nightlies: AuditRun[]; fulls: AuditRun[]; baselines: AuditRun[]; kubectls: KubectlRun[] }): void {
  const { floor, cold, nightly, kubectl } = r;
  const peakTarget = TARGET.peakMb(r.tenants);
  const listed = floor.result.clusters.reduce((n, c) => n + c.listed, 0);
  const requests = floor.result.clusters.reduce((n, c) => n + c.requests, 0);
  const auditDesired = nightly.report!.clusters.reduce((n, c) => n + (c.objects?.desired ?? 0), 0);
  const auditLive = nightly.report!.clusters.reduce((n, c) => n + (c.objects?.live ?? 0), 0);
  const kubectlRatio = kubectl ? kubectl.seconds / nightly.seconds : NaN;

  const auditTarget = (run: AuditRun, baseRun: AuditRun | undefined) => {
    const parts = [`${verdict(run.peakMb <= peakTarget)} (<= ${peakTarget} MB)`];
    if (!base) parts.unshift(`${verdict(run.seconds / floor.seconds <= TARGET.floorRatio)} (<= ${TARGET.floorRatio}x floor)`);
    else if (baseRun) {
      const ratio = perObjectUs(run.seconds, r.objects) / perObjectUs(baseRun.seconds, base.objects);
      parts.unshift(`${verdict(ratio <= TARGET.perObjectRatio)} (per object ${ratio.toFixed(2)}x the ${thousands(base.tenants)}-tenant run, <= ${TARGET.perObjectRatio}x)`);
    }
    return parts.join(', ');
  };
  const kubectlCase = kubectl?.sampled ? `kubectl diff --server-side, EXTRAPOLATED from ${kubectl.sampled} objects/cluster` : 'kubectl diff --server-side (4 processes)';
  const rows: Array<[string, number, number | undefined, number, string]> = [
    ['floor: list the same kinds, same client', floor.seconds, floor.cpuSeconds, floor.peakMb, ''],
    ['(floor without the Secrets of tenant namespaces)', r.floorNoSecrets.seconds, r.floorNoSecrets.cpuSeconds, r.floorNoSecrets.peakMb, `not the floor (the audit lists them): the nightly audit is ${(nightly.seconds / r.floorNoSecrets.seconds).toFixed(2)}x this`],
    ['audit, cold (empty desired-state cache)', cold.seconds, cold.cpuSeconds, cold.peakMb, auditTarget(cold, base?.cold)],
    ['audit, nightly (same commit, cache warm)', nightly.seconds, nightly.cpuSeconds, nightly.peakMb, `${auditTarget(nightly, base?.nightly)}, ${verdict(r.reused)} (generated/ not read)`],
    ['audit, nightly --no-cache (every object compared)', r.nightlyFull.seconds, r.nightlyFull.cpuSeconds, r.nightlyFull.peakMb, `no target (the nightly audit after a day that wrote every object); ${verdict(r.nightlyFull.peakMb <= peakTarget)} (<= ${peakTarget} MB)`],
  ];
  if (r.baseline) rows.push([`audit, nightly, baseline checkout`, r.baseline.seconds, r.baseline.cpuSeconds, r.baseline.peakMb, `this checkout's nightly: ${(nightly.seconds / r.baseline.seconds).toFixed(2)}x the time, ${nightly.cpuSeconds && r.baseline.cpuSeconds ? (nightly.cpuSeconds / r.baseline.cpuSeconds).toFixed(2) : '-'}x the CPU`]);
  if (kubectl) rows.push([kubectlCase, kubectl.seconds, undefined, kubectl.peakMb, `${verdict(kubectlRatio >= TARGET.kubectlRatio)} (nightly audit >= ${TARGET.kubectlRatio}x faster: ${kubectlRatio.toFixed(1)}x)`]);
  const head = [`${thousands(r.tenants)} tenants, ${thousands(r.objects)} objects, 4 clusters (whole processes)`, 'seconds', 'x floor', 'us/object', 'CPU s', 'CPU x floor', 'peak MB', 'target'];
  const cpuRatio = (cpu: number | undefined) => (cpu !== undefined && floor.cpuSeconds ? (cpu / floor.cpuSeconds).toFixed(2) : '-');
  const table = [head, ...rows.map(([c, sec, cpu, mb, t]) => [c, sec.toFixed(2), (sec / floor.seconds).toFixed(2), perObjectUs(sec, r.objects).toFixed(0), cpu?.toFixed(2) ?? '-', cpuRatio(cpu), mb.toFixed(0), t])];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  console.log('');
  for (const row of table) console.log(row.map((c, i) => (i === 0 || i === row.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());

  console.log('\nCPU s: user + system seconds of the process (all its threads), barely moved by other work on the machine; the API servers\' work is the same in every case and not in it');
  console.log(`load: 1-minute load average ${r.load.mean.toFixed(1)} (max ${r.load.max.toFixed(1)}) on ${availableParallelism()} CPUs while the cases ran (the measured process, the 4 control planes and whatever else runs on the machine)`);
  console.log(`objects: ${thousands(r.objects)} desired in generated/ (audit compared ${thousands(auditDesired)}, with the GitOps folders of kinds the clusters serve); live: the floor listed ${thousands(listed)} objects in ${thousands(requests)} list requests, the audit kept ${thousands(auditLive)} (selected kinds, and tenant-namespace objects of the scanned kinds)`);
  for (const c of b.clusters) {
    const f = floor.result.clusters.find((x) => x.name === c.name)!;
    const a = nightly.report!.clusters.find((x) => x.name === c.name);
    console.log(`  ${c.name.padEnd(20)} desired ${thousands(c.objects.length).padStart(6)}  listed ${thousands(f.listed).padStart(6)} (${f.kinds} kinds, ${f.requests} requests)  audit live ${thousands(a?.objects?.live ?? NaN).padStart(6)}`);
  }
  console.log(`correctness: the cold and the nightly audits exited 0 with 0 findings on ${nightly.report!.clusters.length} clusters, in each of ${runs.nightlies.length} runs`);
  console.log(`cache: ${r.reused ? 'the nightly audits wrote no desired-state entry: every cluster came from the cache, generated/ was not read' : 'a nightly audit wrote a desired-state entry again: generated/ was read'}`);
  console.log(`floor: discovery + listing took ${floor.result.seconds.toFixed(2)} s inside its process; the other ${(floor.seconds - floor.result.seconds).toFixed(2)} s are Node start-up, tsx and the imports of the client, which the audit pays too`);
  if (b.args.repeat > 1) {
    const all = (list: Array<{ seconds: number }>) => list.map((x) => x.seconds.toFixed(2)).join(', ');
    console.log(`runs (median reported): floor ${all(runs.floors)} s; cold ${all(runs.colds)} s; nightly ${all(runs.nightlies)} s; nightly --no-cache ${all(runs.fulls)} s${runs.baselines.length ? `; baseline nightly ${all(runs.baselines)} s` : ''}${runs.kubectls.length ? `; kubectl ${all(runs.kubectls)} s` : ''}`);
  }
  if (kubectl) {
    console.log(`kubectl: ${kubectl.sampled ? `${kubectl.sampled} objects and 1 object diffed per cluster, each cluster's time extrapolated linearly to all its objects (${thousands(kubectl.objects)} in all; fleet figure: the slowest cluster; peak MB: the ${kubectl.sampled}-object runs)` : `all ${thousands(kubectl.objects)} objects`}; ${kubectl.diffLines} lines of diff; peak MB summed over the 4 processes`);
  } else {
    console.log('kubectl: skipped (--skip-kubectl)');
  }
  console.log(`setup: ${r.setupSeconds.toFixed(0)} s (synth, git commit, 4 control planes, server-side apply; not measured)`);
  console.log(`machine: ${availableParallelism()} CPUs shared by the measured process and the 4 control planes; peak memory from ${GNU_TIME ? '/usr/bin/time (maxRSS)' : '/proc VmHWM polled every 50 ms'}`);
}

function summaryLine(r: SizeResult, base: SizeResult | undefined): string {
  const peakTarget = TARGET.peakMb(r.tenants);
  const checks: boolean[] = [r.cold.peakMb <= peakTarget, r.nightly.peakMb <= peakTarget];
  let speed: string;
  if (!base) {
    checks.push(r.cold.seconds / r.floor.seconds <= TARGET.floorRatio, r.nightly.seconds / r.floor.seconds <= TARGET.floorRatio, r.reused);
    speed = `cold ${r.cold.seconds.toFixed(2)} s = ${(r.cold.seconds / r.floor.seconds).toFixed(2)}x, nightly ${r.nightly.seconds.toFixed(2)} s = ${(r.nightly.seconds / r.floor.seconds).toFixed(2)}x the floor (${r.floor.seconds.toFixed(2)} s)`;
  } else {
    const ratio = (run: AuditRun, baseRun: AuditRun) => perObjectUs(run.seconds, r.objects) / perObjectUs(baseRun.seconds, base.objects);
    checks.push(ratio(r.cold, base.cold) <= TARGET.perObjectRatio, ratio(r.nightly, base.nightly) <= TARGET.perObjectRatio);
    speed = `cold ${r.cold.seconds.toFixed(2)} s (${ratio(r.cold, base.cold).toFixed(2)}x the ${thousands(base.tenants)}-tenant time per object), nightly ${r.nightly.seconds.toFixed(2)} s (${ratio(r.nightly, base.nightly).toFixed(2)}x), floor ${r.floor.seconds.toFixed(2)} s`;
  }
  if (r.kubectl) checks.push(r.kubectl.seconds / r.nightly.seconds >= TARGET.kubectlRatio);
  return `bench:audit, ${thousands(r.tenants)} tenants (${thousands(r.objects)} objects on 4 real API servers, load ${r.load.mean.toFixed(1)}): ${speed}; peak ${r.cold.peakMb.toFixed(0)} / ${r.nightly.peakMb.toFixed(0)} MB (cold / nightly, <= ${peakTarget})${r.kubectl ? `; kubectl diff ${r.kubectl.seconds.toFixed(0)} s${r.kubectl.sampled ? ' (extrapolated)' : ''}` : ''}; targets ${checks.filter(Boolean).length}/${checks.length} PASS`;
}

/**
 * A cache directory for a cold audit: `warm` (every cache of an audit run once: tenant files,
 * schemas) without its desired-state entries and in-sync records, so that generated/ is read and
 * every object compared, as on a cluster never audited before.
 */
function coldCache(b: Bench, warm: string, name: string): string {
  const dir = join(b.work, `cache-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(warm, dir, { recursive: true });
  rmSync(join(dir, 'tenantctl', 'desired-state'), { recursive: true, force: true });
  rmSync(join(dir, 'tenantctl', 'in-sync'), { recursive: true, force: true });
  return dir;
}

async function benchSize(args: Args, tenants: number, base: SizeResult | undefined, made: Made): Promise<SizeResult> {
  const work = mkdtempSync(join(tmpdir(), 'tenantctl-bench-audit-work-'));
  made.work = work;
  const setupStarted = performance.now();
  const b = await setUp(args, tenants, work, made);
  // Untimed: checks the floor works and warms the API servers' caches for every case alike; one
  // audit fills the caches that are not the subject here (tenant files, schemas).
  await runFloor(b);
  const warm = join(work, 'cache-warm');
  mkdirSync(warm, { recursive: true });
  checkClean(await runAudit(b, 'warm-up', warm));
  // The baseline checkout's own warm cache (its reader code, hence its cache keys, may differ).
  const baselineCache = join(work, 'cache-baseline');
  if (args.baseline) {
    mkdirSync(baselineCache, { recursive: true });
    checkClean(await runAudit(b, 'baseline-warm-up', baselineCache, undefined, args.baseline));
  }
  if (args.hold) {
    console.log(`holding the fleet (Ctrl-C stops the control planes and removes it). Audit it with:\n  TENANTCTL_CACHE_DIR=${warm} node bin/tenantctl.mjs -C ${b.root} audit --kubeconfig ${b.kubeconfig} --format json --output /dev/null`);
    await new Promise(() => {});
  }
  const sample = args.kubectl ? await kubectlPlan(b) : 0;
  const setupSeconds = seconds(setupStarted);
  console.log(`setup took ${setupSeconds.toFixed(1)} s (not measured)`);

  const floors: Array<Measured & { result: FloorResult }> = [];
  const floorsNoSecrets: Array<Measured & { result: FloorResult }> = [];
  const colds: AuditRun[] = [];
  const nightlies: AuditRun[] = [];
  const fulls: AuditRun[] = [];
  const baselines: AuditRun[] = [];
  const kubectls: KubectlRun[] = [];
  let reused = true;
  const load = loadSampler();
  // The cases interleaved, so that each sees the same machine state.
  for (let k = 0; k < args.repeat; k++) {
    floors.push(await runFloor(b));
    floorsNoSecrets.push(await runFloor(b, false));
    const cache = coldCache(b, warm, String(k));
    const cold = await runAudit(b, `cold-${k}`, cache);
    checkClean(cold);
    colds.push(cold);
    const written = cacheEntries(cache);
    const nightly = await runAudit(b, `nightly-${k}`, cache);
    checkClean(nightly);
    nightlies.push(nightly);
    const after = cacheEntries(cache);
    reused &&= written.size === b.clusters.length && after.size === written.size && [...after].every(([f, at]) => written.get(f) === at);
    const full = await runAudit(b, `nightly-full-${k}`, cache, undefined, HERE, ['--no-cache']);
    checkClean(full);
    fulls.push(full);
    if (args.baseline) {
      const baseline = await runAudit(b, `baseline-${k}`, baselineCache, undefined, args.baseline);
      checkClean(baseline);
      baselines.push(baseline);
    }
    if (args.kubectl) kubectls.push(sample ? await runKubectlSample(b, sample) : await runKubectlFull(b));
    console.log(`run ${k + 1}/${args.repeat}: floor ${floors[k].seconds.toFixed(2)} s, cold audit ${cold.seconds.toFixed(2)} s, nightly audit ${nightly.seconds.toFixed(2)} s, nightly --no-cache ${full.seconds.toFixed(2)} s${args.baseline ? `, baseline nightly ${baselines[k].seconds.toFixed(2)} s` : ''}${args.kubectl ? `, kubectl ${kubectls[k].seconds.toFixed(1)} s${sample ? ' (extrapolated)' : ''}` : ''}`);
  }
  const result: SizeResult = {
    tenants,
    objects: b.clusters.reduce((n, c) => n + c.objects.length, 0),
    floor: median(floors, (x) => x.seconds),
    floorNoSecrets: median(floorsNoSecrets, (x) => x.seconds),
    cold: median(colds, (x) => x.seconds),
    nightly: median(nightlies, (x) => x.seconds),
    nightlyFull: median(fulls, (x) => x.seconds),
    ...(baselines.length ? { baseline: median(baselines, (x) => x.seconds) } : {}),
    reused,
    ...(kubectls.length ? { kubectl: median(kubectls, (x) => x.seconds) } : {}),
    load: load.stop(),
    setupSeconds,
  };
  printSize(b, result, base, { floors, colds, nightlies, fulls, baselines, kubectls });
  if (args.profile) {
    const dir = join(args.profile, String(tenants));
    mkdirSync(dir, { recursive: true });
    const profiled = await runAudit(b, 'profile', join(b.work, 'cache-0'), dir);
    checkClean(profiled);
    writeFileSync(join(dir, 'trace-gc.txt'), profiled.stdout);
    writeFileSync(join(dir, 'rss.tsv'), ['seconds\trss MB\tthreads', ...(profiled.timeline ?? []).map(([t, mb, n]) => `${t.toFixed(1)}\t${mb.toFixed(0)}\t${n}`)].join('\n') + '\n');
    console.log(`profile: one more nightly audit (${profiled.seconds.toFixed(2)} s, ${profiled.peakMb.toFixed(0)} MB, not measured) with --cpu-prof and --trace-gc, written to ${dir} with its RSS every 100 ms (rss.tsv)`);
  }
  return result;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let made: Made = { controlPlanes: [] };
  const tearDown = async (m: Made) => {
    for (const child of running) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await Promise.all(m.controlPlanes.map((cp) => cp.stop()));
    const dirs = [m.root, m.work, ...m.controlPlanes.map((cp) => cp.dataDir)].filter((d): d is string => !!d);
    if (args.keep) console.log(`kept ${dirs.join(', ')}`);
    else {
      if (m.root) removeLargeFleet(m.root);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the control planes`);
      void tearDown(made).finally(() => process.exit(130));
    });
  }

  const results: SizeResult[] = [];
  for (const tenants of args.tenants) {
    console.log(`\n== ${thousands(tenants)} tenants`);
    made = { controlPlanes: [] };
    try {
      // Time per object is compared with the 1,000-tenant run (the first size, when 1,000 is not among them).
      results.push(await benchSize(args, tenants, results.find((r) => r.tenants === 1000) ?? results[0], made));
    } finally {
      await tearDown(made);
    }
  }
  console.log('');
  for (const r of results) console.log(`summary: ${summaryLine(r, r === results[0] ? undefined : results.find((x) => x.tenants === 1000) ?? results[0])}`);
  if (results.length < 2) console.log('(time per object is compared across sizes when several run: --tenants 1000,3000)');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
