/**
 * The drift engine's fast paths give exactly the findings of the plain way:
 *
 * - sameTree, the shortcut the diff takes over equal subtrees (an object in sync is decided
 *   without building paths), against the exhaustive walk, on every recorded desired/live pair
 *   and on thousands of seeded variations of them, each made by one of the differences the engine
 *   handles (defaults left out, quantities and int-or-strings written another way, empty values,
 *   reordered and keyed lists, list keys of another type, fields added, removed or changed);
 * - the live side of a pair stripped without a copy (stripServerFieldsShared): what it strips, what
 *   it shares, and never writing the live object.
 */
import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../lib/drift/engine.ts';
import { diffObjects, sameTree, type DiffOptions } from '../../lib/drift/diff.ts';
import { indexCrds } from '../../lib/drift/normalize/crd-defaults.ts';
import { normalizePair } from '../../lib/drift/normalize/index.ts';
import { stripServerFieldsShared } from '../../lib/drift/normalize/metadata.ts';
import { groupOf, keyOf, uniqueKey, type KubeObject } from '../../lib/model/resource.ts';
import { fixture, vendorCrds } from './helpers.ts';

const CASES = ['controller-annotations', 'crd-defaults', 'env-added-kubectl-edit', 'field-removed-kubectl-edit', 'fresh-apply',
  'hpa-replicas', 'image-changed', 'ingressroute-host-changed', 'kubectl-scale', 'networkpolicy-deleted', 'orphaned-object',
  'quantities', 'scheduledbackup-suspended', 'secret-key-changed', 'unmanaged-loadbalancer'];

const BUILT_IN = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io']);

interface Pair {
  readonly name: string;
  readonly desired: KubeObject;
  readonly live: KubeObject;
}

/** Every desired object of the recorded fixtures with its live copy. */
function recordedPairs(): Pair[] {
  const out: Pair[] = [];
  for (const name of CASES) {
    const { desired, live } = fixture(name);
    const byKey = new Map(live.map((l) => [uniqueKey(keyOf(l)), l]));
    for (const d of desired) {
      const l = byKey.get(uniqueKey(keyOf(d)));
      if (l) out.push({ name: `${name}: ${d.kind}/${d.metadata.name}`, desired: d, live: l });
    }
  }
  return out;
}

const crds = indexCrds(vendorCrds());
const optionsOf = (o: KubeObject): DiffOptions => ({ kind: o.kind, schema: crds.schemaFor(o.apiVersion, o.kind), custom: !BUILT_IN.has(groupOf(o.apiVersion)) });

/** The diff with the shortcut and without, which must agree; and whether sameTree called the pair equal. */
function bothWays(desired: unknown, live: unknown, options: DiffOptions): { fast: unknown; exhaustive: unknown; same: boolean } {
  return {
    fast: diffObjects(desired, live, options),
    exhaustive: diffObjects(desired, live, { ...options, exhaustive: true }),
    same: sameTree(desired, live, [], options.schema, false),
  };
}

// ------------------------------------------------------------------ seeded variations

/** mulberry32: a small seeded generator, so a failure names a variation that can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown> | unknown[];

/** Every object and array inside `value` (itself included), with the way to it. */
function containers(value: unknown, path = '', out: Array<{ at: Json; path: string }> = []): Array<{ at: Json; path: string }> {
  if (value === null || typeof value !== 'object') return out;
  out.push({ at: value as Json, path });
  if (Array.isArray(value)) value.forEach((v, i) => containers(v, `${path}[${i}]`, out));
  else for (const [k, v] of Object.entries(value)) containers(v, `${path}.${k}`, out);
  return out;
}

/** Another way to write a scalar: the forms the server and the engine treat alike, and some it does not. */
const QUANTITY_FORMS: Record<string, string[]> = { '1': ['1000m', '1.0'], '1000m': ['1'], '1Gi': ['1024Mi'], '1024Mi': ['1Gi'], '500m': ['0.5'], '2': ['2000m'] };
function otherScalar(value: unknown, pick: () => number): unknown {
  const choices: unknown[] = [];
  if (typeof value === 'number') choices.push(String(value), value + 1, `${value}m`);
  if (typeof value === 'string') {
    choices.push(`${value}-x`, '', ...(QUANTITY_FORMS[value] ?? []));
    if (/^\d+$/.test(value)) choices.push(Number(value));
  }
  if (typeof value === 'boolean') choices.push(!value, String(value));
  choices.push(null, {}, []);
  return choices[Math.floor(pick() * choices.length)];
}

