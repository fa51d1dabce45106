/**
 * The CLI's bundle (bin/cli-bundle.mjs): plain JavaScript in the user cache, keyed by the code's
 * content. Each case runs a copy of this checkout (bin/, lib/, tiers/, vendor/imports/, the
 * package files; node_modules linked) with its own cache folder, so edits and damage stay in it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorker, stopWorkers } from '../../lib/io/worker-pool.ts';
import { renderEnvironmentFolder } from '../../lib/synth/synthesize.ts';
import type { RenderReply, RenderRequest } from '../../lib/workspace/render-worker.ts';
import { projectTemplates } from '../../lib/workspace/templates.ts';
import { compileTenants, tenantFile, tenantSpec } from '../synth/fixtures.ts';
import { cleanRepos, makeRepo, PROJECT, readTenant, writeTenant } from './repo.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  cleanRepos();
});

/** A copy of the compiler and an empty cache folder for it. */
function copyCompiler(): { code: string; cache: string } {
  const base = mkdtempSync(join(tmpdir(), 'tenantctl-bundle-'));
  made.push(base);
  const code = join(base, 'code');
  for (const entry of ['bin', 'lib', 'tiers', 'vendor/imports', 'package.json', 'package-lock.json']) cpSync(join(PROJECT, entry), join(code, entry), { recursive: true });
  symlinkSync(join(PROJECT, 'node_modules'), join(code, 'node_modules'));
  const cache = join(base, 'cache');
  mkdirSync(cache);
  return { code, cache };
}

function run(code: string, cache: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(code, 'bin', 'tenantctl.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TENANTCTL_CACHE_DIR: cache, TENANTCTL_NO_BUNDLE: '' },
    timeout: 240_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function runAsync(code: string, cache: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(code, 'bin', 'tenantctl.mjs'), ...args], { env: { ...process.env, TENANTCTL_CACHE_DIR: cache, TENANTCTL_NO_BUNDLE: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (c) => resolve({ code: c ?? -1, out, err }));
  });
}

/** Bundle folders in the cache (finished ones; `.tmp-` folders are builds in progress or left by a crash). */
const bundles = (cache: string) => (existsSync(join(cache, 'tenantctl', 'cli')) ? readdirSync(join(cache, 'tenantctl', 'cli')) : []);
const finished = (cache: string) => bundles(cache).filter((d) => !d.includes('.tmp-'));

describe("the bundle key's record of source digests", () => {
  /** sourceDigests of a copy of the compiler, with its cache folder as the user cache. */
  async function digestsOf(code: string, cache: string) {
    const { sourceDigests } = (await import(pathToFileURL(join(code, 'bin', 'cli-bundle.mjs')).href)) as { sourceDigests(root: string): { key: string; files: Record<string, string> } };
    const saved = process.env.TENANTCTL_CACHE_DIR;
    process.env.TENANTCTL_CACHE_DIR = cache;
    try {
      return sourceDigests(code);
    } finally {
      if (saved === undefined) delete process.env.TENANTCTL_CACHE_DIR;
      else process.env.TENANTCTL_CACHE_DIR = saved;
    }
  }
  const records = (cache: string) => readdirSync(join(cache, 'tenantctl', 'cli-sources')).map((f) => join(cache, 'tenantctl', 'cli-sources', f));

  it('gives the same key with and without the record, and changes it when a file changes back to its old size and mtime', async () => {
    const { code, cache } = copyCompiler();
    const first = await digestsOf(code, cache);
    expect(records(cache)).toHaveLength(1);
    expect(await digestsOf(code, cache)).toEqual(first);
    // An edit that keeps the size and puts the mtime back (as `touch -r` or a careless tool would): only its ctime says so.
    const file = join(code, 'tiers', 'gitops.ts');
    const { statSync, utimesSync } = await import('node:fs');
    const before = statSync(file);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('tenantctl', 'tenantctX'));
    utimesSync(file, before.atime, before.mtime);
    const edited = await digestsOf(code, cache);
    expect(edited.key).not.toBe(first.key);
    expect(edited.files['tiers/gitops.ts']).not.toBe(first.files['tiers/gitops.ts']);
  });

  it('ignores a damaged record and hashes every file again', async () => {
    const { code, cache } = copyCompiler();
    const first = await digestsOf(code, cache);
    const [record] = records(cache);
    // A record whose digests lie (checksum line kept) must not be believed.
    const text = readFileSync(record, 'utf8');
    writeFileSync(record, text.replace(/"tiers\/gitops\.ts":\[([^\]]*),"[0-9a-f]{64}"\]/, '"tiers/gitops.ts":[$1,"' + '0'.repeat(64) + '"]'));
    expect(readFileSync(record, 'utf8')).not.toBe(text);
    expect(await digestsOf(code, cache)).toEqual(first);
    writeFileSync(record, text.slice(0, text.length / 2));
    expect(await digestsOf(code, cache)).toEqual(first);
  });
});

