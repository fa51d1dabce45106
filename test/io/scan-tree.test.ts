import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanTree } from '../../lib/io/generated-tree.ts';
import { scanTreeParallel } from '../../lib/io/scan-tree.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenantctl-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanning generated/ on two threads', () => {
  it('finds the same files with the same stamps as one thread, README and dotfiles left out', async () => {
    for (let f = 0; f < 60; f++) {
      const folder = join(dir, `cluster-${f % 3}`, 'tenants', `t${f}-production`);
      mkdirSync(folder, { recursive: true });
      for (let i = 0; i < 40; i++) writeFileSync(join(folder, `configmap-${i}.yaml`), 'x'.repeat(f + i));
    }
    writeFileSync(join(dir, 'README.md'), '# generated/\n');
    writeFileSync(join(dir, 'cluster-0', '.hidden.yaml'), 'no');
    const one = scanTree(dir);
    expect(one.size).toBe(2400);
    const two = await scanTreeParallel(dir, { worker: true });
    expect(two).toEqual(one);
    expect(await scanTreeParallel(dir, { worker: false })).toEqual(one);
  });

  it('says nothing of a tree that is not there', async () => {
    expect((await scanTreeParallel(join(dir, 'missing'), { worker: true })).size).toBe(0);
  });
});
