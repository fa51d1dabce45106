/**
 * Validating only the tenants that are new or changed (compile's ValidTenants, kept on disk by
 * lib/io/valid-tenants.ts): the fleet compiles to the same environments, bad input gets the same
 * errors, and the fleet-wide checks still see every tenant.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isIssue, loadModule } from '../../lib/io/load-modules.ts';
import { diskReadCache } from '../../lib/io/read-cache.ts';
import { diskValidTenants } from '../../lib/io/valid-tenants.ts';
import { InputError, type Issue } from '../../lib/model/issue.ts';
import { compile, type LoadedFile, type ValidTenants } from '../../lib/synth/compile.ts';
import { templates } from '../../tiers/index.ts';
import { fleetSpec, issuesOf, tenantFile, tenantSpec } from './fixtures.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tenantctl-valid-tenants-'));
  dirs.push(d);
  return d;
};

/** A ValidTenants in memory that counts the values it was asked to enter (those the schema validated). */
function memo(): ValidTenants & { validated: unknown[] } {
  const map = new Map<string, string>();
  const validated: unknown[] = [];
  return {
    validated,
    get: (v) => (map.has(JSON.stringify(v)) ? JSON.parse(map.get(JSON.stringify(v))!) : undefined),
    set: (v, parsed) => void (validated.push(v), map.set(JSON.stringify(v), JSON.stringify(parsed))),
  };
}