const MUTATIONS = ['delete', 'empty', 'scalar', 'reverse', 'duplicate', 'add', 'retype', 'swapItems'] as const;

/** One random difference somewhere in `value` (a copy); its description. */
function mutate(value: Json, pick: () => number): string {
  const spots = containers(value);
  const { at, path } = spots[Math.floor(pick() * spots.length)];
  const kind = MUTATIONS[Math.floor(pick() * MUTATIONS.length)];
  if (Array.isArray(at)) {
    if (at.length === 0) return `${path}: empty list, unchanged`;
    const i = Math.floor(pick() * at.length);
    switch (kind) {
      case 'reverse': at.reverse(); return `${path}: reversed`;
      case 'duplicate': at.push(structuredClone(at[i])); return `${path}: item ${i} duplicated`;
      case 'delete': at.splice(i, 1); return `${path}: item ${i} removed`;
      case 'swapItems': if (at.length > 1) [at[0], at[at.length - 1]] = [at[at.length - 1], at[0]]; return `${path}: first and last swapped`;
      default: {
        const old = at[i];
        at[i] = old !== null && typeof old === 'object' ? (Array.isArray(old) ? [] : {}) : otherScalar(old, pick);
        return `${path}[${i}]: ${JSON.stringify(old)} -> ${JSON.stringify(at[i])}`;
      }
    }
  }
  const keys = Object.keys(at);
  if (kind === 'add' || keys.length === 0) {
    const extra = [null, {}, [], 'x', 1, { a: {} }][Math.floor(pick() * 6)];
    at[`added${Math.floor(pick() * 3)}`] = extra;
    return `${path}: added ${JSON.stringify(extra)}`;
  }
  const key = keys[Math.floor(pick() * keys.length)];
  const old = at[key];
  switch (kind) {
    case 'delete': delete at[key]; return `${path}.${key}: removed`;
    case 'empty': at[key] = [null, {}, []][Math.floor(pick() * 3)]; return `${path}.${key}: emptied to ${JSON.stringify(at[key])}`;
    case 'retype': at[key] = typeof old === 'object' && old !== null ? JSON.stringify(old) : { value: old }; return `${path}.${key}: retyped`;
    default:
      if (old !== null && typeof old === 'object') {
        const inner = mutate(old as Json, pick);
        return inner;
      }
      at[key] = otherScalar(old, pick);
      return `${path}.${key}: ${JSON.stringify(old)} -> ${JSON.stringify(at[key])}`;
  }
}

