/**
 * Command-line arguments are checked before anything runs or is written: `new tenant` NAME and
 * flags, `--today`, and `-C`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanRepos, cli, makeRepo, readTenant } from './repo.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tenantctl-args-'));
afterAll(() => {
  cleanRepos();
  rmSync(scratch, { recursive: true, force: true });
});

describe('tenantctl new tenant NAME', () => {
  it.each([
    ['code in the name', "x'});require('fs').writeFileSync('pwned','');({a:'"],
    ['a path out of tenants/', '../escape'],
    ['upper case', 'Acme'],
    ['a trailing dash', 'acme-'],
    ['more than 24 characters', 'a'.repeat(25)],
  ])('refuses %s before writing or running anything', async (_, name) => {
    const root = makeRepo(['acme']);
    const before = readdirSync(join(root, 'tenants')).sort();
    const r = await cli(root, 'new', 'tenant', name, '--tier', 'shared', '--region', 'eu-west');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`tenantctl: NAME ${JSON.stringify(name)} is not a valid tenant name: use a DNS label of at most 24 characters (lower-case letters, digits and "-", starting with a letter, not ending with "-"), e.g. acme-logistics\n`);
    expect(readdirSync(join(root, 'tenants')).sort()).toEqual(before);
    expect(existsSync(join(root, 'escape.ts'))).toBe(false);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
  });

  it('scaffolds a name with a double dash, which is a valid DNS label', async () => {
    const root = makeRepo(['acme']);
    const r = await cli(root, 'new', 'tenant', 'a--b', '--tier', 'shared', '--region', 'eu-west');
    expect(r.code, r.err).toBe(0);
    expect(readTenant(root, 'a--b')).toContain("displayName: 'A B',");
    expect((await cli(root, 'synth')).code).toBe(0);
  }, 120_000);

  it.each([
    ['eu-west', 'eu-central'],
    ['eu-central', 'eu-west'],
  ])('scaffolds a valid regulated tenant in %s with its backup copy in %s', async (region, other) => {
    const root = makeRepo(['acme']);
    const r = await cli(root, 'new', 'tenant', 'reg', '--tier', 'regulated', '--region', region);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`backup copy in ${other}`);
    expect(readTenant(root, 'reg')).toContain(`backup: { crossRegion: '${other}' },`);
    const synth = await cli(root, 'synth');
    expect(synth.code, synth.err).toBe(0);
  }, 120_000);

  it('takes the backup region from --cross-region, and refuses the tenant\'s own region', async () => {
    const root = makeRepo(['acme']);
    const own = await cli(root, 'new', 'tenant', 'reg', '--tier', 'regulated', '--region', 'eu-west', '--cross-region', 'eu-west');
    expect(own.code).toBe(2);
    expect(own.err).toContain('tenants/reg.ts: backup.crossRegion: --cross-region "eu-west" is not another region of fleet.ts\n  fix: use one of: eu-central');
    expect(existsSync(join(root, 'tenants', 'reg.ts'))).toBe(false);
    const ok = await cli(root, 'new', 'tenant', 'reg', '--tier', 'regulated', '--region', 'eu-west', '--cross-region', 'eu-central');
    expect(ok.code, ok.err).toBe(0);
  }, 120_000);

  it('refuses an unknown region before writing, listing the known ones', async () => {
    const root = makeRepo(['acme']);
    const r = await cli(root, 'new', 'tenant', 'far', '--tier', 'shared', '--region', 'us-east');
    expect(r.code).toBe(2);
    expect(r.err).toContain('tenants/far.ts: region: region "us-east" is not declared in fleet.ts\n  fix: use one of: eu-central, eu-west');
    expect(existsSync(join(root, 'tenants', 'far.ts'))).toBe(false);
  });
});

describe('validate --today', () => {
  it.each(['yesterday', '2026-02-30', '2026-13-01'])('refuses %s with a usage error, not a stack trace', async (today) => {
    const root = makeRepo(['acme']);
    const r = await cli(root, 'validate', '--today', today);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`"${today}" is not a date: write a real calendar day as YYYY-MM-DD`);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('counts objects, errors and warnings in words that agree with the numbers', async () => {
    const root = makeRepo(['acme']);
    expect((await cli(root, 'synth')).code).toBe(0);
    const r = await cli(root, 'validate', '--today', '2026-01-15');
    const m = /validated (\d+) objects?: (\d+) errors?, (\d+) (warnings?), \d+ waived/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(m![4]).toBe(m![3] === '1' ? 'warning' : 'warnings');
  }, 120_000);
});

describe('-C', () => {
  it('says a missing directory is missing', async () => {
    const r = await cli(join(scratch, 'nope'), 'synth');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`tenantctl: -C ${join(scratch, 'nope')}: no such directory\n`);
  });

  it('says a directory without fleet.ts is not a tenantctl repository', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const r = await cli(empty, 'validate');
    expect(r.code).toBe(2);
    expect(r.err).toBe(`tenantctl: ${empty} is not a tenantctl repository: it has no fleet.ts (run tenantctl in the repository root, or pass it with -C)\n`);
  });
});
