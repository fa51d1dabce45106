/**
 * `tenantctl synth` on bad input, end to end: every case exits 2, prints
 * `tenants/<file>.ts:<line>:<column>: <field.path>: <message>` and a `fix:` line, and leaves generated/ exactly as
 * it was (hashed before and after).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanRepos, cli, hashTree, makeRepo, spawnCli, tenantSource, writeTenant } from './repo.ts';

// Each case synthesizes a repository, some in child processes: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

afterAll(cleanRepos);

/** A repository with acme and beta synthesized, then `name` written with `source`. */
async function synthesizedThen(name: string, source: string) {
  const root = makeRepo();
  const first = await cli(root, 'synth');
  expect(first.code, first.err).toBe(0);
  const before = hashTree(root);
  writeTenant(root, name, source);
  return { root, before };
}

/** Asserts the failed synth: exit 2, the issue line (and its fix) in stderr, generated/ untouched. */
async function expectRejected(root: string, before: string, issueLine: string | RegExp, run = cli) {
  const r = await run(root, 'synth');
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  const lines = r.err.split('\n');
  const at = lines.findIndex((l) => (typeof issueLine === 'string' ? l === issueLine : issueLine.test(l)));
  expect(at, `no line ${String(issueLine)} in:\n${r.err}`).toBeGreaterThanOrEqual(0);
  expect(lines[at + 1]).toMatch(/^ {2}fix: \S/);
  expect(r.err).toMatch(/\d+ problems? found; generated\/ was not changed\.\n$/);
  expect(hashTree(root)).toBe(before);
  return r.err;
}

