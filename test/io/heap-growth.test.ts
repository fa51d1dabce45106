import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = pathToFileURL(join(import.meta.dirname, '..', '..', 'lib', 'io', 'heap-growth.ts')).href;

// A live set that stays, and pages of objects that live a few rounds and are dropped: the
// audit's pattern (objects kept for the policies, list pages compared and let go).
const PROGRAM = `
import { limitHeapGrowth } from ${JSON.stringify(MODULE)};
if (process.argv[1] === 'limit') limitHeapGrowth(2);
const live = [];
for (let i = 0; i < 300_000; i++) live.push({ i, s: 'live ' + i, a: [i, i + 1] });
const held = [];
let peak = 0;
for (let round = 0; round < 400; round++) {
  const page = [];
  for (let i = 0; i < 5_000; i++) page.push({ round, i, s: 'page ' + round + ' ' + i, m: { a: [1, 2, 3], b: { c: 'x'.repeat(20) } } });
  held.push(page);
  if (held.length > 8) held.shift();
  peak = Math.max(peak, process.memoryUsage().heapTotal);
}
console.log(JSON.stringify({ peak, kept: live.length + held.length }));
`;

const peakHeap = (mode: 'limit' | 'default'): number =>
  (JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROGRAM, mode], { encoding: 'utf8' })) as { peak: number }).peak;

describe('limiting heap growth', () => {
  it('keeps the heap of a process that allocates fast over a live set well under what V8 grows it to by itself', () => {
    const [limited, own] = [peakHeap('limit'), peakHeap('default')];
    expect(limited).toBeLessThan(own * 0.75);
  }, 60_000);
});
