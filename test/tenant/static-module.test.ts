/**
 * Reading tenant files and fleet.ts as data (lib/io/static-module.ts): data syntax gives the value
 * importing the file would give; anything else is an issue with line, column and fix, and never runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule } from '../../lib/io/load-modules.ts';
import { diskReadCache } from '../../lib/io/read-cache.ts';
import { readStaticModule, type StaticModule } from '../../lib/io/static-module.ts';

const root = mkdtempSync(join(tmpdir(), 'tenantctl-static-'));
mkdirSync(join(root, 'tenants'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HEADER = "import { defineTenant } from '../lib/tenant/schema.ts';\n";
const marker = join(root, 'ran');

async function read(source: string, file = 'tenants/case.ts'): Promise<StaticModule> {
  writeFileSync(join(root, file), source);
  return readStaticModule(root, file, 'tenant');
}

function valueOf(r: StaticModule): unknown {
  if ('issues' in r) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function issueOf(r: StaticModule) {
  if (!('issues' in r)) throw new Error(`read as data: ${JSON.stringify(r.value)}`);
  return r.issues[0];
}

describe('data syntax', () => {
  it('evaluates literals, consts, as const, satisfies, negative numbers and templates', async () => {
    const r = await read(`${HEADER}import type { TenantSpec } from '../lib/tenant/schema.ts';
/** Doc comment. */
const domains = ['a.example.com'] as const;
const base = { replicas: 2 };
type Unused = string;
export default defineTenant({
  name: \`acme\`,
  tier: 'shared' as const,
  offset: -5,
  flag: true, none: null,
  'quoted-key': 1,
  environments: { production: { ...base, domains: [...domains, 'b.example.com'] } },
  domains,
} satisfies TenantSpec as never);
`);
    expect(valueOf(r)).toEqual({ name: 'acme', tier: 'shared', offset: -5, flag: true, none: null, 'quoted-key': 1, environments: { production: { replicas: 2, domains: ['a.example.com', 'b.example.com'] } }, domains: ['a.example.com'] });
  });

  it('reads numbers, escapes and templates as JavaScript does: `1e3` and `0x10` as keys are "1000" and "16"', async () => {
    const r = await read(`${HEADER}export default defineTenant({\n  1e3: 'a\\u0041', 0x10: \`tab\\there\\u{1F600}\`, 1_000.5: 0x1f,\n  n: [1e3, 0b101, 0o17, 1_000, .5, -0x10],\n});\n`);
    expect(valueOf(r)).toEqual({ 1000: 'aA', 16: 'tab\there\u{1F600}', '1000.5': 31, n: [1000, 5, 15, 1000, 0.5, -16] });
  });

  it('refuses a BigInt literal, which JSON and the schema cannot hold', async () => {
    const issue = issueOf(await read(`${HEADER}export default defineTenant({ replicas: 10n });\n`));
    expect(issue).toMatchObject({ line: 2, column: 41, message: '`10n` is not allowed: a tenant file describes data, and nothing in it runs' });
  });

  it('counts columns in UTF-16 code units, as editors do, and points at a field past the comment before it', async () => {
    const r = await read(`${HEADER}// é€😀\nexport default defineTenant({\n  'clé€': 1, name: '😀', tier: 'shared',\n  /* why: two */ replicas: 2,\n});\n`);
    if ('issues' in r) throw new Error(JSON.stringify(r.issues));
    expect(r.value).toEqual({ 'clé€': 1, name: '😀', tier: 'shared', replicas: 2 });
    // UTF-16: 😀 is two units (one code point, four bytes), é and € one each (two and three bytes).
    expect(r.positions.at('tier')).toEqual({ line: 4, column: 26 });
    expect(r.positions.at('replicas')).toEqual({ line: 5, column: 18 });
  });

  it('accepts an alias of the helper and named constants from a shared data file under tenants/', async () => {
    writeFileSync(join(root, 'tenants', '_shared.ts'), "export const OWNER = 'team-a';\nexport const LABELS = { owner: OWNER, costCenter: 'CC-1' };\n");
    const r = await read("import { defineTenant as tenant } from '../lib/tenant/schema.ts';\nimport { LABELS } from './_shared.ts';\nexport default tenant({ labels: LABELS });\n");
    expect(valueOf(r)).toEqual({ labels: { owner: 'team-a', costCenter: 'CC-1' } });
  });

  it('gives the line and column of every field, and of the nearest written ancestor for a missing one', async () => {
    const r = await read(`${HEADER}export default defineTenant({\n  name: 'acme',\n  environments: {\n    production: { domains: ['a.example.com', 'b.example.com'] },\n  },\n});\n`);
    if ('issues' in r) throw new Error('not data');
    expect(r.positions.at('name')).toEqual({ line: 3, column: 3 });
    expect(r.positions.at('environments.production')).toEqual({ line: 5, column: 5 });
    expect(r.positions.at('environments.production.domains[1]')).toEqual({ line: 5, column: 46 });
    expect(r.positions.at('environments.production.replicas')).toEqual({ line: 5, column: 5 });
    expect(r.positions.at('labels')).toEqual({ line: 2, column: 29 });
  });
});