describe('sameTree, the diff shortcut for equal subtrees', () => {
  const pairs = recordedPairs();

  it('gives the changes of the exhaustive walk on every recorded pair', () => {
    expect(pairs.length).toBeGreaterThan(60);
    let inSync = 0;
    for (const p of pairs) {
      const n = normalizePair(p.desired, p.live, crds);
      const r = bothWays(n.desired, n.live, optionsOf(p.desired));
      expect(r.fast, p.name).toEqual(r.exhaustive);
      if (r.same) {
        inSync++;
        expect(r.exhaustive, p.name).toEqual([]);
      }
    }
    // The point of the shortcut: most recorded pairs (a fresh apply) are decided by it alone.
    expect(inSync).toBeGreaterThan(pairs.length / 2);
  });

  it('gives the changes of the exhaustive walk on 6,000 seeded variations of the recorded pairs', () => {
    const normalized = pairs.map((p) => ({ p, n: normalizePair(p.desired, p.live, crds) }));
    let differing = 0;
    for (let seed = 1; seed <= 6000; seed++) {
      const pick = random(seed);
      const { p, n } = normalized[Math.floor(pick() * normalized.length)];
      const desired = structuredClone(n.desired) as unknown as Json;
      const live = structuredClone(n.live) as unknown as Json;
      const what: string[] = [];
      for (let k = 1 + Math.floor(pick() * 2); k > 0; k--) what.push(pick() < 0.5 ? `desired ${mutate(desired, pick)}` : `live ${mutate(live, pick)}`);
      const r = bothWays(desired, live, optionsOf(p.desired));
      const label = `seed ${seed}, ${p.name}: ${what.join('; ')}`;
      expect(r.fast, label).toEqual(r.exhaustive);
      if (r.same) expect(r.exhaustive, label).toEqual([]);
      if ((r.exhaustive as unknown[]).length) differing++;
    }
    // The variations do reach the walk, not only the shortcut.
    expect(differing).toBeGreaterThan(3000);
  });

  it('takes quantities, int-or-strings and empty values as the walk does, and keyed lists out of order to the walk', () => {
    const deployment = (cpu: string, port: number | string, extra: object = {}) => ({ spec: { template: { spec: { containers: [{ name: 'odoo', ports: [{ containerPort: 8069 }], resources: { requests: { cpu } }, ...extra }] } }, strategy: { rollingUpdate: { maxSurge: port } } } });
    const options = { kind: 'Deployment' };
    expect(sameTree(deployment('1000m', 1), deployment('1', '1'), [], undefined, false)).toBe(true);
    expect(diffObjects(deployment('1000m', 1), deployment('1', '1'), { ...options, exhaustive: true })).toEqual([]);
    expect(sameTree(deployment('1', 1, { env: [] }), deployment('1', 1, { args: null }), [], undefined, false)).toBe(true);
    // Reordered keyed items are equal to the walk; the shortcut leaves them to it.
    const two = (a: string, b: string) => ({ spec: { containers: [{ name: a }, { name: b }] } });
    expect(sameTree(two('a', 'b'), two('b', 'a'), [], undefined, false)).toBe(false);
    expect(diffObjects(two('a', 'b'), two('b', 'a'), options)).toEqual([]);
    // A list key written as another type is a different item to the walk, so never the same here.
    const ports = (port: number | string) => ({ spec: { ports: [{ port, protocol: 'TCP' }] } });
    expect(sameTree(ports(80), ports('80'), [], undefined, false)).toBe(false);
    expect(diffObjects(ports(80), ports('80'), { kind: 'Service' })).toEqual(diffObjects(ports(80), ports('80'), { kind: 'Service', exhaustive: true }));
    expect(diffObjects(ports(80), ports('80'), { kind: 'Service' })).not.toEqual([]);
  });
});

/** `value` frozen all the way down: a write to it throws in strict mode. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('the live side stripped without a copy', () => {
  it('strips pod template annotations and claim template status through copies, keeping key order', () => {
    const live = deepFreeze({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'n', resourceVersion: '1' },
      spec: {
        template: { metadata: { labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now', keep: 'me' }, name: 'x' }, spec: {} },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {}, status: { phase: 'Pending' } }],
      },
      status: { replicas: 1 },
    }) as unknown as KubeObject;
    const shared = stripServerFieldsShared(live) as any;
    expect(shared).toEqual({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'n' },
      spec: {
        template: { metadata: { labels: { a: 'b' }, annotations: { keep: 'me' }, name: 'x' }, spec: {} },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {}, status: { phase: 'Pending' } }],
      },
    });
    expect(Object.keys(shared.spec.template.metadata)).toEqual(['labels', 'annotations', 'name']);
    expect(shared.spec.template.spec).toBe((live as any).spec.template.spec);
    const cron = deepFreeze({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } } } } } } }) as unknown as KubeObject;
    expect(stripServerFieldsShared(cron)).toEqual({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { metadata: {} } } } } });
    const n = normalizePair(live, live, crds);
    expect((n.live.spec as any).volumeClaimTemplates[0].status).toBeUndefined();
  });

  it('never writes a live object: every recorded case gives its findings with live objects frozen', () => {
    for (const name of CASES) {
      const { desired, live } = fixture(name);
      const plain = detectDrift({ desired, live, crds: vendorCrds() });
      const frozen = detectDrift({ desired, live: live.map((o) => deepFreeze(structuredClone(o))), crds: vendorCrds() });
      expect(frozen, name).toEqual(plain);
    }
  });
});