const compileWith = (tenants: readonly LoadedFile[], validTenants?: ValidTenants) => compile({ fleet: { file: 'fleet.ts', value: fleetSpec() }, tenants, templates, validTenants });
const issuesWith = (tenants: readonly LoadedFile[], validTenants: ValidTenants): Issue[] => {
  try {
    compileWith(tenants, validTenants);
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected compile() to reject the input, but it compiled');
};

const fleet = () => [tenantSpec('acme'), tenantSpec('beta', { tier: 'dedicated' }), tenantSpec('gamma', { environments: { production: { domains: ['gamma.west.example.com'] }, staging: { domains: ['gamma-staging.west.example.com'], replicas: 1 } } })].map((s) => tenantFile(s));

describe('validating only new or changed tenants', () => {
  it('compiles a fleet validated before to the same environments, byte for byte, as validating every tenant', () => {
    const validTenants = memo();
    const first = compileWith(fleet(), validTenants);
    expect(validTenants.validated).toHaveLength(3);
    const again = compileWith(fleet(), validTenants);
    expect(validTenants.validated).toHaveLength(3);
    expect(JSON.stringify(again.environments)).toBe(JSON.stringify(first.environments));
    expect(JSON.stringify(again.environments)).toBe(JSON.stringify(compileWith(fleet()).environments));
  });

  it('validates a changed tenant again and reports its bad field with the same file, field and fix', () => {
    const validTenants = memo();
    compileWith(fleet(), validTenants);
    const broken = fleet().map((f) => (f.file === 'tenants/beta.ts' ? tenantFile({ ...(f.value as object), odoo: { version: '18.0', image: 'registry.example/odoo/odoo:latest' } }) : f));
    expect(issuesWith(broken, validTenants)).toEqual(issuesOf(broken));
    expect(issuesOf(broken).map((i) => `${i.file} ${i.path}`)).toEqual(['tenants/beta.ts odoo.image']);
    expect(validTenants.validated).toHaveLength(3);
  });

  it('still finds a domain that a changed tenant takes from one validated before', () => {
    const validTenants = memo();
    compileWith(fleet(), validTenants);
    const clash = [...fleet(), tenantFile(tenantSpec('delta', { environments: { production: { domains: ['acme.west.example.com'] } } }))];
    const issues = issuesWith(clash, validTenants);
    expect(issues).toEqual(issuesOf(clash));
    expect(issues.map((i) => `${i.code} ${i.file} ${i.path}`)).toEqual(['tenant.duplicate-domain tenants/delta.ts environments.production.domains[0]']);
    expect(validTenants.validated).toHaveLength(4);
  });
});

describe('the valid-tenants file in the user cache', () => {
  it('keeps what passed for the next run, and never what failed', () => {
    const dir = tempDir();
    const first = diskValidTenants(dir);
    first.set({ name: 'acme' }, { name: 'acme', parsed: true });
    first.flush();
    const next = diskValidTenants(dir);
    expect(next.get({ name: 'acme' })).toEqual({ name: 'acme', parsed: true });
    expect(next.get({ name: 'beta' })).toBeUndefined();
  });

  it('reads a damaged file as empty, so every tenant is validated again, and rewrites it', () => {
    const dir = tempDir();
    const first = diskValidTenants(dir);
    first.set({ name: 'acme' }, { name: 'acme' });
    first.flush();
    const [file] = readdirSync(dir);
    const text = readFileSync(join(dir, file), 'utf8');
    writeFileSync(join(dir, file), text.replace('acme', 'acmf'));
    const damaged = diskValidTenants(dir);
    expect(damaged.get({ name: 'acme' })).toBeUndefined();
    damaged.set({ name: 'acme' }, { name: 'acme' });
    damaged.flush();
    expect(diskValidTenants(dir).get({ name: 'acme' })).toEqual({ name: 'acme' });
    writeFileSync(join(dir, file), text.slice(0, text.length - 5));
    expect(diskValidTenants(dir).get({ name: 'acme' })).toBeUndefined();
  });
});

/** The valid-tenants key of a value, as a reader that knows the value's JSON gives it. */
const digestOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('the digest a tenant carries from the read cache', () => {
  /** A ValidTenants in memory that records the digest each lookup and entry was given. */
  function recording(): ValidTenants & { calls: Array<[string, string | undefined]> } {
    const inner = memo();
    const calls: Array<[string, string | undefined]> = [];
    return {
      calls,
      get: (v, digest) => (calls.push(['get', digest]), inner.get(v)),
      set: (v, parsed, digest) => (calls.push(['set', digest]), inner.set(v, parsed)),
    };
  }

  it('is what compile looks each tenant up and enters it by, read from the read cache or parsed and stored in it: the SHA-256 of its value\'s JSON', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'tenants'));
    const header = "import { defineTenant } from '../lib/tenant/schema.ts';\n";
    for (const f of fleet()) writeFileSync(join(root, f.file), `${header}export default defineTenant(${JSON.stringify(f.value, null, 2)});\n`);
    const load = async () => {
      const cache = diskReadCache(join(root, 'cache'));
      const files: LoadedFile[] = [];
      for (const f of fleet()) {
        const loaded = await loadModule(root, f.file, 'tenant.load-failed', cache);
        if (isIssue(loaded)) throw new Error(loaded.message);
        files.push(loaded);
      }
      cache.flush();
      return files;
    };
    for (const run of ['parsed', 'from the read cache']) {
      const files = await load();
      const validTenants = recording();
      compileWith(files, validTenants);
      const expected = files.flatMap((f) => [['get', digestOf(f.value)], ['set', digestOf(f.value)]]);
      expect(validTenants.calls, run).toEqual(expected);
    }
  });

  it('finds an entry entered by digest when asked by the value alone, and the other way round', () => {
    const dir = tempDir();
    const first = diskValidTenants(dir);
    first.set({ name: 'acme' }, { name: 'acme', parsed: 1 }, digestOf({ name: 'acme' }));
    first.set({ name: 'beta' }, { name: 'beta', parsed: 2 });
    first.flush();
    const next = diskValidTenants(dir);
    expect(next.get({ name: 'acme' })).toEqual({ name: 'acme', parsed: 1 });
    expect(next.get({ name: 'beta' }, digestOf({ name: 'beta' }))).toEqual({ name: 'beta', parsed: 2 });
  });

  it('is the key when given, without hashing the value again', () => {
    const dir = tempDir();
    const first = diskValidTenants(dir);
    first.set({ name: 'acme' }, { name: 'acme' });
    first.flush();
    // The digest of another value finds that value's entry: the value itself is not hashed.
    expect(diskValidTenants(dir).get({ name: 'other' }, digestOf({ name: 'acme' }))).toEqual({ name: 'acme' });
  });
});
