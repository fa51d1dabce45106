/**
 * What synth caches between runs (the tree state with the inputs' key, the render cache) and how
 * it writes generated/ (staged folder by folder): a cache never hides a change, a damaged entry
 * is rebuilt, and a failure leaves generated/ as it was.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskRenderCache, formatRenderEntry, parseRenderEntry } from '../../lib/io/render-cache.ts';
import type { InputFile } from '../../lib/io/inputs-digest.mjs';
import { readTreeState } from '../../lib/io/tree-state.ts';
import type { Templates } from '../../lib/tier/tier.ts';
import { compileWorkspace, codeVersion } from '../../lib/workspace/compile.ts';
import { currentTree } from '../../lib/workspace/current-tree.ts';
import { syncGenerated } from '../../lib/workspace/generated.ts';
import { planSynth } from '../../lib/synth/synthesize.ts';
import { inputsKey } from '../../lib/workspace/inputs-key.ts';
import { cleanRepos, cli, makeRepo, PROJECT, readTenant, spawnCliWith, writeTenant } from '../cli/repo.ts';
import { workspaceCacheDir } from '../../lib/io/workspace-cache.mjs';

afterAll(cleanRepos);

/** Every file under generated/ with its content. */
function treeOf(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, 'generated', rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(join(root, 'generated', p), 'utf8'));
    }
  };
  walk('');
  return out;
}

async function synthOk(root: string, ...args: string[]) {
  const r = await cli(root, 'synth', ...args);
  expect(r.code, r.err).toBe(0);
  return r;
}

const KUSTOMIZATION = ['eu-west-shared-1', 'tenants', 'beta-production', 'kustomization.yaml'];

/** The inputs key's content hash of a text (lib/io/inputs-digest.mjs). */
const hashOf = (text: string) => createHash('sha256').update(text).digest('base64');