describe('anything but data is refused, with line, column and fix, and never runs', () => {
  it.each([
    ['a file write at import', `import { writeFileSync } from 'node:fs';\n${HEADER}writeFileSync('${marker}', 'x');\nexport default defineTenant({ name: 'acme' });\n`, 1, 31, /import from "node:fs" is not allowed/],
    ['a spawn through a dynamic import', `${HEADER}const cp = await import('node:child_process');\nexport default defineTenant({ name: 'acme' });\n`, 2, 12, /`await` .* is not allowed/],
    ['an environment read', `${HEADER}export default defineTenant({ name: process.env.GITHUB_TOKEN });\n`, 2, 37, /reading `process.env.GITHUB_TOKEN` at run time is not allowed/],
    ['process.exit(0)', `${HEADER}process.exit(0);\nexport default defineTenant({ name: 'acme' });\n`, 2, 1, /the statement `process.exit\(0\);` is not allowed/],
    ['an endless loop', `${HEADER}while (true) {}\nexport default defineTenant({ name: 'acme' });\n`, 2, 1, /a loop is not allowed/],
    ['a decorated class (TypeScript 5 decorators)', `${HEADER}@sealed class Widget {}\nexport default defineTenant({ name: 'acme' });\n`, 2, 1, /a class is not allowed/],
    ['a never-settling await', `${HEADER}await new Promise(() => {});\nexport default defineTenant({ name: 'acme' });\n`, 2, 1, /is not allowed/],
    ['a function call in a value', `${HEADER}export default defineTenant({ name: String.fromCharCode(97) });\n`, 2, 37, /a call \(`String.fromCharCode\(\.\.\.\)`\) is not allowed/],
    ['a getter', `${HEADER}export default defineTenant({ get name() { return 'acme'; } });\n`, 2, 31, /an accessor .* is not allowed/],
    ['a spread of an unknown', `${HEADER}export default defineTenant({ ...globalThis });\n`, 2, 34, /"globalThis" is not a constant of this file/],
    ['a let', `${HEADER}let n = 'acme';\nexport default defineTenant({ name: n });\n`, 2, 1, /`let` and `var` are not allowed/],
    ['a side-effect import', `import './evil.ts';\n${HEADER}export default defineTenant({});\n`, 1, 1, /an import for its side effects would run code/],
    ['another export of the schema module', `import { tenantSchema } from '../lib/tenant/schema.ts';\nexport default tenantSchema;\n`, 1, 10, /"tenantSchema" cannot be imported/],
    ['a template with substitutions', `${HEADER}const n = 'a';\nexport default defineTenant({ name: \`\${n}cme\` });\n`, 3, 37, /a template with substitutions/],
    ['a __proto__ key', `${HEADER}export default defineTenant({ __proto__: { polluted: true } });\n`, 2, 31, /"__proto__" is not allowed/],
  ])('refuses %s', async (_, source, line, column, message) => {
    const issue = issueOf(await read(source));
    expect(issue).toMatchObject({ code: 'tenant.load-failed', file: 'tenants/case.ts', line, column });
    expect(issue.message).toMatch(message);
    expect(issue.fix).toMatch(/\S/);
    expect(existsSync(marker)).toBe(false);
  });

  it('reports a key written twice in one object literal, with both positions (TS1117)', async () => {
    const issue = issueOf(await read(`${HEADER}export default defineTenant({\n  environments: {\n    production: { domains: ['a.example.com'] },\n    production: { domains: ['b.example.com'] },\n  },\n});\n`));
    expect(issue).toMatchObject({ line: 5, column: 5, message: '"production" is written twice in this object (first at line 4:5); TypeScript keeps only the last (TS1117)' });
    expect(issue.fix).toBe('keep one "production": merge the two or remove one');
  });

  it('reports `export default 42` as a wrong default export, not as missing fields', async () => {
    const issue = issueOf(await read(`${HEADER}export default 42;\n`));
    expect(issue).toMatchObject({ line: 2, column: 16, message: 'the default export must be `defineTenant({...})`, found a number (`42`)' });
  });

  it('reports a syntax error with its position and the parser\'s message', async () => {
    const issue = issueOf(await read(`${HEADER}export default defineTenant({ name: 'acme' tier: 'shared' });\n`));
    // Column 44: `tier`, where the missing comma goes.
    expect(issue).toMatchObject({ line: 2, column: 44 });
    expect(issue.message).toBe('is not valid TypeScript: Unexpected token, expected ","');
  });

  it('reports a syntax error with Babel\'s message and position before anything else, and runs nothing', async () => {
    const r = await read(`import { writeFileSync } from 'node:fs';\n${HEADER}writeFileSync('${marker}', 'x');\nexport default defineTenant({\n  name: 'acme',\n  tier: 'shared'\n  region: 'eu-west',\n});\n`);
    expect(r).toEqual({ issues: [{ code: 'tenant.load-failed', file: 'tenants/case.ts', path: '', line: 7, column: 3, message: 'is not valid TypeScript: Unexpected token, expected ","', fix: expect.stringMatching(/^fix the syntax at that position/) }] });
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a file the parser reads only by recovering from an error, such as a const declared twice', async () => {
    const issue = issueOf(await read(`${HEADER}const name = 'a';\nconst name = 'b';\nexport default defineTenant({ name });\n`));
    expect(issue).toMatchObject({ line: 3, column: 7, message: "is not valid TypeScript: Identifier 'name' has already been declared." });
  });

  it('reports a file without a default export', async () => {
    writeFileSync(join(root, 'tenants', 'empty.ts'), `${HEADER}const x = 1;\n`);
    expect(await loadModule(root, 'tenants/empty.ts', 'tenant.load-failed')).toMatchObject({ code: 'tenant.load-failed', file: 'tenants/empty.ts', message: 'has no default export' });
  });

  it('refuses a shared data file holding code, naming that file', async () => {
    writeFileSync(join(root, 'tenants', '_bad.ts'), "export const X = require('node:fs');\n");
    const issue = issueOf(await read(`${HEADER}import { X } from './_bad.ts';\nexport default defineTenant({ name: X });\n`));
    expect(issue).toMatchObject({ file: 'tenants/_bad.ts', line: 1, column: 18 });
  });

  it('reads a file again after it changed, in the same process', async () => {
    expect(valueOf(await read(`${HEADER}export default defineTenant({ name: 'v1' });\n`))).toEqual({ name: 'v1' });
    expect(valueOf(await read(`${HEADER}export default defineTenant({ name: 'v2' });\n`))).toEqual({ name: 'v2' });
  });
});

