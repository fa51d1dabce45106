import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileWriter } from '../../lib/io/file-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenantctl-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const filesUnder = (root: string) => readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();

describe('writing files in the background', () => {
  it('writes every file with its content, making folders as needed, and leaves no temporary file', async () => {
    const root = join(dir, 'many');
    const writer = fileWriter();
    const expected: string[] = [];
    for (let f = 0; f < 30; f++) {
      for (let i = 0; i < 20; i++) {
        const path = `c${f % 3}/tenants/t${f}/configmap-${i}.yaml`;
        writer.write(join(root, path), `name: ${f}-${i}\n`, { viaTemp: i % 2 === 0 });
        expected.push(path);
      }
    }
    await writer.flush();
    expect(writer.backlog).toBe(0);
    expect(filesUnder(root)).toEqual(expected.sort());
    expect(readFileSync(join(root, 'c2/tenants/t29/configmap-19.yaml'), 'utf8')).toBe('name: 29-19\n');
  });

  it('holds a producer that awaits ready() to about the high-water mark of content waiting', async () => {
    const root = join(dir, 'bounded');
    const writer = fileWriter({ highWater: 10_000 });
    const content = 'x'.repeat(1_000);
    let highest = 0;
    let done = 0;
    for (let i = 0; i < 400; i++) {
      await writer.ready();
      writer.write(join(root, `f${i % 7}`, `${i}.yaml`), content, { done: () => done++ });
      highest = Math.max(highest, writer.backlog);
    }
    await writer.flush();
    expect(done).toBe(400);
    // ready() lets the producer on at or below the mark; it then adds one file.
    expect(highest).toBeLessThanOrEqual(10_000 + content.length);
    expect(highest).toBeGreaterThan(0);
    expect(filesUnder(root)).toHaveLength(400);
  });

  it('reports the first failed write from ready() and flush(), and settles once nothing is in flight', async () => {
    const root = join(dir, 'failing');
    const writer = fileWriter();
    writer.write(join(root, 'a.yaml'), 'a\n');
    await writer.flush();
    // a.yaml is a file, so nothing can be written under it.
    writer.write(join(root, 'a.yaml', 'b.yaml'), 'b\n');
    writer.write(join(root, 'c.yaml'), 'c\n');
    await expect(writer.flush()).rejects.toThrow(/a\.yaml/);
    await expect(writer.ready()).rejects.toThrow(/a\.yaml/);
    await writer.settle();
    expect(writer.backlog).toBe(0);
    // After a failure, later writes are dropped: the run is failing anyway.
    let called = false;
    writer.write(join(root, 'd.yaml'), 'd\n', { done: () => (called = true) });
    expect(called).toBe(true);
    await writer.settle();
    expect(existsSync(join(root, 'd.yaml'))).toBe(false);
  });

  it('replaces an existing file through a temporary one', async () => {
    const root = join(dir, 'replace');
    const writer = fileWriter();
    writer.write(join(root, 'entry.json'), 'old');
    await writer.flush();
    writeFileSync(join(root, 'other.json'), 'kept');
    writer.write(join(root, 'entry.json'), 'new', { viaTemp: true });
    await writer.flush();
    expect(readFileSync(join(root, 'entry.json'), 'utf8')).toBe('new');
    expect(filesUnder(root)).toEqual(['entry.json', 'other.json']);
  });
});