/** Runs the CLI from `code` with a hook that lists the CommonJS files the process loaded, at exit (loadedModules). */
function runListingModules(code: string, cache: string, ...args: string[]) {
  const hook = `data:text/javascript,${encodeURIComponent("import { createRequire } from 'node:module'; import { writeSync } from 'node:fs'; const r = createRequire(process.cwd() + '/'); process.on('exit', () => writeSync(2, 'LOADED ' + JSON.stringify(Object.keys(r.cache)) + '\\n'));")}`;
  return spawnSync(process.execPath, ['--import', hook, join(code, 'bin', 'tenantctl.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TENANTCTL_CACHE_DIR: cache, TENANTCTL_NO_BUNDLE: '' },
    timeout: 240_000,
  });
}

const loadedModules = (stderr: string) => JSON.parse(/LOADED (.*)/.exec(stderr)![1]) as string[];

describe('the CLI bundle', () => {
  it('is built on first run into the user cache and reused by the next run', () => {
    const { code, cache } = copyCompiler();
    const first = run(code, cache, '--version');
    expect(first.code, first.err).toBe(0);
    expect(first.out.trim()).toBe(JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')).version);
    expect(first.err).toBe('');
    expect(finished(cache)).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(cache, 'tenantctl', 'cli', finished(cache)[0], 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.entries)).toEqual(expect.arrayContaining(['lib/cli/main.ts', 'lib/workspace/render-worker.ts', 'lib/io/read-manifests-worker.ts']));
    expect(run(code, cache, '--version').code).toBe(0);
    expect(finished(cache)).toHaveLength(1);
  });

  it('is rebuilt when a tiers/ file changes, and a real synth renders the change', () => {
    const { code, cache } = copyCompiler();
    const repo = makeRepo(['acme']);
    const before = run(code, cache, '-C', repo, 'synth');
    expect(before.code, before.err).toBe(0);
    const appSet = join(repo, 'generated', 'eu-central-1', 'argocd');
    const text = () => readdirSync(appSet).map((f) => readFileSync(join(appSet, f), 'utf8')).join('\n');
    expect(text()).not.toContain('tenantctl-edited');
    const gitops = join(code, 'tiers', 'gitops.ts');
    writeFileSync(gitops, readFileSync(gitops, 'utf8').replace("'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/cluster'", "'app.kubernetes.io/managed-by': 'tenantctl-edited', 'tenantctl.io/cluster'"));
    const after = run(code, cache, '-C', repo, 'synth');
    expect(after.code, after.err).toBe(0);
    expect(after.out).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed/);
    expect(text()).toContain('tenantctl-edited');
    expect(finished(cache)).toHaveLength(2);
  });

  it('loads cdk8s and the typed core objects from one file of the bundle, with one copy of constructs and of yaml, and renders as the sources do', () => {
    const { code, cache } = copyCompiler();
    const repo = makeRepo(['acme']);
    const r = runListingModules(code, cache, '-C', repo, 'synth', '--no-cache');
    expect(r.status, r.stderr).toBe(0);
    const loaded = loadedModules(r.stderr);
    expect(loaded.filter((f) => f.endsWith('/packages.cjs'))).toHaveLength(1);
    expect(loaded.filter((f) => /\/node_modules\/(cdk8s|cdk8s-plus-28)\//.test(f))).toEqual([]);
    expect(loaded.filter((f) => f.endsWith('/constructs/lib/index.js'))).toHaveLength(1);
    expect(loaded.filter((f) => f.endsWith('/yaml/dist/index.js'))).toHaveLength(1);
    // What it wrote is what the TypeScript sources write.
    const fromSources = spawnSync(process.execPath, [join(code, 'bin', 'tenantctl.mjs'), '-C', repo, 'synth', '--check', '--no-cache'], {
      encoding: 'utf8',
      env: { ...process.env, TENANTCTL_CACHE_DIR: cache, TENANTCTL_NO_BUNDLE: '1' },
      timeout: 240_000,
    });
    expect(fromSources.status, fromSources.stdout + fromSources.stderr).toBe(0);
    expect(fromSources.stdout).toMatch(/^generated\/ is up to date/);
  });

  it('keeps working from another checkout of the same code once the checkout that built it is removed: packages are required by their real paths', () => {
    const built = copyCompiler();
    const other = copyCompiler();
    const repo = makeRepo(['acme']);
    const first = run(built.code, built.cache, '-C', repo, 'synth', '--no-cache');
    expect(first.code, first.err).toBe(0);
    rmSync(built.code, { recursive: true, force: true });
    const r = run(other.code, built.cache, '-C', repo, 'synth', '--check', '--no-cache');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^generated\/ is up to date/);
    expect(finished(built.cache)).toHaveLength(1); // the same bundle, run from the other checkout
  });

  it('loads neither cdk8s nor yaml for a re-synth whose changed folders all come from the render cache, and writes what a cold synth writes', () => {
    const { code, cache } = copyCompiler();
    const repo = makeRepo(['acme', 'beta']);
    const original = readTenant(repo, 'beta');
    expect(run(code, cache, '-C', repo, 'synth').code).toBe(0);
    writeTenant(repo, 'beta', original.replace("costCenter: 'CC-2001'", "costCenter: 'CC-2002'"));
    const edited = run(code, cache, '-C', repo, 'synth');
    expect(edited.out, edited.err).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed/);
    // Back to the first content: every changed folder is in the render cache.
    writeTenant(repo, 'beta', original);
    const back = runListingModules(code, cache, '-C', repo, 'synth');
    expect(back.stdout, back.stderr).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed/);
    const loaded = loadedModules(back.stderr);
    expect(loaded.filter((f) => f.endsWith('/packages.cjs') || f.endsWith('/yaml/dist/index.js'))).toEqual([]);
    const check = run(code, cache, '-C', repo, 'synth', '--check', '--no-cache');
    expect(check.code, check.out + check.err).toBe(0);
    expect(check.out).toMatch(/^generated\/ is up to date/);
  });

  it('re-synths a changed tenant with the modules it renders only: zod from one file, no TypeScript compiler, no Argo CD objects', () => {
    const { code, cache } = copyCompiler();
    const repo = makeRepo(['acme', 'beta']);
    expect(run(code, cache, '-C', repo, 'synth').code).toBe(0);
    writeTenant(repo, 'beta', readTenant(repo, 'beta').replace("costCenter: 'CC-2001'", "costCenter: 'CC-2099'"));
    const r = runListingModules(code, cache, '-C', repo, 'synth');
    expect(r.stdout, r.stderr).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed/);
    const loaded = loadedModules(r.stderr);
    // The tenant file was parsed (by @babel/parser), and its environments rendered.
    expect(loaded.filter((f) => f.includes('/@babel/parser/'))).toHaveLength(1);
    expect(loaded.filter((f) => f.endsWith('/packages.cjs'))).toHaveLength(1);
    expect(loaded.filter((f) => f.endsWith('/package-externalsecrets-external-secrets.io.cjs'))).toHaveLength(1);
    expect(loaded.filter((f) => f.endsWith('/package-zod.cjs'))).toHaveLength(1);
    expect(loaded.filter((f) => /\/node_modules\/(zod|typescript)\//.test(f))).toEqual([]);
    expect(loaded.filter((f) => f.endsWith('/package-argocd-argoproj.io.cjs'))).toEqual([]);
  });

  it('ends with a clear error, not waiting on its scan of generated/, when a changed tenant file is not valid', () => {
    const { code, cache } = copyCompiler();
    const repo = makeRepo(['acme', 'beta']);
    expect(run(code, cache, '-C', repo, 'synth').code).toBe(0);
    writeTenant(repo, 'beta', readTenant(repo, 'beta').replace("tier: 'shared'", "tier: 'golden'"));
    const r = run(code, cache, '-C', repo, 'synth');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('tenants/beta.ts');
    expect(r.err).toContain('golden');
  });

  it('starts a worker from its bundled entry, which renders what the sources render', async () => {
    const { code, cache } = copyCompiler();
    expect(run(code, cache, '--version').code).toBe(0);
    const dir = join(cache, 'tenantctl', 'cli', finished(cache)[0]);
    const { entries } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: Record<string, string> };
    const sourceRoot = pathToFileURL(code + '/').href;
    const env = compileTenants([tenantFile(tenantSpec('acme'))]).environments[0];
    // The copy's source of the worker now fails: only the bundled file can answer with files.
    writeFileSync(join(code, 'lib', 'workspace', 'render-worker.ts'), "export function serve(port: import('node:worker_threads').MessagePort): void { port.on('message', (r: { batch: number }) => port.postMessage({ batch: r.batch, error: 'ran the sources' })); port.postMessage('ready'); }\n");
    const slot = Symbol.for('tenantctl.bundle');
    (globalThis as Record<symbol, unknown>)[slot] = { sourceRoot, dir, entries };
    let worker;
    try {
      // A source URL of the copy, as render-pool.ts names it: startWorker maps it to the bundle.
      worker = startWorker(new URL('lib/workspace/render-worker.ts', sourceRoot));
    } finally {
      delete (globalThis as Record<symbol, unknown>)[slot];
    }
    try {
      const reply = await new Promise<RenderReply>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: RenderReply | 'ready') => {
          if (m === 'ready') worker.postMessage({ batch: 0, envs: [env] } satisfies RenderRequest);
          else resolve(m);
        });
      });
      expect(reply).not.toHaveProperty('error');
      expect('files' in reply && reply.files[0]).toEqual(renderEnvironmentFolder(env, projectTemplates));
    } finally {
      await stopWorkers([worker]);
    }
  });

  it('is rebuilt, not run, when a file of it is damaged or its manifest is cut short', () => {
    const { code, cache } = copyCompiler();
    expect(run(code, cache, '--version').code).toBe(0);
    const dir = join(cache, 'tenantctl', 'cli', finished(cache)[0]);
    const main = join(dir, 'lib', 'cli', 'main.mjs');
    appendFileSync(main, '\nthrow new Error("damaged bundle ran");\n');
    const damaged = run(code, cache, '--version');
    expect(damaged.code, damaged.err).toBe(0);
    expect(damaged.err).not.toContain('damaged bundle ran');
    expect(readFileSync(main, 'utf8')).not.toContain('damaged bundle ran');

    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').slice(0, 100));
    appendFileSync(main, '\nthrow new Error("half-written bundle ran");\n');
    const half = run(code, cache, '--version');
    expect(half.code, half.err).toBe(0);
    expect(half.err).not.toContain('half-written bundle ran');
    expect(JSON.parse(readFileSync(manifest, 'utf8')).key).toBe(finished(cache)[0]);
  });

  it('ignores a build folder a crashed process left behind', () => {
    const { code, cache } = copyCompiler();
    expect(run(code, cache, '--version').code).toBe(0);
    const key = finished(cache)[0];
    rmSync(join(cache, 'tenantctl', 'cli', key), { recursive: true });
    const leftover = join(cache, 'tenantctl', 'cli', `${key}.tmp-999999-1`, 'lib', 'cli');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'main.mjs'), 'throw new Error("leftover ran");\n');
    const r = run(code, cache, '--version');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(finished(cache)).toEqual([key]);
  });

  it('is built by two processes at once without either failing', async () => {
    const { code, cache } = copyCompiler();
    const [a, b] = await Promise.all([runAsync(code, cache, '--version'), runAsync(code, cache, '--version')]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    expect(a.err + b.err).toBe('');
    expect(a.out).toBe(b.out);
    expect(bundles(cache)).toHaveLength(1); // one bundle, no build folder left behind
  });

  it('is never taken away from a process running from it by another that finished building later', async () => {
    // Each command loads its chunks after start-up: a builder that replaced the folder of the first
    // one to finish would break that process half-way (a chunk not found).
    const { code, cache } = copyCompiler();
    const repo = makeRepo(['acme']);
    const runs = await Promise.all([0, 1, 2].map(() => runAsync(code, cache, '-C', repo, 'synth', '--check')));
    for (const r of runs) expect(r.err).not.toMatch(/internal error|Cannot find module/);
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1]); // generated/ was never written: stale, said cleanly
    expect(finished(cache)).toHaveLength(1);
  });

  it('falls back to the TypeScript sources with a one-line note when it cannot be built', () => {
    const { code, cache } = copyCompiler();
    // A syntax error in a module `--version` never loads: the bundle (all modules) cannot build, tsx still runs.
    appendFileSync(join(code, 'lib', 'report', 'plan-text.ts'), '\nexport const broken = ;\n');
    const r = run(code, cache, '--version');
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^tenantctl: note: could not build the CLI bundle \(.+\); running from the TypeScript sources/);
    expect(finished(cache)).toEqual([]);
  });
});