describe('the read cache', () => {
  function mapCache() {
    const entries = new Map<string, { value: unknown; positions: Record<string, [number, number]> }>();
    return { entries, get: (k: string) => entries.get(k), set: (k: string, e: { value: unknown; positions: Record<string, [number, number]> }) => void entries.set(k, e) };
  }

  it('gives the same value and positions from the cache as from the parse, keyed by the text', async () => {
    const cache = mapCache();
    const source = `${HEADER}export default defineTenant({\n  name: 'acme',\n});\n`;
    writeFileSync(join(root, 'tenants', 'cached.ts'), source);
    const first = await readStaticModule(root, 'tenants/cached.ts', 'tenant', undefined, cache);
    expect(cache.entries.size).toBe(1);
    const second = await readStaticModule(root, 'tenants/cached.ts', 'tenant', undefined, cache);
    if ('issues' in first || 'issues' in second) throw new Error('not data');
    expect(second.value).toEqual(first.value);
    expect(second.positions.at('name')).toEqual({ line: 3, column: 3 });
    // Another text is another key: an entry never stands for a file it was not read from.
    const other = await readStaticModule(root, 'tenants/cached.ts', 'tenant', source.replace("'acme'", "'beta'"), cache);
    expect('issues' in other ? undefined : other.value).toEqual({ name: 'beta' });
    expect(cache.entries.size).toBe(2);
  });

  it('keeps no entry for a file whose value depends on a shared data file, nor for a refused one', async () => {
    const cache = mapCache();
    writeFileSync(join(root, 'tenants', '_owner.ts'), "export const OWNER = 'team-a';\n");
    await readStaticModule(root, 'tenants/x.ts', 'tenant', `${HEADER}import { OWNER } from './_owner.ts';\nexport default defineTenant({ owner: OWNER });\n`, cache);
    await readStaticModule(root, 'tenants/x.ts', 'tenant', `${HEADER}process.exit(0);\n`, cache);
    expect(cache.entries.size).toBe(0);
  });
});

