/**
 * V8's cached code for the CommonJS packages the CLI loads (bin/code-cache.mjs). Each case runs a
 * small Node process that installs the hook with its own cache folder and requires a fixture
 * package from a node_modules/ folder of its own, so the hook never touches this test's process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT } from './repo.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const HOOK = pathToFileURL(join(PROJECT, 'bin', 'code-cache.mjs')).href;

/** A folder with node_modules/fixture (CommonJS: a helper file, a JSON file, a module calling import()) and a script that loads it through the hook. */
function fixture(): { dir: string; cache: string; entries: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tenantctl-code-cache-'));
  made.push(dir);
  const pkg = join(dir, 'node_modules', 'fixture');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'fixture', version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(pkg, 'data.json'), JSON.stringify({ answer: 42 }));
  writeFileSync(join(pkg, 'helper.js'), `exports.twice = (x) => x * 2;\n`);
  // Calls import(): compiled by Node itself, never from cached data (which would lose the import callback).
  writeFileSync(join(pkg, 'dynamic.js'), `exports.loadEsm = () => import('node:path').then((m) => typeof m.join);\n`);
  writeFileSync(
    join(pkg, 'index.js'),
    [
      `const { twice } = require('./helper');`,
      `const data = require('./data.json');`,
      `const path = require('node:path');`,
      `exports.value = twice(data.answer);`,
      `exports.where = path.relative(__dirname, __filename);`,
      `exports.resolved = path.basename(require.resolve('./helper'));`,
      `exports.thisIsExports = this === module.exports;`,
      `exports.loadEsm = require('./dynamic').loadEsm;`,
      `exports.message = "a message may quote import('x') without calling it";`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'plain.js'), `exports.ok = true;\n`);
  writeFileSync(
    join(dir, 'main.mjs'),
    [
      `import { createRequire } from 'node:module';`,
      `import { installCodeCache, codeCacheStats } from ${JSON.stringify(HOOK)};`,
      `installCodeCache(process.argv[2]);`,
      `const require = createRequire(import.meta.url);`,
      `const m = require('fixture');`,
      `const plain = require('./plain.js');`,
      `const esm = await m.loadEsm();`,
      `console.log(JSON.stringify({ value: m.value, where: m.where, resolved: m.resolved, thisIsExports: m.thisIsExports, esm, plain: plain.ok, used: codeCacheStats.used, rejected: codeCacheStats.rejected }));`,
      '',
    ].join('\n'),
  );
  const cache = join(dir, 'cache');
  const entries = () => {
    try {
      const root = join(cache, 'code-cache');
      return readdirSync(root).flatMap((v) => readdirSync(join(root, v)).map((f) => join(root, v, f)));
    } catch {
      return [];
    }
  };
  return { dir, cache, entries };
}

interface Outcome {
  value: number;
  where: string;
  resolved: string;
  thisIsExports: boolean;
  esm: string;
  plain: boolean;
  used: number;
  rejected: number;
}

function load(dir: string, cache: string): Outcome {
  const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), cache], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`main.mjs exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Outcome;
}

const EXPECTED = { value: 84, where: 'index.js', resolved: 'helper.js', thisIsExports: true, esm: 'function', plain: true };

describe('compiled code of packages in the user cache', () => {
  it('writes an entry per package module on the first run and uses them on the next, with the same behaviour', () => {
    const { dir, cache, entries } = fixture();
    const first = load(dir, cache);
    expect(first).toEqual({ ...EXPECTED, used: 0, rejected: 0 });
    // index.js and helper.js; not dynamic.js (it calls import()), nor plain.js (not under node_modules/); JSON is not compiled.
    expect(entries()).toHaveLength(2);
    const second = load(dir, cache);
    expect(second).toEqual({ ...EXPECTED, used: 2, rejected: 0 });
  });

  it('does not use a damaged entry, and writes it anew', () => {
    const { dir, cache, entries } = fixture();
    load(dir, cache);
    for (const file of entries()) {
      const buf = readFileSync(file);
      buf[buf.length - 10] ^= 0xff; // inside V8's data, past its header: only the checksum can tell
      writeFileSync(file, buf);
    }
    const damaged = load(dir, cache);
    expect(damaged).toEqual({ ...EXPECTED, used: 0, rejected: 0 });
    expect(load(dir, cache)).toEqual({ ...EXPECTED, used: 2, rejected: 0 });
  });

  it('does not use data V8 rejects (whole, but made for other code), and writes it anew', () => {
    const { dir, cache, entries } = fixture();
    load(dir, cache);
    const [a, b] = entries();
    const aBytes = readFileSync(a);
    writeFileSync(a, readFileSync(b));
    writeFileSync(b, aBytes);
    const swapped = load(dir, cache);
    expect(swapped).toEqual({ ...EXPECTED, used: 0, rejected: 2 });
    expect(load(dir, cache)).toEqual({ ...EXPECTED, used: 2, rejected: 0 });
  });

  it('gives a changed package a new entry instead of the old one', () => {
    const { dir, cache, entries } = fixture();
    load(dir, cache);
    writeFileSync(join(dir, 'node_modules', 'fixture', 'helper.js'), `exports.twice = (x) => x * 2 + 1;\n`);
    expect(load(dir, cache)).toEqual({ ...EXPECTED, value: 85, used: 1, rejected: 0 });
    expect(entries()).toHaveLength(3);
  });

  it('leaves whole entries when two processes write at once', async () => {
    const { dir, cache, entries } = fixture();
    const runs = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<number>((resolve) => {
            const child = spawn(process.execPath, [join(dir, 'main.mjs'), cache], { cwd: dir, stdio: 'ignore' });
            child.on('close', (c) => resolve(c ?? -1));
          }),
      ),
    );
    expect(runs).toEqual([0, 0, 0]);
    expect(entries().filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(load(dir, cache)).toEqual({ ...EXPECTED, used: 2, rejected: 0 });
  });

  it('reports a syntax error in a package as Node does', () => {
    const { dir, cache } = fixture();
    writeFileSync(join(dir, 'node_modules', 'fixture', 'helper.js'), `exports.twice = (x) => {\n`);
    const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), cache], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/helper\.js/);
    expect(r.stderr).toMatch(/SyntaxError/);
  });

  it('is off with TENANTCTL_NO_CODE_CACHE=1', () => {
    const { dir, cache, entries } = fixture();
    const r = spawnSync(process.execPath, [join(dir, 'main.mjs'), cache], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TENANTCTL_NO_CODE_CACHE: '1' } });
    expect(JSON.parse(r.stdout)).toEqual({ ...EXPECTED, used: 0, rejected: 0 });
    expect(entries()).toEqual([]);
  });
});
