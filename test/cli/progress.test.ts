/**
 * Long synths show progress on a terminal, and nothing extra anywhere else (pipes, CI).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { synthCommand } from '../../lib/cli/commands/synth.ts';
import { cleanRepos, makeRepo, PROJECT, spawnCliWith } from './repo.ts';

afterAll(cleanRepos);

describe('synth progress', () => {
  it('reports reading, rendering up to 100% and writing, in that order', async () => {
    const root = makeRepo(['acme', 'beta', 'helix']);
    const lines: string[] = [];
    const outcome = await synthCommand({ root, packageRoot: PROJECT, check: false, progress: (l) => lines.push(l) });
    expect(outcome.stale).toBe(false);
    expect(lines[0]).toBe('reading tenant files…');
    const total = lines.find((l) => l.startsWith('rendering '))!.match(/\/(\d+) /)![1];
    expect(lines).toContain(`rendering ${total}/${total} (100%)`);
    expect(lines.at(-1)).toBe('writing generated/…');
  }, 120_000);

  it('prints only the summary when standard error is not a terminal', () => {
    const root = makeRepo(['acme']);
    const r = spawnCliWith({ timeoutMs: 120_000 }, root, 'synth');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^generated\/ updated: .*\n$/);
  }, 120_000);
});
