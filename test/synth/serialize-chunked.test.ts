import { describe, expect, it } from 'vitest';
import type { ManifestFile } from '../../lib/synth/layout.ts';
import { toYaml } from '../../lib/synth/serialize.ts';
import { toYamlChunked } from '../../lib/synth/serialize-chunked.ts';
import type { RenderCache } from '../../lib/synth/synthesize.ts';

const memoryCache = () => {
  const map = new Map<string, readonly ManifestFile[]>();
  const sets: string[] = [];
  const cache: RenderCache = { get: (k) => map.get(k), set: (k, f) => void (sets.push(k), map.set(k, f)) };
  return { cache, map, sets };
};

/** Strings YAML 1.1 quotes or treats specially, so the list's items are not all plain scalars. */
const AWKWARD = ['yes', 'no', 'on', '0x1F', '1e3', '012', '', ' lead', 'trail ', 'a: b', '- x', '#c', '@at', '"q"', "it's", 'null', '~', '2026-01-02', 'ünï', '*star', '{x}', '[y]'];

function role(i: number, workers = 2) {
  return {
    connectionLimit: 10 + 2 * (workers + 2),
    ensure: 'present',
    login: i % 3 !== 0,
    name: `t_t${String(i).padStart(4, '0')}_production`,
    passwordSecret: { name: AWKWARD[i % AWKWARD.length] },
    tags: i % 5 === 0 ? [] : [AWKWARD[(i * 7) % AWKWARD.length], i],
    nothing: i % 4 === 0 ? {} : null,
  };
}

const cluster = (roles: unknown[]) => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'pg-shared', namespace: 'postgres-shared' },
  spec: { instances: 3, managed: { roles, services: { disabled: ['ro'] } }, storage: { size: '100Gi' } },
});

describe('serializing an object with a long list in cached chunks', () => {
  it('gives the same bytes as serializing it whole, cold and from the cache', () => {
    const { cache } = memoryCache();
    for (const n of [64, 65, 100, 257]) {
      const value = cluster(Array.from({ length: n }, (_, i) => role(i)));
      const whole = toYaml(value, 'fleet.ts');
      expect(toYamlChunked(value, 'fleet.ts', cache, 'v1')).toBe(whole);
      expect(toYamlChunked(value, 'fleet.ts', cache, 'v1')).toBe(whole);
    }
  });

  it('serializes again only the chunk that holds a changed item', () => {
    const { cache, sets } = memoryCache();
    const roles = Array.from({ length: 200 }, (_, i) => role(i));
    toYamlChunked(cluster(roles), 'fleet.ts', cache, 'v1');
    const before = sets.length;
    const changed = roles.map((r, i) => (i === 100 ? role(i, 3) : r));
    expect(toYamlChunked(cluster(changed), 'fleet.ts', cache, 'v1')).toBe(toYaml(cluster(changed), 'fleet.ts'));
    expect(sets.length - before).toBe(1);
  });

  it('serializes whole a list with a line break in a string, and a short list', () => {
    const { cache, sets } = memoryCache();
    const roles = Array.from({ length: 80 }, (_, i) => role(i));
    roles[3] = { ...roles[3], name: 'two\nlines\n\nwith a blank one' };
    expect(toYamlChunked(cluster(roles), 'fleet.ts', cache, 'v1')).toBe(toYaml(cluster(roles), 'fleet.ts'));
    const short = cluster(roles.slice(4, 20));
    expect(toYamlChunked(short, 'fleet.ts', cache, 'v1')).toBe(toYaml(short, 'fleet.ts'));
    expect(sets).toEqual([]);
  });
});
