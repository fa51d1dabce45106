import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../lib/live/map-limit.ts';

describe('mapLimit', () => {
  it('keeps results in input order whatever order they finish in', async () => {
    const out = await mapLimit([30, 10, 20], 2, (ms, i) => new Promise<number>((r) => setTimeout(() => r(i), ms)));
    expect(out).toEqual([0, 1, 2]);
  });

  it('starts nothing new after a failure, and rejects only once running items have settled', async () => {
    const started: number[] = [];
    let running = 0;
    const run = mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      running++;
      await new Promise((r) => setTimeout(r, i === 0 ? 5 : 20));
      running--;
      if (i === 0) throw new Error('list failed');
      return i;
    });
    await expect(run).rejects.toThrow('list failed');
    expect(running).toBe(0);
    expect(started).toEqual([0, 1]);
  });
});
