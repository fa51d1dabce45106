/**
 * Temporary tenantctl repositories for end-to-end CLI tests: the project's fleet.ts and a few of
 * its tenant files in a fresh folder, with lib/, tiers/, vendor/ and node_modules/ linked from
 * this checkout (tenant files import `../lib/tenant/schema.ts`). One folder per case, so no case
 * sees another's files or render cache.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../lib/cli/main.ts';
import { workspaceCacheDir } from '../../lib/io/workspace-cache.mjs';

export const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const made: string[] = [];

/** A repository with fleet.ts and `tenants` (default: the project's acme and beta) copied in. */
export function makeRepo(tenants: readonly string[] = ['acme', 'beta']): string {
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-cli-'));
  made.push(root);
  for (const dir of ['lib', 'tiers', 'vendor', 'node_modules']) symlinkSync(join(PROJECT, dir), join(root, dir));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'tenantctl-test-repo', private: true, type: 'module' }) + '\n');
  copyFileSync(join(PROJECT, 'fleet.ts'), join(root, 'fleet.ts'));
  mkdirSync(join(root, 'tenants'));
  for (const t of tenants) copyFileSync(join(PROJECT, 'tenants', `${t}.ts`), join(root, 'tenants', `${t}.ts`));
  return root;
}

/** Removes every repository made so far (call from afterAll). */
export function cleanRepos(): void {
  for (const root of made.splice(0)) {
    rmSync(workspaceCacheDir(root), { recursive: true, force: true }); // synth's caches of it, in the user cache
    rmSync(root, { recursive: true, force: true });
  }
}

export function writeTenant(root: string, name: string, source: string): void {
  writeFileSync(join(root, 'tenants', `${name}.ts`), source);
}

export function readTenant(root: string, name: string): string {
  return readFileSync(join(root, 'tenants', `${name}.ts`), 'utf8');
}

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in this process, on `root` (`-C`). */
export async function cli(root: string, ...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const io = {
    out: (s: string) => ((out += s), true),
    err: (s: string) => ((err += s), true),
  };
  const code = await main(['-C', root, ...args], io);
  return { code, out, err };
}

/** Runs `node bin/tenantctl.mjs` in a child process, for what must not share this process's module cache. */
export function spawnCli(root: string, ...args: string[]): CliRun {
  return spawnCliWith({}, root, ...args);
}

/**
 * `spawnCli` with extra environment variables and a time limit (a process still running after
 * `timeoutMs` is killed and reported with code -1, so a hang fails the test instead of the run).
 */
export function spawnCliWith(o: { env?: Record<string, string>; timeoutMs?: number }, root: string, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [join(PROJECT, 'bin', 'tenantctl.mjs'), '-C', root, ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, ...o.env },
    timeout: o.timeoutMs,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Every file under generated/ (README included) with its content, for byte-for-byte comparison. */
export function treeOf(root: string): Map<string, string> {
  const dir = join(root, 'generated');
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(join(dir, p), 'utf8'));
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/** A hash of the whole generated/ tree: paths and bytes; `absent` when there is none. */
export function hashTree(root: string): string {
  const tree = treeOf(root);
  if (tree.size === 0 && !existsSync(join(root, 'generated'))) return 'absent';
  const h = createHash('sha256');
  for (const p of [...tree.keys()].sort()) h.update(p).update('\0').update(tree.get(p)!).update('\0');
  return h.digest('hex');
}

/** A minimal valid tenant file; `fields` (values as source text) replace or add top-level keys. */
export function tenantSource(fields: Record<string, string>): string {
  const defaults: Record<string, string> = {
    name: "'x'",
    displayName: "'X'",
    tier: "'shared'",
    region: "'eu-west'",
    odoo: "{ version: '18.0', image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110' }",
    environments: "{ production: { domains: ['x.eu-west.erp.odoo-hosting.example'] } }",
    labels: "{ owner: 'team-test', costCenter: 'CC-9' }",
  };
  const all = { ...defaults, ...fields };
  const lines = Object.entries(all).map(([k, v]) => `  ${k}: ${v},`);
  return `import { defineTenant } from '../lib/tenant/schema.ts';\n\nexport default defineTenant({\n${lines.join('\n')}\n});\n`;
}
