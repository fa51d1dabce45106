import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../lib/io/generated-tree.ts';
import { nodeBinding, publishEarlyScan, readListings, stampReader, startScanWorker, takeEarlyScan, writeListings, type ScanWorker } from '../../lib/io/scan-folders.mjs';
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

  it('gives a folder another digest when a file is renamed keeping its size and mtime, its mtime changes keeping its size, or two files swap their stamps', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tenantctl-scan-digest-'));
    try {
      const folder = join(root, 'c', 'tenants', 't-production');
      mkdirSync(folder, { recursive: true });
      const a = join(folder, 'a.yaml');
      const b = join(folder, 'b.yaml');
      writeFileSync(a, 'aaaa');
      writeFileSync(b, 'bb');
      fs.utimesSync(a, 1_700_000_000, 1_700_000_000);
      fs.utimesSync(b, 1_700_000_100, 1_700_000_100);
      const digest = async () => {
        const scan = await scanFiles(root, { worker: false });
        const stamp = scan.folders.get('c/tenants/t-production')?.stamp;
        expect(stamp).toBe(folderStamps(scanTree(root)).get('c/tenants/t-production')?.stamp); // the CLI's digest of the same files
        return stamp;
      };
      const seen = new Set([await digest()]);
      fs.renameSync(a, join(folder, 'a2.yaml'));
      seen.add(await digest());
      fs.renameSync(join(folder, 'a2.yaml'), a);
      expect(seen.has(await digest())).toBe(true); // back as it was
      fs.utimesSync(a, 1_700_000_000, 1_700_000_001);
      seen.add(await digest());
      // a: 2 bytes at b's time, b: 4 bytes at a's time.
      writeFileSync(a, 'aa');
      writeFileSync(b, 'bbbb');
      fs.utimesSync(a, 1_700_000_100, 1_700_000_100);
      fs.utimesSync(b, 1_700_000_000, 1_700_000_000);
      seen.add(await digest());
      expect(seen.size).toBe(4);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
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
      const got = new Float64Array(4);
      for (const p of [file, link, dir]) {
        expect(fast(p, got)).toBe(true);
        const st = fs.lstatSync(p);
        expect([...got]).toEqual([st.size, st.mtimeMs, st.ino, st.ctimeMs]);
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

describe("reusing a folder's listing from the last scan", () => {
  /** A tree of tenant folders (names holding the folder's name, as synth writes them), settled for over a second. */
  async function settledTree(): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'tenantctl-listing-'));
    for (let f = 0; f < 6; f++) {
      const folder = join(root, `cluster-${f % 2}`, 'tenants', `t${f}-production`);
      mkdirSync(folder, { recursive: true });
      for (const kind of ['deployment', 'service', 'configmap']) writeFileSync(join(folder, `${kind}-t${f}-production.yaml`), `${kind} ${f}`);
    }
    mkdirSync(join(root, 'cluster-0', 'tenants', 't0-production', 'nested'));
    writeFileSync(join(root, 'cluster-0', 'tenants', 't0-production', 'nested', 'deep.yaml'), 'd');
    await new Promise((r) => setTimeout(r, 1_300)); // listings of folders changed within a second are not recorded
    return root;
  }
  const folders = async (root: string, listings?: string, worker = false) => new Map((await scanFiles(root, { worker, listings })).folders);
  const record = (root: string) => join(root, '..', `${root.split('/').pop()}-listings.json`);

  it('uses the recorded listing while the folder is unchanged, and lists the folder again once a file is added, removed or renamed in it', async () => {
    const root = await settledTree();
    const file = record(root);
    try {
      const truth = await folders(root);
      expect(await folders(root, file, true)).toEqual(truth); // records
      const known = readListings(fs, createHash, file)!;
      expect(known.size).toBe(7); // the six tenant folders and the nested one
      expect(await folders(root, file, true)).toEqual(truth); // from the record

      // The record is what the scan goes by: a listing recorded without a file hides it while the folder is unchanged...
      const t1 = 'cluster-1/tenants/t1-production';
      const [ino, mtime, ctime] = known.get(t1)!;
      writeListings(fs, createHash, file, [[t1, ino, mtime, ctime, 'deployment-\u0001.yaml/service-\u0001.yaml', [], false, 1]]);
      expect((await folders(root, file)).get(t1)?.files).toBe(2);
      // ...and a change to the folder's entries is seen at once: added, removed, renamed.
      writeFileSync(join(root, t1, 'extra.yaml'), 'e');
      expect(await folders(root, file)).toEqual(await folders(root));
      expect((await folders(root, file)).get(t1)?.files).toBe(4);
      expect(readListings(fs, createHash, file)!.get(t1)?.[2]).not.toBe(fs.lstatSync(join(root, t1)).ctimeMs); // changed within the second: not recorded

      const t2 = 'cluster-0/tenants/t2-production';
      const t3 = 'cluster-1/tenants/t3-production';
      rmSync(join(root, t2, 'service-t2-production.yaml'));
      fs.renameSync(join(root, t3, 'service-t3-production.yaml'), join(root, t3, 'renamed.yaml'));
      const now = await folders(root, file, true);
      expect(now).toEqual(await folders(root));
      expect(now.get(t2)?.files).toBe(2);
      expect(now).not.toEqual(truth);

      // A folder whose name holds `$&` (a replacement pattern) is read back as it was recorded.
      const odd = 'cluster-0/tenants/t$&-x';
      mkdirSync(join(root, odd));
      for (const name of ['a-t$&-x.yaml', 'b.yaml']) writeFileSync(join(root, odd, name), name);
      const [oino, omtime, octime] = (() => { const st = fs.lstatSync(join(root, odd)); return [st.ino, st.mtimeMs, st.ctimeMs]; })();
      writeListings(fs, createHash, file, [[odd, oino, omtime, octime, 'a-\u0001.yaml/b.yaml', [], false, 1]]);
      expect((await folders(root, file)).get(odd)).toEqual((await folders(root)).get(odd));
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(file, { force: true });
    }
  });

  it('lists every folder when the record is damaged or cut short, and a folder replaced by another of the same name', async () => {
    const root = await settledTree();
    const file = record(root);
    try {
      const truth = await folders(root);
      await folders(root, file);
      const text = fs.readFileSync(file, 'utf8');
      const t4 = 'cluster-0/tenants/t4-production';
      // A listing changed without its checksum: not used (it would hide the file).
      fs.writeFileSync(file, text.replace('"configmap-\\u0001.yaml/deployment-\\u0001.yaml/service-\\u0001.yaml"', '"deployment-\\u0001.yaml/service-\\u0001.yaml"'));
      expect(fs.readFileSync(file, 'utf8')).not.toBe(text);
      expect(readListings(fs, createHash, file)).toBeUndefined();
      expect(await folders(root, file)).toEqual(truth);
      fs.writeFileSync(file, text.slice(0, text.length >> 1));
      expect(await folders(root, file)).toEqual(truth);

      await folders(root, file);
      fs.renameSync(join(root, t4), join(root, 'moved'));
      mkdirSync(join(root, t4));
      writeFileSync(join(root, t4, 'other.yaml'), 'o');
      expect((await folders(root, file)).get(t4)?.files).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(file, { force: true });
    }
  });
});
