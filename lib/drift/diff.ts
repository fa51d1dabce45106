/**
 * Field-by-field comparison of a normalized desired object with a normalized live object.
 *
 * Every difference becomes one change at a leaf (a scalar, an atomic list of scalars, or a value
 * whose type differs), so each can be attributed to the field manager owning it. A subtree present
 * on one side only is walked down to its leaves: an env var added live shows as
 * `...env[name=DEBUG].value` (desired undefined), one removed live as `...env[name=X].value`
 * (live undefined). Key fields of an item are part of its path and not repeated as leaves.
 *
 * Equivalences: undefined, null, `{}` and `[]` are all "empty" (the server drops empty values);
 * scalars compare with quantities.ts. Whether a change is drift is decided later (attribution.ts).
 */
import { keyValue, listKindOf, type ListKeys } from './list-keys.ts';
import { sameScalar } from './normalize/quantities.ts';
import { schemaOfItems, schemaOfProperty } from './normalize/crd-defaults.ts';
import { field, fieldNames, index, type Scalar, type Segment } from './path.ts';
import type { SchemaNode } from './types.ts';

export interface RawChange {
  readonly path: readonly Segment[];
  readonly desired: unknown;
  readonly live: unknown;
}

export interface DiffOptions {
  /** Kind of the objects (list keys of built-in kinds depend on it, e.g. Service ports). */
  readonly kind: string;
  /** CRD schema of the objects' version, for list keys and quantity fields of custom resources. */
  readonly schema?: SchemaNode;
  /** The objects are custom resources: lists without a schema-declared key are atomic. */
  readonly custom?: boolean;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObj(value) && Object.keys(value).length === 0;
}

function isScalar(value: unknown): value is Scalar {
  const t = typeof value;
  return value === null || t === 'string' || t === 'number' || t === 'boolean';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function sortedKeys(a: Obj | undefined, b: Obj | undefined): string[] {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
}

class Differ {
  readonly changes: RawChange[] = [];
  constructor(private readonly options: DiffOptions) {}

  walk(desired: unknown, live: unknown, path: Segment[], schema: SchemaNode | undefined, skip?: ReadonlySet<string>): void {
    if (isEmpty(desired) && isEmpty(live)) return;
    // Equal subtrees (most of a normalized object) have no changes: skip building their paths.
    if (typeof desired === 'object' && deepEqual(desired, live)) return;
    const d = isEmpty(desired) ? undefined : desired;
    const l = isEmpty(live) ? undefined : live;
    if ((d === undefined || isObj(d)) && (l === undefined || isObj(l))) {
      this.walkObject(d as Obj | undefined, l as Obj | undefined, path, schema, skip);
    } else if ((d === undefined || Array.isArray(d)) && (l === undefined || Array.isArray(l))) {
      this.walkList((d as unknown[] | undefined) ?? [], (l as unknown[] | undefined) ?? [], path, schema);
    } else if (isScalar(d) && isScalar(l)) {
      if (d !== l && !sameScalar(d, l, fieldNames(path), schema)) this.add(path, d, l);
    } else if (!deepEqual(d, l)) {
      this.add(path, d, l);
    }
  }

  private add(path: readonly Segment[], desired: unknown, live: unknown): void {
    this.changes.push({ path: [...path], desired: desired ?? undefined, live: live ?? undefined });
  }

  private walkObject(d: Obj | undefined, l: Obj | undefined, path: Segment[], schema: SchemaNode | undefined, skip?: ReadonlySet<string>): void {
    const before = this.changes.length;
    for (const key of sortedKeys(d, l)) {
      if (skip?.has(key)) continue;
      this.walk(d?.[key], l?.[key], [...path, field(key)], schemaOfProperty(schema, key));
    }
    // A one-sided list item holding nothing but its key fields: report the item itself.
    if (skip && this.changes.length === before && (d === undefined) !== (l === undefined)) this.add(path, d, l);
  }

  private walkList(d: unknown[], l: unknown[], path: Segment[], schema: SchemaNode | undefined): void {
    const names = fieldNames(path);
    const itemSchema = schemaOfItems(schema);
    const kind = listKindOf(names, this.options.kind, schema, this.options.custom ?? false);
    if (kind.type === 'map' && this.walkKeyed(d, l, path, itemSchema, displayKeys(kind.keys, d, l))) return;
    const scalars = [...d, ...l].every(isScalar);
    if (scalars) {
      const equal = kind.type === 'set'
        ? d.length === l.length && d.every((x) => l.includes(x)) && l.every((x) => d.includes(x))
        : d.length === l.length && d.every((x, i) => sameScalar(x, l[i], names, itemSchema));
      if (!equal) this.add(path, d.length ? d : undefined, l.length ? l : undefined);
      return;
    }
    for (let i = 0; i < Math.max(d.length, l.length); i++) this.walk(d[i], l[i], [...path, index(i)], itemSchema);
  }

  /** Matches items by key; false when keys are missing or not unique (then compared by index). */
  private walkKeyed(d: unknown[], l: unknown[], path: Segment[], itemSchema: SchemaNode | undefined, keys: ListKeys): boolean {
    const byKey = (items: unknown[]): Map<string, Obj> | undefined => {
      const map = new Map<string, Obj>();
      for (const item of items) {
        if (!isObj(item)) return undefined;
        const values = keys.keys.map((k) => keyValue(item, k, keys));
        if (values.some((v) => v === undefined || !isScalar(v))) return undefined;
        const id = JSON.stringify(values);
        if (map.has(id)) return undefined;
        map.set(id, item);
      }
      return map;
    };
    const dm = byKey(d);
    const lm = byKey(l);
    if (!dm || !lm) return false;
    const ids = [...new Set([...dm.keys(), ...lm.keys()])];
    const skip = new Set(keys.keys);
    for (const id of ids) {
      const di = dm.get(id);
      const li = lm.get(id);
      const item = (li ?? di)!;
      const values = JSON.parse(id) as Scalar[];
      const segment: Segment = { kind: 'key', keys: keys.keys.map((k, i) => [k, values[i]] as const), item, ...(keys.defaults ? { defaults: keys.defaults } : {}) };
      // Key fields are equal by construction (defaults included) and part of the path.
      this.walk(di, li, [...path, segment], itemSchema, skip);
    }
    return true;
  }
}

/** Ports show and match by `name` when every port on both sides has a unique one. */
function displayKeys(keys: ListKeys, d: unknown[], l: unknown[]): ListKeys {
  if (!keys.keys.includes('containerPort') && !keys.keys.includes('port')) return keys;
  const named = (items: unknown[]) => {
    const names = items.map((i) => (isObj(i) ? i.name : undefined));
    return names.every((n) => typeof n === 'string' && n !== '') && new Set(names).size === names.length;
  };
  return named(d) && named(l) ? { keys: ['name'] } : keys;
}

/** Leaf changes between two normalized objects, in walk order (keys sorted, lists in order). */
export function diffObjects(desired: unknown, live: unknown, options: DiffOptions): RawChange[] {
  const differ = new Differ(options);
  differ.walk(desired, live, [], options.schema);
  return differ.changes;
}