describe('the read cache on disk', () => {
  it('never trusts a damaged file: a changed value, a missing checksum or a cut file is read again', async () => {
    const dir = join(root, 'cache');
    const source = `${HEADER}export default defineTenant({\n  name: 'disk',\n});\n`;
    writeFileSync(join(root, 'tenants', 'disk.ts'), source);
    const first = diskReadCache(dir);
    await readStaticModule(root, 'tenants/disk.ts', 'tenant', undefined, first);
    first.flush();
    const file = join(dir, 'read-inputs-3.json');
    const text = readFileSync(file, 'utf8');
    const [sum, body] = [text.slice(0, 64), text.slice(65)];
    const stored = JSON.parse(body) as Record<string, [string, string, string]>;
    const [key] = Object.keys(stored);
    expect(diskReadCache(dir).get(key)?.value).toEqual({ name: 'disk' });

    stored[key][0] = JSON.stringify({ name: 'planted' });
    writeFileSync(file, `${sum}\n${JSON.stringify(stored)}`);
    expect(diskReadCache(dir).get(key)).toBeUndefined();
    const reread = await readStaticModule(root, 'tenants/disk.ts', 'tenant', undefined, diskReadCache(dir));
    expect('issues' in reread ? undefined : reread.value).toEqual({ name: 'disk' });

    writeFileSync(file, body);
    expect(diskReadCache(dir).get(key)).toBeUndefined();

    writeFileSync(file, text.slice(0, text.length - 10));
    expect(diskReadCache(dir).get(key)).toBeUndefined();
  });
});

describe('the digest of a value read', () => {
  it('is the SHA-256 of its JSON, on the loaded file whether parsed and stored or read from the cache, and unknown without a cache', async () => {
    const dir = join(root, 'cache-digest');
    const source = `${HEADER}export default defineTenant({\n  name: 'digest',\n  labels: { 'b': '2', a: '\u00e9' },\n  ports: [1e3, -0.5],\n});\n`;
    writeFileSync(join(root, 'tenants', 'digest.ts'), source);
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    for (const run of ['parsed', 'from the cache']) {
      const cache = diskReadCache(dir);
      const loaded = await loadModule(root, 'tenants/digest.ts', 'tenant.load-failed', cache);
      cache.flush();
      if ('code' in loaded) throw new Error(loaded.message);
      expect(loaded.value, run).toEqual({ name: 'digest', labels: { b: '2', a: 'é' }, ports: [1000, -0.5] });
      expect(loaded.valueDigest, run).toBe(sha256(JSON.stringify(loaded.value)));
    }
    const uncached = await loadModule(root, 'tenants/digest.ts', 'tenant.load-failed');
    expect('code' in uncached ? uncached : uncached.valueDigest).toBeUndefined();
  });
});

