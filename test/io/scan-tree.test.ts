import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../lib/io/generated-tree.ts';
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
});
