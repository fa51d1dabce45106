import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseManifests } from '../../lib/io/read-manifests.ts';
import { readSchemaSource } from '../../lib/io/read-schemas.ts';
import type { ManifestDoc } from '../../lib/validate/findings.ts';
import { SchemaRegistry, type SchemaSource } from '../../lib/validate/registry.ts';
import { validateWith } from '../../lib/validate/validate.ts';
import { kubernetesFormats } from '../../lib/validate/formats.ts';
import { diskValidatorStore, loadValidatorCode } from '../../lib/validate/validator-cache.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, 'fixtures');

/** Every fixture: valid objects, a core kind and custom resources with errors, an unknown kind. */
function fixtureDocs(): ManifestDoc[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifests(readFileSync(join(FIXTURES, f), 'utf8'), f).docs);
}

describe('compiled validators in the user cache', () => {
  let source: SchemaSource;
  let docs: ManifestDoc[];
  let expected: ReturnType<typeof validateWith>;
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantctl-validators-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    source = readSchemaSource({ cacheDir: false });
    docs = fixtureDocs();
    // The reference: validators compiled by ajv in this process, no store.
    expected = validateWith(new SchemaRegistry(source), docs);
    expect(expected.map((f) => f.code)).toEqual(expect.arrayContaining(['schema.invalid', 'schema.unknown-kind']));
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds exactly what freshly compiled validators find, when loaded from the cache on a later run', () => {
    const dir = scratch();
    const first = new SchemaRegistry(source, { store: diskValidatorStore(dir) });
    expect(validateWith(first, docs)).toEqual(expected);
    expect(first.stats.loaded).toBe(0);
    expect(first.stats.compiled).toBeGreaterThan(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('.js'))).toHaveLength(first.stats.compiled);

    const second = new SchemaRegistry(source, { store: diskValidatorStore(dir) });
    expect(validateWith(second, docs)).toEqual(expected);
    expect(second.stats).toEqual({ loaded: first.stats.compiled, compiled: 0 });
  });

  it('takes the store keys kept under a keys id on a later run, without making the schemas strict again', () => {
    const dir = scratch();
    const first = new SchemaRegistry(source, { store: diskValidatorStore(dir), keysId: 'inputs-1' });
    expect(validateWith(first, docs)).toEqual(expected);
    // A keys id stands for the inputs: under the same id, CRD schemas are not looked at again, the kept keys are used.
    const changed: SchemaSource = { ...source, crds: source.crds.map((c) => ({ ...c, schema: { type: 'object', properties: {} } })) };
    const second = new SchemaRegistry(changed, { store: diskValidatorStore(dir), keysId: 'inputs-1' });
    expect(validateWith(second, docs)).toEqual(expected);
    expect(second.stats).toEqual({ loaded: first.stats.compiled, compiled: 0 });
    // Without one, the keys are computed from the schemas, and the changed ones compile anew.
    const third = new SchemaRegistry(changed, { store: diskValidatorStore(dir) });
    validateWith(third, docs);
    expect(third.stats.compiled).toBeGreaterThan(0);
  });

  it('computes the store keys again when the kept ones are damaged, and keeps them anew', () => {
    const dir = scratch();
    validateWith(new SchemaRegistry(source, { store: diskValidatorStore(dir), keysId: 'inputs-1' }), docs);
    const kept = readdirSync(dir).find((f) => readFileSync(join(dir, f), 'utf8').split('\n')[1].startsWith('{"'))!;
    writeFileSync(join(dir, kept), readFileSync(join(dir, kept), 'utf8').replace('{"', '{"x'));
    expect(diskValidatorStore(dir).get(kept.replace(/\.js$/, ''))).toBeUndefined();

    const again = new SchemaRegistry(source, { store: diskValidatorStore(dir), keysId: 'inputs-1' });
    expect(validateWith(again, docs)).toEqual(expected);
    expect(again.stats.compiled).toBe(0);
    expect(Object.keys(JSON.parse(diskValidatorStore(dir).get(kept.replace(/\.js$/, ''))!) as object).length).toBe(again.stats.loaded);
  });

  it('compiles a damaged cached validator again and rewrites its entry, rather than using it', () => {
    const dir = scratch();
    validateWith(new SchemaRegistry(source, { store: diskValidatorStore(dir) }), docs);
    const entries = readdirSync(dir).filter((f) => f.endsWith('.js'));
    const [truncated, edited, ...rest] = entries;
    // Cut in half; code changed so that it would accept anything; not a validator at all.
    const text = (f: string) => readFileSync(join(dir, f), 'utf8');
    writeFileSync(join(dir, truncated), text(truncated).slice(0, text(truncated).length / 2));
    writeFileSync(join(dir, edited), text(edited).replace(/return errors === 0;/g, 'return true;'));
    for (const f of rest) writeFileSync(join(dir, f), 'garbage');

    const again = new SchemaRegistry(source, { store: diskValidatorStore(dir) });
    expect(validateWith(again, docs)).toEqual(expected);
    expect(again.stats).toEqual({ loaded: 0, compiled: entries.length });
    // Every entry was written again, whole: the next run loads them all.
    const store = diskValidatorStore(dir);
    for (const f of entries) expect(store.get(f.replace(/\.js$/, '')), f).toBeDefined();
    const next = new SchemaRegistry(source, { store: diskValidatorStore(dir) });
    expect(validateWith(next, docs)).toEqual(expected);
    expect(next.stats.loaded).toBe(entries.length);
  });

  it('compiles again when a sound entry holds code that does not run', () => {
    const dir = scratch();
    const store = diskValidatorStore(dir);
    validateWith(new SchemaRegistry(source, { store }), docs);
    // Checksummed correctly (as a writer with a bug would leave it), but no validator.
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.js'))) store.set(f.replace(/\.js$/, ''), 'module.exports = 42;');
    const again = new SchemaRegistry(source, { store });
    expect(validateWith(again, docs)).toEqual(expected);
    expect(again.stats.loaded).toBe(0);
  });

  it('loads validators through V8\'s code cache on later runs, kept once they ran, with the same findings', () => {
    const [dir, compiled] = [scratch(), scratch()];
    const run = () => {
      const registry = new SchemaRegistry(source, { store: diskValidatorStore(dir, compiled) });
      const findings = validateWith(registry, docs);
      return { findings, stats: registry.stats, kept: registry.keepCompiledCode() };
    };
    // Compiled by ajv: nothing to keep yet. Loaded from code: its code cache kept. Then loaded through it: nothing new.
    const first = run();
    expect(first.findings).toEqual(expected);
    expect(first.kept).toBe(0);
    const second = run();
    expect(second.findings).toEqual(expected);
    expect(second.kept).toBe(first.stats.compiled);
    const entries = readdirSync(compiled, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(entries.map((e) => e.name.endsWith('.bin'))).toEqual(new Array(first.stats.compiled).fill(true));
    const third = run();
    expect(third.findings).toEqual(expected);
    expect(third).toMatchObject({ stats: { loaded: first.stats.compiled, compiled: 0 }, kept: 0 });
  });

  it('never uses a damaged code cache entry: the validator loads from its code, and the entry is made again', () => {
    const [dir, compiled] = [scratch(), scratch()];
    const run = () => {
      const registry = new SchemaRegistry(source, { store: diskValidatorStore(dir, compiled) });
      return { findings: validateWith(registry, docs), kept: registry.keepCompiledCode() };
    };
    run();
    const kinds = run().kept;
    const files = readdirSync(compiled, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    // A byte of the data changed (the checksum no longer holds), cut short, garbage.
    files.forEach((f, i) => {
      const data = readFileSync(f);
      if (i % 3 === 0) data[data.length - 7] ^= 0xff;
      writeFileSync(f, i % 3 === 0 ? data : i % 3 === 1 ? data.subarray(0, data.length / 2) : 'garbage');
    });
    const store = diskValidatorStore(dir, compiled);
    const codes = readdirSync(dir).map((f) => store.get(f.replace(/\.js$/, ''))!);
    for (const code of codes) expect(store.getCompiled!(code)).toBeUndefined();
    const again = run();
    expect(again.findings).toEqual(expected);
    expect(again.kept).toBe(kinds);
    expect(run().kept).toBe(0);
  });

  it('runs validator code whose code cache V8 rejects, as if it had none', () => {
    const code = `"use strict";module.exports = validate;function validate(data) { validate.errors = null; return data === 42; }`;
    const { script } = loadValidatorCode(code, kubernetesFormats);
    // Sound data, but of other code. (V8 checks only the source's length: data of other code of the
    // same length would be taken, which is why the store names each entry by a hash of its code.)
    const other = loadValidatorCode(code.replace('42', '4343'), kubernetesFormats, script.createCachedData());
    expect(other.cached).toBe(false);
    expect([other.validate(42), other.validate(4343)]).toEqual([false, true]);
    const same = loadValidatorCode(code, kubernetesFormats, script.createCachedData());
    expect(same.cached).toBe(true);
    expect([same.validate(42), same.validate(43)]).toEqual([true, false]);
  });

  it('lets two processes fill one cache at once, and both validate correctly', async () => {
    const cache = scratch();
    const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(FIXTURES, f));
    // A process that validates the fixtures with the vendored registry, as the CLI does, in `cache`.
    const script = `
      import { readFileSync } from 'node:fs';
      import { parseManifests } from ${JSON.stringify(join(ROOT, 'lib/io/read-manifests.ts'))};
      import { vendoredRegistry } from ${JSON.stringify(join(ROOT, 'lib/validate/vendored.ts'))};
      import { validateWith } from ${JSON.stringify(join(ROOT, 'lib/validate/validate.ts'))};
      const files = ${JSON.stringify(fixtures)};
      const docs = files.flatMap((f) => parseManifests(readFileSync(f, 'utf8'), f.split('/').pop()).docs);
      const registry = vendoredRegistry();
      const findings = validateWith(registry, docs);
      console.log(JSON.stringify({ findings, stats: registry.stats }));
    `;
    const run = () =>
      new Promise<{ findings: unknown; stats: { loaded: number; compiled: number } }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, TENANTCTL_CACHE_DIR: cache } });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`exit ${code}: ${err}`))));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.findings).toEqual(expected);
    expect(b.findings).toEqual(expected);
    // Whatever each wrote, the cache holds whole, sound entries only, and no temporary files.
    const dir = join(cache, 'tenantctl', 'validators');
    const names = readdirSync(dir);
    expect(names.filter((f) => !f.endsWith('.js'))).toEqual([]);
    const store = diskValidatorStore(dir);
    for (const f of names) expect(store.get(f.replace(/\.js$/, '')), f).toBeDefined();
    const third = await run();
    expect(third.findings).toEqual(expected);
    expect(third.stats.compiled).toBe(0);
  }, 180_000);
});
