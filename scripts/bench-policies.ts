/**
 * Times the policy engine alone (`runPolicies`, lib/policy) on each cluster of a fleet, in this
 * process: generated/ and the tenant files are read once, then each cluster's policies run
 * `--repeat` times on a new list of the same objects (every index of the engine is per list or
 * per context, so no run reuses another's). Prints the median CPU time (process.cpuUsage) and wall
 * time per cluster, with the machine's load average, since the cores are often shared.
 *
 * With `--baseline <checkout>`, the same runs alternate with the engine of another checkout (e.g. a
 * `git worktree` of main), round by round, and the full findings of both are compared, on the
 * fleet as read and as read by the auditor (`source: 'live'`): the two must be identical.
 *
 *   npx tsx scripts/bench-policies.ts [repository] [--tenants 1000] [--repeat 5] [--baseline DIR]
 *
 * Without `repository`, the fleet of scripts/fixtures/large-fleet.ts is written and synthesized
 * into a temporary directory (removed afterwards unless `--keep`).
 */
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readManifests } from '../lib/io/read-manifests.ts';
import { contextsFromDocs } from '../lib/policy/context.ts';
import * as engine from '../lib/policy/engine.ts';
import type { PolicyContext } from '../lib/policy/types.ts';
import { compileWorkspace } from '../lib/workspace/compile.ts';
import { writeLargeFleet } from './fixtures/large-fleet.ts';

type Engine = Pick<typeof engine, 'runPolicies'>;

interface Args {
  repository?: string;
  tenants: number;
  repeat: number;
  baseline?: string;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { tenants: 1000, repeat: 5, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tenants') args.tenants = Number(argv[++i].replace(/_/g, ''));
    else if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--baseline') args.baseline = resolve(argv[++i]);
    else if (a === '--keep') args.keep = true;
    else if (!a.startsWith('--')) args.repository = resolve(a);
    else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(args.tenants) || args.tenants < 1) throw new Error('--tenants takes a positive integer, e.g. 1000');
  return args;
}

const TODAY = new Date().toISOString().slice(0, 10);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** One run on a new list of the same objects: CPU and wall milliseconds. */
function timed(run: Engine, c: PolicyContext): { cpu: number; wall: number } {
  const ctx: PolicyContext = { ...c, objects: [...c.objects], source: 'live' };
  const wall = performance.now();
  const start = cpu();
  run.runPolicies(ctx, { today: TODAY });
  return { cpu: cpu() - start, wall: performance.now() - wall };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const fleet = args.repository ? undefined : writeLargeFleet({ tenants: args.tenants, synth: true });
  const root = args.repository ?? fleet!.root;
  try {
    const compiled = await compileWorkspace(root);
    const inputs = { clusters: compiled.fleet.clusters, environments: compiled.environments, fleet: compiled.fleet, tiers: engine.policyTiers(compiled.templates.tiers) };
    const { docs } = readManifests(join(root, 'generated'), { base: root });
    const { contexts } = contextsFromDocs(docs, inputs);
    console.log(`${root}: ${docs.length.toLocaleString('en-US')} objects on ${contexts.length} clusters; load ${load()}`);

    const engines: Array<[string, Engine]> = [['this checkout', engine]];
    if (args.baseline) {
      const base = (await import(pathToFileURL(join(args.baseline, 'lib/policy/engine.ts')).href)) as Engine;
      engines.push(['baseline', base]);
      for (const source of ['generated', 'live'] as const) {
        const of = (e: Engine) => JSON.stringify(e.runPolicies(contexts.map((c) => ({ ...c, objects: [...c.objects], source })), { today: TODAY }));
        const same = of(engine) === of(base);
        console.log(`findings on ${source} objects: ${same ? 'identical' : 'DIFFERENT'} to the baseline's`);
        if (!same) process.exitCode = 1;
      }
    }

    const times = new Map<string, Map<string, Array<{ cpu: number; wall: number }>>>();
    for (let round = 0; round < args.repeat; round++) {
      for (const c of contexts) {
        // Alternate which engine goes first, so that neither always runs on a warmer machine.
        const order = round % 2 ? [...engines].reverse() : engines;
        for (const [name, run] of order) {
          const byCluster = times.get(name) ?? new Map();
          times.set(name, byCluster);
          byCluster.set(c.cluster.name, [...(byCluster.get(c.cluster.name) ?? []), timed(run, c)]);
        }
      }
    }
    for (const c of contexts) {
      const cells = engines.map(([name]) => {
        const runs = times.get(name)!.get(c.cluster.name)!;
        return `${name} ${median(runs.map((r) => r.cpu)).toFixed(0)} ms CPU (${median(runs.map((r) => r.wall)).toFixed(0)} ms wall)`;
      });
      console.log(`${c.cluster.name.padEnd(22)} ${c.objects.length.toLocaleString('en-US').padStart(7)} objects  ${cells.join('  ')}`);
    }
    for (const [name] of engines) {
      const total = contexts.reduce((sum, c) => sum + median(times.get(name)!.get(c.cluster.name)!.map((r) => r.cpu)), 0);
      console.log(`${name}: runPolicies over all clusters ${total.toFixed(0)} ms CPU (sum of the medians of ${args.repeat} runs)`);
    }
    console.log(`load ${load()}`);
  } finally {
    if (fleet && !args.keep) rmSync(fleet.root, { recursive: true, force: true });
  }
}

await main();