describe('synth rejects bad input and leaves generated/ alone', () => {
  it('rejects an invalid tenant name', async () => {
    const { root, before } = await synthesizedThen('bad-name', tenantSource({ name: "'Bad_Name'", environments: "{ production: { domains: ['bad.example.com'] } }" }));
    await expectRejected(root, before, 'tenants/bad-name.ts:4:3: name: must be a DNS label: lower-case letters, digits and "-", starting with a letter, found "Bad_Name"');
  });

  it('rejects an unknown tier', async () => {
    const { root, before } = await synthesizedThen('gold', tenantSource({ name: "'gold'", tier: "'gold'", environments: "{ production: { domains: ['gold.example.com'] } }" }));
    const err = await expectRejected(root, before, 'tenants/gold.ts:6:3: tier: unknown tier "gold"');
    expect(err).toContain('  fix: use one of: dedicated, regulated, shared');
  });

  it('rejects an unknown field and suggests the one meant', async () => {
    const { root, before } = await synthesizedThen('typo', tenantSource({ name: "'typo'", environments: "{ production: { domains: ['typo.example.com'], replica: 2 } }" }));
    const err = await expectRejected(root, before, 'tenants/typo.ts:9:64: environments.production.replica: unknown field "replica"');
    expect(err).toContain('  fix: did you mean "replicas"?');
  });

  it('rejects a second file declaring an existing tenant', async () => {
    const { root, before } = await synthesizedThen('acme-copy', tenantSource({ name: "'acme'", environments: "{ production: { domains: ['copy.example.com'] } }" }));
    await expectRejected(root, before, 'tenants/acme-copy.ts:4:3: name: tenant "acme" is already defined in tenants/acme.ts');
  });

  it('rejects a host name another tenant already uses, naming that tenant', async () => {
    const source = tenantSource({ name: "'beta'", environments: "{ production: { domains: ['beta.eu-west.erp.odoo-hosting.example', 'erp.acme.example'] } }" });
    const { root, before } = await synthesizedThen('beta', source);
    await expectRejected(root, before, 'tenants/beta.ts:9:84: environments.production.domains[1]: "erp.acme.example" is already used by tenant acme (production)');
  });

  it('rejects a region that has no cluster', async () => {
    const { root, before } = await synthesizedThen('far', tenantSource({ name: "'far'", region: "'us-east'", environments: "{ production: { domains: ['far.example.com'] } }" }));
    const err = await expectRejected(root, before, 'tenants/far.ts:7:3: region: region "us-east" is not declared in fleet.ts');
    expect(err).toMatch(/^1 problem found/m);
  });

  it('rejects an RPO below what the tier can deliver', async () => {
    const source = tenantSource({ name: "'rpo'", environments: "{ production: { domains: ['rpo.example.com'] } }", backup: '{ rpoMinutes: 15 }' });
    const { root, before } = await synthesizedThen('rpo', source);
    const err = await expectRejected(root, before, 'tenants/rpo.ts:11:13: backup.rpoMinutes: RPO of 15 minutes is below what the shared tier can deliver (at least 60 minutes)');
    expect(err).toContain('  fix: set backup.rpoMinutes to 60 or more');
  });

  it('rejects a tenant that does not fit its cluster, naming the cluster and the way out', async () => {
    const env = (n: number) => `e${n}: { domains: ['huge-${n}.example.com'], replicas: 10, workers: 16 }`;
    const source = tenantSource({
      name: "'huge'",
      tier: "'dedicated'",
      environments: `{ ${[1, 2, 3, 4, 5].map(env).join(', ')} }`,
      database: "{ storage: '200Gi', instances: 5 }",
    });
    const { root, before } = await synthesizedThen('huge', source);
    const err = await expectRejected(root, before, /^tenants\/huge\.ts:9:\d+: environments\.e\d: cluster eu-west-dedicated-1 is full: with this environment its requests reach [\d.]+ CPU and [\d.]+Gi of its \d+ CPU and \d+Gi$/);
    expect(err).toContain('  fix: pin the environment to another cluster in eu-west');
  });

  it('rejects an environment written twice in one object literal (TS1117), which TypeScript would let the last win', async () => {
    const source = tenantSource({ name: "'twice'", environments: "{\n    production: { domains: ['a.example.com'] },\n    production: { domains: ['b.example.com'] },\n  }" });
    const { root, before } = await synthesizedThen('twice', source);
    const err = await expectRejected(root, before, 'tenants/twice.ts:11:5: "production" is written twice in this object (first at line 10:5); TypeScript keeps only the last (TS1117)');
    expect(err).toContain('  fix: keep one "production": merge the two or remove one');
  });

  it('rejects `export default 42` as a wrong default export, not as missing fields', async () => {
    const { root, before } = await synthesizedThen('answer', "import { defineTenant } from '../lib/tenant/schema.ts';\n\nexport default 42;\n");
    const err = await expectRejected(root, before, 'tenants/answer.ts:3:16: the default export must be `defineTenant({...})`, found a number (`42`)');
    expect(err).not.toContain('is required');
  });

  it('blames the new tenant for a full cluster, not a deployed one that sorts after it', async () => {
    const env = (n: number) => `e${n}: { domains: ['aaa-${n}.example.com'], replicas: 10, workers: 16 }`;
    const source = tenantSource({ name: "'aaa'", tier: "'dedicated'", environments: `{ ${[1, 2, 3].map(env).join(', ')}, e4: { domains: ['aaa-4.example.com'], replicas: 4, workers: 16 } }`, database: "{ storage: '200Gi', instances: 5 }" });
    const { root, before } = await synthesizedThen('aaa', source);
    const err = await expectRejected(root, before, /^tenants\/aaa\.ts:9:\d+: environments\.e4: cluster eu-west-dedicated-1 is full/);
    expect(err).not.toContain('tenants/acme.ts');
  });

  it('rejects a tenant file that does not compile, naming the file and the line', async () => {
    const broken = tenantSource({ name: "'broken'", environments: "{ production: { domains: ['broken.example.com'] } }" }).replace("tier: 'shared',", "tier: 'shared'\n  region 'eu-west',");
    const { root, before } = await synthesizedThen('broken', broken);
    // A child process: what users see.
    // 7:3: `region`, where the missing comma goes.
    const err = await expectRejected(root, before, 'tenants/broken.ts:7:3: is not valid TypeScript: Unexpected token, expected ","', async (r, ...args) => spawnCli(r, ...args));
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reports every problem of every file in one run', async () => {
    const { root, before } = await synthesizedThen('gold', tenantSource({ name: "'gold'", tier: "'gold'", environments: "{ production: { domains: ['gold.example.com'] } }" }));
    writeTenant(root, 'far', tenantSource({ name: "'far'", region: "'us-east'", environments: "{ production: { domains: ['far.example.com'] } }" }));
    const err = await expectRejected(root, before, 'tenants/gold.ts:6:3: tier: unknown tier "gold"');
    expect(err).toContain('tenants/far.ts:7:3: region: region "us-east" is not declared in fleet.ts');
    expect(err).toMatch(/^2 problems found/m);
  });

  it('writes nothing at all when the first synth of a repository fails', async () => {
    const root = makeRepo();
    writeTenant(root, 'gold', tenantSource({ name: "'gold'", tier: "'gold'", environments: "{ production: { domains: ['gold.example.com'] } }" }));
    expect((await cli(root, 'synth')).code).toBe(2);
    expect(hashTree(root)).toBe('absent');
  });
});