describe('a re-synth with nothing changed', () => {
  it('is answered from the recorded state while generated/ is untouched, and compares in full once a file is edited', async () => {
    const root = makeRepo();
    await synthOk(root);
    const key = inputsKey(root, PROJECT);
    expect(await currentTree(root, () => key)).toHaveProperty('counts');
    const file = join(root, 'generated', ...KUSTOMIZATION);
    writeFileSync(file, readFileSync(file, 'utf8') + '# edited\n');
    const edited = await currentTree(root, () => key);
    expect(edited).not.toHaveProperty('counts');
    expect('scan' in edited && (await edited.scan()).folders.get('eu-west-shared-1/tenants/beta-production')).toBeDefined();
  });

  it('repairs a hand edit of the same size in generated/, run as a user runs it (the bundled CLI)', async () => {
    const root = makeRepo();
    const first = spawnCliWith({ timeoutMs: 240_000 }, root, 'synth');
    expect(first.code, first.err).toBe(0);
    const tree = treeOf(root);
    const file = join(root, 'generated', ...KUSTOMIZATION);
    const text = readFileSync(file, 'utf8');
    // Same length, one letter changed: only the modification time tells.
    writeFileSync(file, text.replace('kind: Kustomization', 'kind: Kustomizatiom'));
    const again = spawnCliWith({ timeoutMs: 240_000 }, root, 'synth');
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^generated\/ updated: 0 added, 1 changed, 0 removed/);
    expect(treeOf(root)).toEqual(tree);
    const third = spawnCliWith({ timeoutMs: 240_000 }, root, 'synth');
    expect(third.out).toMatch(/^generated\/ unchanged/);
  });

  it('an in-place edit that keeps the folder\'s mtime is repaired by the next synth, run as a user runs it (scan started before the CLI loads)', () => {
    const root = makeRepo();
    const first = spawnCliWith({ timeoutMs: 240_000 }, root, 'synth');
    expect(first.code, first.err).toBe(0);
    const tree = treeOf(root);
    const file = join(root, 'generated', ...KUSTOMIZATION);
    const folder = join(file, '..');
    const before = statSync(folder);
    appendFileSync(file, '\n'); // `echo >> file`: no entry added or removed, so the folder's mtime stays
    expect(statSync(folder).mtimeMs).toBe(before.mtimeMs);
    const again = spawnCliWith({ timeoutMs: 240_000 }, root, '-C', root, 'synth');
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^generated\/ updated: 0 added, 1 changed, 0 removed/);
    expect(treeOf(root)).toEqual(tree);
  });

  it('hands the bytes it hashed to the compiler, which compiles them without reading the files again; a link is left to the reader, which reports it', async () => {
    const root = makeRepo(['acme', 'beta']);
    const texts = new Map<string, InputFile>();
    inputsKey(root, PROJECT, texts);
    expect([...texts.keys()].sort()).toEqual(['fleet.ts', 'tenants/acme.ts', 'tenants/beta.ts']);
    expect(texts.get('tenants/acme.ts')?.bytes?.toString('utf8')).toBe(readTenant(root, 'acme'));
    expect(texts.get('tenants/acme.ts')?.hash).toBe(hashOf(readTenant(root, 'acme')));
    // The bytes the key was computed from are what is compiled, whatever the file says by then.
    writeTenant(root, 'acme', readTenant(root, 'acme').replace("displayName: 'ACME Distribution'", "displayName: 'ACME Edited'"));
    const names = async (t?: ReadonlyMap<string, InputFile>) => new Set((await compileWorkspace(root, [], t)).environments.filter((e) => e.tenant.name === 'acme').map((e) => e.tenant.displayName));
    expect(await names(texts)).toEqual(new Set(['ACME Distribution']));
    expect(await names()).toEqual(new Set(['ACME Edited']));
    // A tenant file that is a link: not among the texts, so the reader sees and names the link.
    rmSync(join(root, 'tenants', 'beta.ts'));
    symlinkSync(join(root, 'tenants', 'acme.ts'), join(root, 'tenants', 'beta.ts'));
    const linked = new Map<string, InputFile>();
    inputsKey(root, PROJECT, linked);
    expect(linked.has('tenants/beta.ts')).toBe(false);
    await expect(compileWorkspace(root, [], linked)).rejects.toMatchObject({ issues: [expect.objectContaining({ file: 'tenants/beta.ts', message: 'is a symbolic link' })] });
  });

  it('compiles a file the key knows by its hash alone from the value cached under that hash, without reading it, and refuses one whose bytes are no longer those hashed', async () => {
    const root = makeRepo(['acme']);
    const original = readTenant(root, 'acme');
    const fleet = { hash: hashOf(readFileSync(join(root, 'fleet.ts'), 'utf8')) };
    await compileWorkspace(root); // the values of fleet.ts and acme, cached under their hashes
    const displayNames = async (files: ReadonlyMap<string, InputFile>) => new Set((await compileWorkspace(root, [], files)).environments.map((e) => e.tenant.displayName));
    // Edited after it was hashed: the value of what was hashed is compiled; the file is not read.
    writeTenant(root, 'acme', original.replace("displayName: 'ACME Distribution'", "displayName: 'ACME Edited'"));
    expect(await displayNames(new Map([['fleet.ts', fleet], ['tenants/acme.ts', { hash: hashOf(original) }]]))).toEqual(new Set(['ACME Distribution']));
    // Hashed as one text never compiled, and edited again before it was read: an error, not the other text's value.
    const hashed = original.replace("displayName: 'ACME Distribution'", `displayName: 'ACME ${Date.now()}'`);
    writeTenant(root, 'acme', hashed.replace("displayName: 'ACME ", "displayName: 'ACME Later "));
    await expect(compileWorkspace(root, [], new Map([['fleet.ts', fleet], ['tenants/acme.ts', { hash: hashOf(hashed) }]]))).rejects.toMatchObject({
      issues: [expect.objectContaining({ file: 'tenants/acme.ts', message: 'changed while tenantctl was reading the inputs', fix: 'run the command again once the file is saved' })],
    });
    // Read whole, as one file, it compiles.
    writeTenant(root, 'acme', hashed);
    expect(await displayNames(new Map([['fleet.ts', fleet], ['tenants/acme.ts', { hash: hashOf(hashed) }]]))).toEqual(new Set([hashed.match(/displayName: '([^']+)'/)![1]]));
  });

  it('sees a tenant file changed back and forth, and fleet.ts changed', async () => {
    const root = makeRepo();
    await synthOk(root);
    const original = readTenant(root, 'acme');
    const key = inputsKey(root, PROJECT);
    writeTenant(root, 'acme', original.replace('workers: 6,', 'workers: 5,'));
    expect(inputsKey(root, PROJECT)).not.toBe(key);
    expect((await synthOk(root)).out).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed/);
    writeTenant(root, 'acme', original);
    expect((await synthOk(root)).out).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed/);
    expect(inputsKey(root, PROJECT)).toBe(key);
    writeFileSync(join(root, 'fleet.ts'), readFileSync(join(root, 'fleet.ts'), 'utf8') + '\n// a comment\n');
    expect(inputsKey(root, PROJECT)).not.toBe(key);
  });

  it('ignores a damaged tree state and still repairs a hand edit', async () => {
    const root = makeRepo();
    await synthOk(root);
    const tree = treeOf(root);
    const stateFile = join(workspaceCacheDir(root), 'generated-state.json');
    const text = readFileSync(stateFile, 'utf8');
    // A changed digit in the body: still JSON, but not what was written.
    writeFileSync(stateFile, text.slice(0, -5) + (text.at(-5) === '1' ? '2' : '1') + text.slice(-4));
    expect(readTreeState(root)).toBeUndefined();
    writeFileSync(join(root, 'generated', ...KUSTOMIZATION), '# edited by hand\n');
    expect((await synthOk(root)).out).toMatch(/^generated\/ updated: 0 added, 1 changed, 0 removed/);
    expect(treeOf(root)).toEqual(tree);
    expect(readTreeState(root)).toBeDefined();
  });
});

