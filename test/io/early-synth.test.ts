/**
 * The re-synth with nothing to do that the CLI's entry point answers before the bundle loads
 * (bin/early-scan.mjs): it says what the CLI says, and only when the CLI would find nothing to do;
 * any change to generated/, the inputs or the compiler, or a damaged state, goes to the CLI.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishEarlyScan, takeEarlyScan } from '../../lib/io/scan-folders.mjs';
import { scanFiles } from '../../lib/io/scan-tree.ts';
import { compilerKey, inputsKey } from '../../lib/workspace/inputs-key.ts';
import { cleanRepos, cli, makeRepo, PROJECT, readTenant, spawnCliWith, writeTenant } from '../cli/repo.ts';
import { workspaceCacheDir } from '../../lib/io/workspace-cache.mjs';

type EarlyScan = {
  answerSynth(argv: string[], compilerKey: () => string, cwd?: string): Promise<string | undefined>;
  plainSynth(argv: string[], cwd: string): { root: string; check: boolean } | undefined;
};
const { answerSynth, plainSynth } = (await import('../../bin/early-scan.mjs' as string)) as EarlyScan;

afterAll(cleanRepos);

/** The key the in-process CLI records (from the sources, not a bundle). */
const key = () => compilerKey(PROJECT);

/** answerSynth on `root`, dropping the scan it leaves for a CLI that is not going to run here. */
async function answer(root: string, ...args: string[]): Promise<string | undefined> {
  const got = await answerSynth(['-C', root, 'synth', ...args], key);
  takeEarlyScan(join(root, 'generated'))?.stop();
  return got;
}

