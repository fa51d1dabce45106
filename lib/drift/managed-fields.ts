/**
 * `metadata.managedFields`: which field manager owns which field of a live object.
 *
 * Each entry's `fieldsV1` is a tree: `f:<field>` for object fields, `k:{"name":"odoo"}` for list
 * items by key, `v:<json>` for set members, `i:<n>` for items by index, `.` for the node itself.
 * A node without children is a leaf: the manager owns that field and everything under it (atomic
 * lists and maps, scalars).
 *
 * Facts this relies on (checked against kube-apiserver 1.37, see test/drift/fixtures/record.ts):
 * - server-side Apply owns exactly the applied fields, including zero values the server then drops
 *   (`readOnly: false`); fields the server defaults are owned by nobody;
 * - Update (create, edit, patch, scale, client-side apply) owns every field it sent, defaults included;
 * - a field removed by an Update disappears from every manager's set, and the remover is not recorded;
 * - a write through the scale subresource records an owner of spec.replicas only when somebody
 *   owned it before (kubectl scale of applied replicas: `kubectl`, subresource `scale`); an HPA
 *   scaling a Deployment whose manifest omits replicas leaves the field unowned.
 */
import type { KubeObject } from '../model/resource.ts';
import { formatPath, type Scalar, type Segment } from './path.ts';
import type { ChangedBy } from './types.ts';

interface FieldSetNode {
  readonly [key: string]: FieldSetNode;
}

interface Entry {
  readonly owner: ChangedBy;
  readonly fields: FieldSetNode;
}

export interface ManagedFieldsIndex {
  /** False when the object has no managedFields: ownership cannot be told. */
  readonly tracked: boolean;
  /** Every manager entry, oldest first (entries without a time last). */
  readonly entries: readonly ChangedBy[];
  /**
   * Managers owning the field at `path` or, unless `exact`, an atomic ancestor of it (a manager
   * owning an atomic list owns every field of its items, defaults included).
   */
  ownersOf(path: readonly Segment[], exact?: boolean): ChangedBy[];
}

interface RawEntry {
  manager?: unknown;
  operation?: unknown;
  time?: unknown;
  subresource?: unknown;
  fieldsType?: unknown;
  fieldsV1?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entriesOf(obj: Pick<KubeObject, 'metadata'>): Entry[] {
  const raw = obj.metadata.managedFields;
  if (!Array.isArray(raw)) return [];
  const out: Entry[] = [];
  for (const e of raw as RawEntry[]) {
    if (!isRecord(e) || typeof e.manager !== 'string') continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    const owner: ChangedBy = {
      manager: e.manager,
      operation: typeof e.operation === 'string' ? e.operation : 'Update',
      ...(typeof e.time === 'string' ? { time: e.time } : {}),
      ...(typeof e.subresource === 'string' && e.subresource ? { subresource: e.subresource } : {}),
    };
    out.push({ owner, fields: isRecord(e.fieldsV1) ? (e.fieldsV1 as unknown as FieldSetNode) : {} });
  }
  return out;
}

/** Oldest first; entries without a time (scale writes) after those with one, in input order. */
function byTime(a: ChangedBy, b: ChangedBy): number {
  if (a.time === b.time) return 0;
  if (a.time === undefined) return 1;
  if (b.time === undefined) return -1;
  return a.time < b.time ? -1 : 1;
}

function parseKey(key: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(key.slice(2));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Does `k:{...}` select this item? Every key field must be equal. */
function keySelects(key: string, item: Readonly<Record<string, unknown>>): boolean {
  const fields = parseKey(key);
  return !!fields && Object.entries(fields).every(([k, v]) => item[k] === v);
}

function childFor(node: FieldSetNode, segment: Segment): FieldSetNode | undefined {
  switch (segment.kind) {
    case 'field':
      return node[`f:${segment.name}`];
    case 'index':
      return node[`i:${segment.index}`];
    case 'key': {
      const match = Object.keys(node).find((k) => k.startsWith('k:') && keySelects(k, segment.item));
      return match === undefined ? undefined : node[match];
    }
  }
}

function owns(fields: FieldSetNode, path: readonly Segment[], exact: boolean): boolean {
  let node: FieldSetNode = fields;
  for (let i = 0; i < path.length; i++) {
    const child = childFor(node, path[i]);
    if (child === undefined) return false;
    // A leaf before the end of the path: the manager owns the whole (atomic) subtree.
    if (Object.keys(child).length === 0) return i === path.length - 1 || !exact;
    node = child;
  }
  return true;
}

export function indexManagedFields(obj: Pick<KubeObject, 'metadata'>): ManagedFieldsIndex {
  const entries = entriesOf(obj);
  const ordered = entries.map((e) => e.owner).sort(byTime);
  return {
    tracked: entries.length > 0,
    entries: ordered,
    ownersOf: (path, exact = false) => entries.filter((e) => path.length > 0 && owns(e.fields, path, exact)).map((e) => e.owner).sort(byTime),
  };
}

function formatFieldSetKey(key: string): Segment | undefined {
  if (key.startsWith('f:')) return { kind: 'field', name: key.slice(2) };
  if (key.startsWith('i:')) return { kind: 'index', index: Number(key.slice(2)) };
  if (key.startsWith('k:')) {
    const fields = parseKey(key) ?? {};
    return { kind: 'key', keys: Object.entries(fields) as Array<[string, Scalar]>, item: fields };
  }
  return undefined;
}

/** One field a manager owns and nothing under it is owned separately: a scalar, an atomic list or map. */
export interface OwnedLeaf {
  readonly path: readonly Segment[];
  readonly owner: ChangedBy;
}

/** Every owned leaf with its owner; set members (`v:`) are left out (they have no segment). */
export function ownedLeaves(obj: Pick<KubeObject, 'metadata'>): OwnedLeaf[] {
  const out: OwnedLeaf[] = [];
  for (const { owner, fields } of entriesOf(obj)) {
    const walk = (node: FieldSetNode, prefix: Segment[]) => {
      const keys = Object.keys(node).filter((k) => k !== '.');
      if (keys.length === 0) {
        if (prefix.length) out.push({ path: prefix, owner });
        return;
      }
      for (const k of keys) {
        const seg = formatFieldSetKey(k);
        if (seg) walk(node[k], [...prefix, seg]);
      }
    };
    walk(fields, []);
  }
  return out;
}

/**
 * Every owned leaf as a dotted path with its owners, e.g.
 * `spec.template.spec.containers[name=odoo].env[name=DEBUG].value` → kubectl-edit. Set members
 * (`v:`) show as `[=value]`. For reports and debugging; the engine uses ownersOf.
 */
export function managedPaths(obj: Pick<KubeObject, 'metadata'>): Map<string, ChangedBy[]> {
  const out = new Map<string, ChangedBy[]>();
  const add = (path: string, owner: ChangedBy) => out.set(path, [...(out.get(path) ?? []), owner]);
  for (const { owner, fields } of entriesOf(obj)) {
    const walk = (node: FieldSetNode, prefix: Segment[], text: string) => {
      const keys = Object.keys(node).filter((k) => k !== '.');
      if (keys.length === 0) {
        if (text) add(text, owner);
        return;
      }
      for (const k of keys) {
        if (k.startsWith('v:')) {
          add(`${text}[=${k.slice(2)}]`, owner);
          continue;
        }
        const seg = formatFieldSetKey(k);
        if (!seg) continue;
        const next = [...prefix, seg];
        walk(node[k], next, formatPath(next));
      }
    };
    walk(fields, [], '');
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