describe('the render cache', () => {
  it('renders again, and rewrites, an entry that is damaged or cut short instead of using it', async () => {
    const root = makeRepo();
    await synthOk(root);
    const tree = treeOf(root);
    const dir = join(workspaceCacheDir(root), 'render');
    const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expect(entries.length).toBeGreaterThan(0);
    for (const [i, path] of entries.entries()) {
      const text = readFileSync(path, 'utf8');
      expect(parseRenderEntry(text)).toBeDefined();
      // Half of them cut short, the other half with a value changed under a valid-looking JSON body.
      writeFileSync(path, i % 2 ? text.slice(0, text.length >> 1) : text.replace(/replicas: \d+|namespace: \S+/, 'namespace: hijacked'));
      expect(parseRenderEntry(readFileSync(path, 'utf8'))).toBeUndefined();
    }
    rmSync(join(root, 'generated'), { recursive: true });
    await synthOk(root);
    expect(treeOf(root)).toEqual(tree);
    for (const path of entries) expect(parseRenderEntry(readFileSync(path, 'utf8'))).toBeDefined();
  });

  it('keeps an entry it wrote whole', () => {
    const files = [{ path: 'c/tenants/a-prod/kustomization.yaml', content: 'kind: Kustomization\n' }];
    expect(parseRenderEntry(formatRenderEntry(files))).toEqual(files);
    const root = makeRepo([]);
    const cache = diskRenderCache(root);
    cache.set('ab'.repeat(32), files);
    expect(cache.get('ab'.repeat(32))).toEqual(files);
    expect(cache.get('cd'.repeat(32))).toBeUndefined();
  });
});

