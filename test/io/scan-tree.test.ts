import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../lib/io/generated-tree.ts';
import { nodeBinding, publishEarlyScan, stampReader, startScanWorker, takeEarlyScan, type ScanWorker } from '../../lib/io/scan-folders.mjs';
import { folderJobs, scanFiles, scanTreeParallel, stampMap } from '../../lib/io/scan-tree.ts';
import { folderStamps } from '../../lib/io/tree-state.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenantctl-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanning generated/ on two threads', () => {
  it('finds the same files with the same stamps and folder digests as one thread, README and dotfiles left out', async () => {
    for (let f = 0; f < 60; f++) {
      const folder = join(dir, `cluster-${f % 3}`, 'tenants', `t${f}-production`);
      mkdirSync(folder, { recursive: true });
      for (let i = 0; i < 40; i++) writeFileSync(join(folder, `configmap-${i}.yaml`), 'x'.repeat(f + i));
    }
    // Files at every level the jobs are cut at, and below them.
    mkdirSync(join(dir, 'cluster-0', 'flux'), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'cluster-0', 'flux', `kustomization-${i}.yaml`), `k${i}`);
    writeFileSync(join(dir, 'cluster-1', 'at-cluster-level.yaml'), 'c');
    writeFileSync(join(dir, 'top.yaml'), 't');
    mkdirSync(join(dir, 'cluster-2', 'tenants', 't2-production', 'nested', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'cluster-2', 'tenants', 't2-production', 'nested', 'deeper', 'secret.yaml'), 'n');
    writeFileSync(join(dir, 'cluster-1', 'tenants', 't1-production', 'a name\nwith a newline.yaml'), 'odd');
    writeFileSync(join(dir, 'README.md'), '# generated/\n');
    writeFileSync(join(dir, 'cluster-0', '.hidden.yaml'), 'no');
    mkdirSync(join(dir, 'cluster-0', 'tenants', '.git'), { recursive: true });
    writeFileSync(join(dir, 'cluster-0', 'tenants', '.git', 'x.yaml'), 'no');

    const one = scanTree(dir);
    expect(one.size).toBe(2409);
    const two = await scanTreeParallel(dir, { worker: true });
    expect(two).toEqual(one);
    expect(await scanTreeParallel(dir, { worker: false })).toEqual(one);

    const expected = folderStamps(one);
    for (const worker of [true, false]) {
      const scan = await scanFiles(dir, { worker });
      expect(new Map(scan.folders)).toEqual(new Map(expected));
    }
    const scan = await scanFiles(dir, { worker: false });
    expect(stampMap(scan)).toEqual(one);
    const some = stampMap(scan, (folder) => folder === 'cluster-1' || folder.startsWith('cluster-1/'));
    expect([...some.keys()].sort()).toEqual([...one.keys()].filter((p) => p.startsWith('cluster-1/')).sort());
    expect(some.get('cluster-1/tenants/t1-production/a name\nwith a newline.yaml')).toEqual(one.get('cluster-1/tenants/t1-production/a name\nwith a newline.yaml'));
    expect(expected.get('cluster-2/tenants/t2-production/nested/deeper')?.files).toBe(1);
    expect(expected.get('')?.files).toBe(1);
  });

  it('cuts the tree into one job per folder below the third level, and one per folder of files above it', () => {
    const jobs = folderJobs(dir);
    expect(jobs.filter((j) => !j.files)).toHaveLength(60);
    expect(jobs.find((j) => j.dir === 'cluster-0/flux')?.files).toHaveLength(5);
    expect(jobs.find((j) => j.dir === '')?.files).toEqual(['top.yaml']);
  });

  it('says nothing of a tree that is not there', async () => {
    expect((await scanTreeParallel(join(dir, 'missing'), { worker: true })).size).toBe(0);
    expect((await scanFiles(join(dir, 'missing'), { worker: false })).folders.size).toBe(0);
  });

  it('uses the scan the CLI started before it loaded, with the same result, and only for the folder that scan is of', async () => {
    const expected = new Map(folderStamps(scanTree(dir)));
    const early = startScanWorker(dir)!;
    publishEarlyScan(early);
    expect(new Map((await scanFiles(dir, { worker: true })).folders)).toEqual(expected);
    expect(takeEarlyScan(dir)).toBeUndefined(); // taken once

    const other = mkdtempSync(join(tmpdir(), 'tenantctl-scan-other-'));
    try {
      publishEarlyScan(startScanWorker(other));
      expect(new Map((await scanFiles(dir, { worker: false })).folders)).toEqual(expected);
      expect(takeEarlyScan(other)).toBeUndefined(); // stopped and dropped, not left for later
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('scans the whole tree on this thread when the early worker dies before listing it, or after taking jobs it never finished', async () => {
    const expected = new Map(folderStamps(scanTree(dir)));
    const dead: ScanWorker = { root: dir, listed: Promise.resolve(undefined), found: Promise.resolve(undefined), take() {}, stop() {} };
    publishEarlyScan(dead);
    expect(new Map((await scanFiles(dir)).folders)).toEqual(expected);

    // Listed, took every job from the counter, then died: this thread finds none left to take, and redoes them.
    const jobs = folderJobs(dir);
    const next = new Int32Array(new SharedArrayBuffer(4));
    next[0] = jobs.length;
    publishEarlyScan({ ...dead, listed: Promise.resolve({ jobs, next }) });
    expect(new Map((await scanFiles(dir)).folders)).toEqual(expected);
  });

  it('reads the repository root of a synth command line as the CLI does, and starts nothing for other commands', async () => {
    const { earlyScanRoot } = (await import('../../bin/early-scan.mjs' as string)) as { earlyScanRoot(argv: string[], cwd: string): string | undefined };
    expect(earlyScanRoot(['synth'], '/repo')).toBe('/repo/generated');
    expect(earlyScanRoot(['-C', 'fleet', 'synth', '--check'], '/repo')).toBe('/repo/fleet/generated');
    expect(earlyScanRoot(['--dir=/elsewhere', 'synth'], '/repo')).toBe('/elsewhere/generated');
    expect(earlyScanRoot(['-C/a', '--dir', '/b', 'synth'], '/repo')).toBe('/b/generated');
    expect(earlyScanRoot(['validate'], '/repo')).toBeUndefined();
    expect(earlyScanRoot(['synth', '--no-cache'], '/repo')).toBeUndefined();
    expect(earlyScanRoot(['synth', '--help'], '/repo')).toBeUndefined();
  });

  it('reads each file\'s size and mtime from Node\'s binding exactly as fs.lstatSync gives them, links not followed, and a binding of another layout is not used', () => {
    const file = join(dir, 'cluster-0', 'flux', 'kustomization-0.yaml');
    const link = join(dir, 'link-to-flux.yaml');
    symlinkSync(join(dir, 'cluster-0', 'flux'), link);
    try {
      const fast = stampReader(fs, nodeBinding(), dir);
      expect(fast.name).toBe('quick'); // the layout of the Node this runs on
      const got = new Float64Array(2);
      for (const p of [file, link, dir]) {
        expect(fast(p, got)).toBe(true);
        const st = fs.lstatSync(p);
        expect([got[0], got[1]]).toEqual([st.size, st.mtimeMs]);
      }
      expect(fast(join(dir, 'gone.yaml'), got)).toBe(false);

      // A binding whose numbers sit elsewhere (a future Node) fails the probe: fs.lstatSync is used.
      const shifted = { lstat: (p: string) => Float64Array.from([0, ...(nodeBinding()!.lstat(p, false, undefined, false) as Float64Array)]) };
      const slow = stampReader(fs, shifted, dir);
      expect(slow.name).toBe('slow');
      expect(slow(file, got)).toBe(true);
      expect(got[0]).toBe(fs.lstatSync(file).size);
      expect(stampReader(fs, undefined, dir).name).toBe('slow');
    } finally {
      rmSync(link);
    }
  });
});
