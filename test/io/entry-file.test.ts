/**
 * The bounded, checksummed file of cache entries (lib/io/entry-file.ts) that the read cache and
 * the valid tenants are kept in: a damaged file is read as empty, a rewrite keeps the entries a
 * run used and at most 1,000 others, and a run that added nothing writes nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEntryFile } from '../../lib/io/entry-file.ts';

const root = mkdtempSync(join(tmpdir(), 'tenantctl-entry-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newPath = () => join(root, `entries-${n++}.json`);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** The stored entries, after checking the file's checksum line. */
function storedOf(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  expect(text.slice(0, 64)).toBe(sha256(text.slice(65)));
  return JSON.parse(text.slice(65)) as Record<string, unknown>;
}
const pair = (e: unknown): e is readonly [string, string] => Array.isArray(e) && e.length === 2 && e.every((s) => typeof s === 'string');

describe('an entry file', () => {
  it('gives back in the next run what a run added, first line the SHA-256 of the rest', () => {
    const path = newPath();
    const first = openEntryFile(path, pair);
    expect(first.get('a')).toBeUndefined();
    first.set('a', ['{"name":"acme"}', '{}']);
    first.flush();
    expect(storedOf(path)).toEqual({ a: ['{"name":"acme"}', '{}'] });
    expect(openEntryFile(path, pair).get('a')).toEqual(['{"name":"acme"}', '{}']);
  });

  it('reads a damaged file as empty, whether changed, cut short or without its checksum, and rewrites it whole', () => {
    const path = newPath();
    const first = openEntryFile(path);
    first.set('a', 'one');
    first.set('b', 'two');
    first.flush();
    const text = readFileSync(path, 'utf8');
    for (const damaged of [text.replace('one', 'ONE'), text.slice(0, -3), text.slice(65), `${'0'.repeat(64)}\n{}`, '']) {
      writeFileSync(path, damaged);
      const run = openEntryFile(path);
      expect(run.get('a')).toBeUndefined();
      expect(run.get('b')).toBeUndefined();
    }
    const run = openEntryFile(path);
    run.set('c', 'three');
    run.flush();
    expect(storedOf(path)).toEqual({ c: 'three' });
  });

  it('neither gives out nor keeps an entry of another shape than asked for', () => {
    const path = newPath();
    const body = JSON.stringify({ bad: ['only one'], good: ['x', 'y'], worse: 3 });
    writeFileSync(path, `${sha256(body)}\n${body}`);
    const run = openEntryFile(path, pair);
    expect(run.get('bad')).toBeUndefined();
    expect(run.get('worse')).toBeUndefined();
    run.set('new', ['p', 'q']);
    run.flush();
    expect(storedOf(path)).toEqual({ new: ['p', 'q'], good: ['x', 'y'] });
  });

  it('keeps the entries a run used and at most 1,000 others, in the order they were stored', () => {
    const path = newPath();
    const earlier = openEntryFile(path);
    for (let i = 0; i < 1500; i++) earlier.set(`k${i}`, `v${i}`);
    earlier.flush();
    expect(Object.keys(storedOf(path))).toHaveLength(1500);
    const run = openEntryFile(path);
    expect(run.get('k1400')).toBe('v1400');
    expect(run.get('k3')).toBe('v3');
    run.set('new', 'v-new');
    run.flush();
    const keys = Object.keys(storedOf(path));
    expect(keys).toHaveLength(1003);
    // Used first (in the order used), then the others as stored.
    expect(keys.slice(0, 4)).toEqual(['k1400', 'k3', 'new', 'k0']);
    expect(keys.at(-1)).toBe('k1000');
    expect(keys).not.toContain('k1001');
    expect(keys).not.toContain('k1499');
  });

  it('writes nothing when a run added nothing, however many entries it used, and runs afterWrite only when it wrote', () => {
    const path = newPath();
    const first = openEntryFile(path);
    let writes = 0;
    first.flush(() => writes++);
    expect(existsSync(path)).toBe(false);
    first.set('a', 'one');
    first.flush(() => writes++);
    expect(writes).toBe(1);
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const [text, mtime] = [readFileSync(path, 'utf8'), statSync(path).mtimeMs];
    const run = openEntryFile(path);
    expect(run.get('a')).toBe('one');
    expect(run.get('missing')).toBeUndefined();
    run.flush(() => writes++);
    expect(writes).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('holds, when two runs write, what the last one wrote whole', () => {
    const path = newPath();
    const a = openEntryFile(path);
    const b = openEntryFile(path);
    a.set('a', 'from a');
    b.set('b', 'from b');
    a.flush();
    b.flush();
    expect(storedOf(path)).toEqual({ b: 'from b' });
  });
});