async function synthOk(root: string, ...args: string[]): Promise<string> {
  const r = await cli(root, 'synth', ...args);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

const KUSTOMIZATION = ['eu-west-shared-1', 'tenants', 'beta-production', 'kustomization.yaml'];

describe('a re-synth answered before the CLI loads', () => {
  it('prints what the CLI prints for a current tree, with and without --check', async () => {
    const root = makeRepo();
    await synthOk(root);
    expect(await answer(root)).toBe((await synthOk(root)).trimEnd());
    expect(await answer(root, '--check')).toBe((await synthOk(root, '--check')).trimEnd());
    expect(await answer(root)).toMatch(/^generated\/ unchanged \(\d+ tenant environments on \d+ clusters, \d+ objects\)\.$/);
  });

  it('leaves to the CLI a file edited by hand (same size, or appended to), added or removed, a folder removed, and is answered again once synth repaired it', async () => {
    const root = makeRepo();
    await synthOk(root);
    const file = join(root, 'generated', ...KUSTOMIZATION);
    const edits: Array<[string, () => void]> = [
      ['same-size edit', () => writeFileSync(file, readFileSync(file, 'utf8').replace('kind: Kustomization', 'kind: Kustomizatiom'))],
      ['appended line', () => appendFileSync(file, '\n')],
      ['file added', () => writeFileSync(join(file, '..', 'extra.yaml'), 'kind: ConfigMap\n')],
      ['file removed', () => rmSync(file)],
      ['folder removed', () => rmSync(join(file, '..'), { recursive: true })],
      ['file added at the top', () => writeFileSync(join(root, 'generated', 'stray.yaml'), 'a: 1\n')],
    ];
    for (const [what, edit] of edits) {
      edit();
      expect(await answer(root), what).toBeUndefined();
      expect(await synthOk(root), what).toMatch(/^generated\/ updated: /);
      expect(await answer(root), what).toMatch(/^generated\/ unchanged/);
    }
  });

  it('leaves to the CLI a tenant file or fleet.ts changed, another compiler, and a damaged or missing state, which synth then writes again', async () => {
    const root = makeRepo();
    await synthOk(root);
    const original = readTenant(root, 'acme');
    writeTenant(root, 'acme', original.replace('workers: 6,', 'workers: 5,'));
    expect(await answer(root)).toBeUndefined();
    await synthOk(root);
    expect(await answer(root)).toBeDefined();

    writeTenant(root, 'acme', original); // changed back: the key of the first synth, but generated/ is the second's
    expect(await answer(root)).toBeUndefined();
    await synthOk(root);
    writeTenant(root, 'zeta', readTenant(root, 'beta').replaceAll("'beta'", "'zeta'"));
    expect(await answer(root)).toBeUndefined();
    rmSync(join(root, 'tenants', 'zeta.ts'));
    expect(await answer(root)).toBeDefined();

    writeFileSync(join(root, 'fleet.ts'), readFileSync(join(root, 'fleet.ts'), 'utf8') + '\n// a comment\n');
    expect(await answer(root)).toBeUndefined();
    await synthOk(root);
    expect(await answer(root)).toBeDefined();

    expect(await answerSynth(['-C', root, 'synth'], () => 'another compiler')).toBeUndefined();
    takeEarlyScan(join(root, 'generated'))?.stop();

    const stateFile = join(workspaceCacheDir(root), 'generated-state.json');
    const text = readFileSync(stateFile, 'utf8');
    writeFileSync(stateFile, text.slice(0, -5) + (text.at(-5) === '1' ? '2' : '1') + text.slice(-4)); // still JSON, not what was written
    expect(await answer(root)).toBeUndefined();
    writeFileSync(stateFile, text.slice(0, text.length >> 1)); // cut short
    expect(await answer(root)).toBeUndefined();
    rmSync(stateFile);
    expect(await answer(root)).toBeUndefined();
    await synthOk(root);
    expect(await answer(root)).toBeDefined();
  });

  it('hands its scan, the inputs key and the input files\' bytes to the CLI when the tree or the inputs changed, the scan with what a scan of its own finds', async () => {
    const root = makeRepo();
    await synthOk(root);
    const generated = join(root, 'generated');
    appendFileSync(join(generated, ...KUSTOMIZATION), '\n');
    const expected = new Map((await scanFiles(generated, { worker: false })).folders);
    expect(await answerSynth(['-C', root, 'synth'], key)).toBeUndefined();
    const early = takeEarlyScan(generated);
    expect(early).toBeDefined();
    expect(early!.inputs).toBe(inputsKey(root, PROJECT)); // the CLI does not compute it again
    const { jobs, next } = (await early!.listed)!;
    expect(next[0]).toBeGreaterThanOrEqual(jobs.length); // nothing left to take
    publishEarlyScan(early);
    expect(new Map((await scanFiles(generated)).folders)).toEqual(expected);

    // A tenant changed: the key differs from the state's; the scan under way is left with it.
    writeTenant(root, 'acme', readTenant(root, 'acme').replace('workers: 6,', 'workers: 5,'));
    expect(await answerSynth(['-C', root, 'synth'], key)).toBeUndefined();
    const underWay = takeEarlyScan(generated);
    expect(underWay?.inputs).toBe(inputsKey(root, PROJECT));
    // With the files the key was computed from (the changed one's bytes, read for it), which the CLI compiles.
    expect(underWay?.inputFiles?.get('tenants/acme.ts')?.bytes?.toString('utf8')).toBe(readTenant(root, 'acme'));
    underWay?.stop();
  });

  it('gives two runs at once the same answer, read from the whole state file', async () => {
    const root = makeRepo();
    await synthOk(root);
    const both = await Promise.all([answerSynth(['-C', root, 'synth'], key), answerSynth(['-C', root, 'synth'], key)]);
    expect(both[0]).toMatch(/^generated\/ unchanged/);
    expect(both[1]).toBe(both[0]);
  });

  it('sees a file added to a folder whose listing it reuses, run as a user runs it', async () => {
    const root = makeRepo();
    const run = (...args: string[]) => {
      const r = spawnCliWith({ timeoutMs: 240_000 }, root, ...args);
      expect(r.code, r.err).toBe(0);
      return r.out;
    };
    run('synth');
    await new Promise((r) => setTimeout(r, 1_300)); // folders' listings are recorded once settled
    expect(run('synth')).toMatch(/^generated\/ unchanged/); // records the listings
    const listings = join(workspaceCacheDir(root), 'generated-listings.json');
    expect(readFileSync(listings, 'utf8')).toContain('eu-west-shared-1/tenants/beta-production');
    expect(run('synth')).toMatch(/^generated\/ unchanged/); // from the recorded listings
    writeFileSync(join(root, 'generated', ...KUSTOMIZATION.slice(0, -1), 'stray.yaml'), 'kind: ConfigMap\n');
    const check = spawnCliWith({ timeoutMs: 240_000 }, root, 'synth', '--check');
    expect(check.out).toMatch(/^generated\/ is stale: 0 to add, 0 to change, 1 to remove/);
    expect(check.code).toBe(1);
    expect(run('synth')).toMatch(/^generated\/ updated: 0 added, 0 changed, 1 removed/);
    rmSync(join(root, 'generated', ...KUSTOMIZATION));
    expect(run('synth')).toMatch(/^generated\/ updated: 1 added, 0 changed, 0 removed/);
  });

  it('reads only command lines the CLI would read as a plain synth', () => {
    expect(plainSynth(['synth'], '/repo')).toEqual({ root: '/repo', check: false });
    expect(plainSynth(['-C', 'fleet', 'synth', '--check'], '/repo')).toEqual({ root: '/repo/fleet', check: true });
    expect(plainSynth(['--dir=/elsewhere', '-C/a', 'synth'], '/repo')).toEqual({ root: '/a', check: false });
    for (const argv of [
      ['synth', '--no-cache'],
      ['synth', '--help'],
      ['synth', '--check', '--check'],
      ['synth', 'extra'],
      ['synth', '-C', '/a'],
      ['--verbose', 'synth'],
      ['-C', '', 'synth'],
      ['-C'],
      ['validate'],
      ['tenants', 'synth'],
      [],
    ]) {
      expect(plainSynth(argv, '/repo'), argv.join(' ')).toBeUndefined();
    }
  });
});
