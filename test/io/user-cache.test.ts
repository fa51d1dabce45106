import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCacheFile } from '../../lib/io/user-cache.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'user-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writing a cache file', () => {
  it('writes parts one after the other, byte for byte, beyond the 1,024 buffers one writev takes', () => {
    const parts = Array.from({ length: 2_500 }, (_, i) => Buffer.from(i % 7 === 0 ? '' : `part ${i};`));
    expect(writeCacheFile(join(dir, 'sub', 'entry.json'), parts)).toBe(true);
    expect(readFileSync(join(dir, 'sub', 'entry.json'), 'utf8')).toBe(Buffer.concat(parts).toString('utf8'));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['entry.json']);
  });

  it('answers false, and leaves no temporary file behind, when the file cannot be put in place', () => {
    writeFileSync(join(dir, 'file'), 'in the way');
    expect(writeCacheFile(join(dir, 'file', 'entry.json'), 'x')).toBe(false);
    // A directory where the entry goes: the temporary file is written, the rename fails.
    mkdirSync(join(dir, 'entry.json', 'inside'), { recursive: true });
    expect(writeCacheFile(join(dir, 'entry.json'), [Buffer.from('a'), Buffer.from('b')])).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['entry.json', 'file']);
  });
});
