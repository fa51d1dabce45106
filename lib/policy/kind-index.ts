/**
 * Objects of a cluster by kind, indexed once per object list: thirty policies ask for a few kinds
 * each of the same 17,000 objects, and none of them scans the whole list. The list must not change
 * after it is indexed (policy contexts are read-only).
 */
import { groupOf, type KubeObject } from '../model/resource.ts';

/** Objects by kind, per object list: every policy asks for a few kinds of the same list. */
const byKindCache = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();

function byKind(objects: readonly KubeObject[]): Map<string, KubeObject[]> {
  let index = byKindCache.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      const list = index.get(o.kind);
      if (list) list.push(o);
      else index.set(o.kind, [o]);
    }
    byKindCache.set(objects, index);
  }
  return index;
}

const NONE: readonly KubeObject[] = [];

/**
 * Objects of one kind, optionally of one API group (`''` is the core group). Indexed once per
 * list, so that 30 policies over a 50,000-object cluster do not each scan it whole; the list must
 * not change afterwards (policy contexts are read-only).
 */
export function ofKind(objects: readonly KubeObject[], kind: string, group?: string): KubeObject[] {
  const same = byKind(objects).get(kind) ?? NONE;
  return group === undefined ? [...same] : same.filter((o) => groupOf(o.apiVersion) === group);
}

/** Positions in an object list, to merge lists of several kinds back into the list's order. */
const positionCache = new WeakMap<readonly KubeObject[], Map<KubeObject, number>>();

/**
 * The objects of `kinds` that `accept` keeps, in the order of `objects`: what
 * `objects.filter((o) => kinds.includes(o.kind) && accept(o))` gives, from the kind index.
 */
export function selectKinds(objects: readonly KubeObject[], kinds: readonly string[], accept: (o: KubeObject) => boolean): KubeObject[] {
  const index = byKind(objects);
  const out: KubeObject[] = [];
  let lists = 0;
  for (const kind of kinds) {
    const list = index.get(kind);
    if (!list) continue;
    lists++;
    for (const o of list) if (accept(o)) out.push(o);
  }
  if (lists < 2 || out.length < 2) return out;
  let positions = positionCache.get(objects);
  if (!positions) {
    positions = new Map();
    for (let i = 0; i < objects.length; i++) if (!positions.has(objects[i])) positions.set(objects[i], i);
    positionCache.set(objects, positions);
  }
  const at = positions;
  return out.sort((a, b) => at.get(a)! - at.get(b)!);
}

