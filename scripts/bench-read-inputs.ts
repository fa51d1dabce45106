/**
 * Reading tenant files as data (lib/io/static-module.ts) at fleet scale: `loadInputs` on the
 * 1,000-tenant fleet of scripts/fixtures/large-fleet.ts, in a fresh process each run (the
 * parser, @babel/parser, is loaded once per process, so its load time counts). Cold: an empty read
 * cache (every file parsed, as in CI); warm: every file unchanged since the last read (a re-synth).
 *
 *   npx tsx scripts/bench-read-inputs.ts [--tenants 1000] [--repeat 3]
 *
 * Prints both times; the issue on untrusted tenant files asks that they stay small next to a synth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLargeFleet } from './fixtures/large-fleet.ts';

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

if (process.argv[2] === '--child') {
  const root = process.argv[3];
  const { loadInputs, isIssue } = await import('../lib/io/load-modules.ts');
  const t0 = performance.now();
  const { fleet, tenants } = await loadInputs(root);
  const t1 = performance.now();
  const bad = [fleet, ...tenants].filter(isIssue);
  if (bad.length) throw new Error(`unexpected issues: ${JSON.stringify(bad.slice(0, 3))}`);
  console.log(JSON.stringify({ read: t1 - t0, files: tenants.length + 1 }));
} else {
  const tenants = arg('tenants', 1000);
  const repeat = arg('repeat', 3);
  const { root } = writeLargeFleet({ tenants, prefix: 'tenantctl-bench-read-' });
  const cacheHome = mkdtempSync(join(tmpdir(), 'tenantctl-bench-cache-'));
  const run = (cold: boolean) => {
    if (cold) rmSync(join(cacheHome, 'tenantctl'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'scripts', 'bench-read-inputs.ts'), '--child', root], { cwd: HERE, encoding: 'utf8', env: { ...process.env, TENANTCTL_CACHE_DIR: cacheHome } });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { read: number; files: number };
  };
  try {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cold = Array.from({ length: repeat }, () => run(true));
    const warm = Array.from({ length: repeat }, () => run(false));
    const files = cold[0].files;
    const c = median(cold.map((r) => r.read));
    const w = median(warm.map((r) => r.read));
    console.log(`loadInputs on ${files} input files (median of ${repeat} fresh processes each):`);
    console.log(`  cold (no read cache: parser load + parse of every file)    ${c.toFixed(0)} ms (${((c / files) * 1000).toFixed(0)} µs per file)`);
    console.log(`  warm (every file unchanged)                                 ${w.toFixed(0)} ms`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(cacheHome, { recursive: true, force: true });
  }
}