describe('writing generated/ folder by folder', () => {
  /** The project's templates, but rendering `beta`'s environments throws. */
  const failingOnBeta = (templates: Templates): Templates => ({
    ...templates,
    tiers: Object.fromEntries(Object.entries(templates.tiers).map(([name, tier]) => [name, {
      ...tier,
      render: (scope, env) => {
        if (env.tenant.name === 'beta') throw new Error('template failed for beta');
        tier.render(scope, env);
      },
    }])),
  });

  it('leaves the old tree as it was, and no staging folder, when rendering fails midway', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    await synthOk(root);
    const tree = treeOf(root);
    writeTenant(root, 'acme', readTenant(root, 'acme').replace('workers: 6,', 'workers: 5,'));
    writeTenant(root, 'beta', readTenant(root, 'beta').replace("displayName: '", "displayName: 'New "));
    const compiled = await compileWorkspace(root);
    const failing = { ...compiled, templates: failingOnBeta(compiled.templates) };
    await expect(syncGenerated(root, failing, { codeVersion: codeVersion(PROJECT), check: false })).rejects.toThrow('template failed for beta');
    expect(treeOf(root)).toEqual(tree);
    expect(readdirSync(root).filter((n) => n.startsWith('generated.'))).toEqual([]);
  });

  it('writes no generated/ at all when a cold synth fails midway', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    const compiled = await compileWorkspace(root);
    const failing = { ...compiled, templates: failingOnBeta(compiled.templates) };
    await expect(syncGenerated(root, failing, { codeVersion: codeVersion(PROJECT), check: false })).rejects.toThrow('template failed for beta');
    expect(existsSync(join(root, 'generated'))).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith('generated'))).toEqual([]);
  });

  it("a re-synth after one tenant changed gives the same bytes as a cold synth, the shared cluster's PostgreSQL roles included", async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    await synthOk(root);
    const before = treeOf(root);
    const acme = readTenant(root, 'acme');
    expect(acme).toContain("staging: { tier: 'shared', workers: 2,");
    writeTenant(root, 'acme', acme.replace("staging: { tier: 'shared', workers: 2,", "staging: { tier: 'shared', workers: 3,"));
    expect((await synthOk(root)).out).toMatch(/^generated\/ updated: 0 added, [1-9]\d* changed, 0 removed/);
    const warm = treeOf(root);
    const pg = 'eu-west-shared-1/cluster/cluster-postgres-shared-pg-shared.yaml';
    expect(warm.get(pg)).not.toBe(before.get(pg));
    rmSync(join(root, 'generated'), { recursive: true });
    rmSync(workspaceCacheDir(root), { recursive: true });
    await synthOk(root, '--no-cache');
    expect(treeOf(root)).toEqual(warm);
  });

  it('renders the folders of a changed tenant before it waits for the scan of generated/, and writes what a cold synth writes', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    await synthOk(root);
    writeTenant(root, 'beta', readTenant(root, 'beta').replace("displayName: '", "displayName: 'New "));
    const version = codeVersion(PROJECT);
    const current = await currentTree(root, (read) => inputsKey(root, PROJECT, read));
    if (!('scan' in current)) throw new Error('expected a scan: beta changed');
    const compiled = await compileWorkspace(root);
    const cache = diskRenderCache(root);
    const betaKeys = planSynth(compiled, version).filter((u) => u.env?.tenant.name === 'beta').map((u) => u.key);
    let renderedBeforeScan: boolean[] = [];
    const scan = () => {
      renderedBeforeScan = betaKeys.map((k) => cache.get(k) !== undefined);
      return current.scan();
    };
    const { diff } = await syncGenerated(root, compiled, { codeVersion: version, check: false, cache, inputs: current.inputs, scan });
    expect(renderedBeforeScan).toEqual([true]);
    expect(diff.changed).toEqual(['eu-west-shared-1/tenants/beta-production/namespace-tenant-beta-production.yaml']);
    const warm = treeOf(root);
    rmSync(join(root, 'generated'), { recursive: true });
    await synthOk(root, '--no-cache');
    expect(treeOf(root)).toEqual(warm);
  });

  it('writes the same tree cold as a re-synth repairs it to', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    await synthOk(root, '--no-cache');
    const cold = treeOf(root);
    rmSync(join(root, 'generated', 'eu-west-shared-1'), { recursive: true });
    await synthOk(root);
    expect(treeOf(root)).toEqual(cold);
  });
});
