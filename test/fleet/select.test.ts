import { describe, expect, it } from 'vitest';
import { selectClusters, UnknownClusterError } from '../../lib/fleet/select.ts';
import type { Cluster } from '../../lib/fleet/schema.ts';

const cluster = (name: string) => ({ name, region: 'eu-west', tiers: ['shared'], capacity: { cpu: 1, memoryGi: 1 }, baseDomain: 'x.example', traefikNamespace: 'traefik' }) as Cluster;
const clusters = [cluster('b'), cluster('a'), cluster('c')];

describe('selectClusters', () => {
  it('gives every cluster when none is named, and the named ones in fleet order otherwise', () => {
    expect(selectClusters(clusters, []).map((c) => c.name)).toEqual(['b', 'a', 'c']);
    expect(selectClusters(clusters, ['c', 'b']).map((c) => c.name)).toEqual(['b', 'c']);
  });

  it('refuses a name fleet.ts does not have, naming the flag, where it looked and the clusters it knows', () => {
    expect(() => selectClusters(clusters, ['a', 'z'], { flag: '--cluster', where: 'fleet.ts at HEAD' }))
      .toThrow(new UnknownClusterError('--cluster z: not in fleet.ts at HEAD (clusters: b, a, c)'));
  });
});