describe('the read cache on disk, bounded', () => {
  it("keeps the entries a run used and at most 1,000 others, those of the latest runs first", () => {
    const dir = join(root, 'cache-bounded');
    const earlier = diskReadCache(dir);
    for (let i = 0; i < 1200; i++) earlier.set(`k${i}`, { value: { i }, positions: {} });
    earlier.flush();
    const run = diskReadCache(dir);
    expect(run.get('k1100')?.value).toEqual({ i: 1100 });
    run.set('new', { value: { i: -1 }, positions: {} });
    run.flush();
    const stored = JSON.parse(readFileSync(join(dir, 'read-inputs-3.json'), 'utf8').slice(65)) as Record<string, unknown>;
    const keys = Object.keys(stored);
    expect(keys).toHaveLength(1002);
    expect(keys.slice(0, 2).sort()).toEqual(['k1100', 'new']);
    expect(keys).toContain('k0');
    expect(keys).toContain('k999');
    expect(keys).not.toContain('k1000');
    expect(keys).not.toContain('k1199');
  });
});

describe('the read cache on disk, read back', () => {
  it('gives each hit a value of its own and the same positions as the parse, read only when asked', async () => {
    const dir = join(root, 'cache-positions');
    const source = `${HEADER}export default defineTenant({\n  name: 'pos',\n  odoo: { workers: 2 },\n});\n`;
    writeFileSync(join(root, 'tenants', 'pos.ts'), source);
    const parsed = await readStaticModule(root, 'tenants/pos.ts', 'tenant');
    const first = diskReadCache(dir);
    await readStaticModule(root, 'tenants/pos.ts', 'tenant', undefined, first);
    first.flush();
    const cache = diskReadCache(dir);
    const a = await readStaticModule(root, 'tenants/pos.ts', 'tenant', undefined, cache);
    const b = await readStaticModule(root, 'tenants/pos.ts', 'tenant', undefined, cache);
    if ('issues' in a || 'issues' in b || 'issues' in parsed) throw new Error('expected values');
    expect(a.value).toEqual(parsed.value);
    (a.value as { name: string }).name = 'changed';
    expect((b.value as { name: string }).name).toBe('pos');
    for (const path of ['name', 'odoo.workers', 'odoo']) expect(b.positions.at(path)).toEqual(parsed.positions.at(path));
    expect(b.positions.at('odoo.workers')).toEqual({ line: 4, column: expect.any(Number) });
  });
});

describe('symbolic links', () => {
  it('are refused, so no file of the machine can be quoted in an error', async () => {
    const secret = join(root, 'secret-token');
    writeFileSync(secret, 'ghp_0123456789abcdef\n');
    symlinkSync(secret, join(root, 'tenants', 'linked.ts'));
    const r = await readStaticModule(root, 'tenants/linked.ts', 'tenant');
    expect(r).toEqual({ issues: [expect.objectContaining({ file: 'tenants/linked.ts', message: 'is a symbolic link' })] });
    expect(JSON.stringify(r)).not.toContain('ghp_');
    symlinkSync(secret, join(root, 'tenants', '_linked.ts'));
    const shared = issueOf(await read(`${HEADER}import { X } from './_linked.ts';\nexport default defineTenant({ name: X });\n`));
    expect(shared.message).toBe('imports tenants/_linked.ts, which is a symbolic link');
    expect(JSON.stringify(shared)).not.toContain('ghp_');
  });
});
