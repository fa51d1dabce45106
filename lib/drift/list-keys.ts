/**
 * How list items are identified: the `x-kubernetes-list-map-keys` of built-in kinds (a table, from
 * the Kubernetes OpenAPI), or of custom resources (read from the CRD schema when given).
 *
 * Lists without keys are compared by index (lists of objects) or as a whole (lists of scalars),
 * which is what the API server does for atomic lists too. Sets (`x-kubernetes-list-type: set`,
 * e.g. finalizers) compare without regard to order.
 */
import type { SchemaNode } from './types.ts';

export interface ListKeys {
  /** Key fields, in display order. */
  readonly keys: readonly string[];
  /** Values a key field takes when absent (ports: protocol TCP). */
  readonly defaults?: Readonly<Record<string, string>>;
}

export type ListKind = { readonly type: 'map'; readonly keys: ListKeys } | { readonly type: 'set' } | { readonly type: 'atomic' };

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const TCP = { protocol: 'TCP' };

/** Built-in list-map keys by field name; `parent` restricts to a parent field. */
const BUILT_IN: ReadonlyArray<{ readonly field: string; readonly parent?: (parent: string | undefined, kind: string) => boolean; readonly keys: ListKeys }> = [
  { field: 'containers', keys: { keys: ['name'] } },
  { field: 'initContainers', keys: { keys: ['name'] } },
  { field: 'ephemeralContainers', keys: { keys: ['name'] } },
  { field: 'env', parent: (p) => p !== undefined && CONTAINER_LISTS.has(p), keys: { keys: ['name'] } },
  { field: 'volumes', parent: (p) => p === 'spec', keys: { keys: ['name'] } },
  { field: 'volumeMounts', keys: { keys: ['mountPath'] } },
  { field: 'volumeDevices', keys: { keys: ['devicePath'] } },
  { field: 'ports', parent: (p) => p !== undefined && CONTAINER_LISTS.has(p), keys: { keys: ['containerPort', 'protocol'], defaults: TCP } },
  { field: 'ports', parent: (p, kind) => p === 'spec' && kind === 'Service', keys: { keys: ['port', 'protocol'], defaults: TCP } },
  { field: 'imagePullSecrets', keys: { keys: ['name'] } },
  { field: 'hostAliases', keys: { keys: ['ip'] } },
  { field: 'topologySpreadConstraints', keys: { keys: ['topologyKey', 'whenUnsatisfiable'] } },
  { field: 'resizePolicy', keys: { keys: ['resourceName'] } },
  { field: 'resourceClaims', keys: { keys: ['name'] } },
  { field: 'claims', parent: (p) => p === 'resources', keys: { keys: ['name'] } },
  { field: 'readinessGates', keys: { keys: ['conditionType'] } },
  { field: 'schedulingGates', keys: { keys: ['name'] } },
  { field: 'conditions', keys: { keys: ['type'] } },
  { field: 'webhooks', parent: (p) => p === undefined, keys: { keys: ['name'] } },
];

const BUILT_IN_SETS = new Set(['finalizers']);

/**
 * The kind of the list at the end of `names` (field names from the root, list items left out).
 * `schema` is the CRD schema node of the list for custom resources; `custom` says the object is
 * one (its lists are atomic unless the schema says otherwise, as for the API server).
 */
export function listKindOf(names: readonly string[], kind: string, schema: SchemaNode | undefined, custom: boolean): ListKind {
  if (schema) {
    const type = schema['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'];
    if (type === 'map' && Array.isArray(keys) && keys.every((k) => typeof k === 'string')) {
      return { type: 'map', keys: { keys: keys as string[], ...(keys.includes('protocol') ? { defaults: TCP } : {}) } };
    }
    if (type === 'set') return { type: 'set' };
    if (type === 'atomic' || custom) return { type: 'atomic' };
  }
  const field = names.at(-1);
  if (field === undefined) return { type: 'atomic' };
  if (names.length === 2 && names[0] === 'metadata' && BUILT_IN_SETS.has(field)) return { type: 'set' };
  if (custom) return { type: 'atomic' };
  const parent = names.at(-2);
  const hit = BUILT_IN.find((e) => e.field === field && (!e.parent || e.parent(parent, kind)));
  return hit ? { type: 'map', keys: hit.keys } : { type: 'atomic' };
}

/** The value of key field `key` of an item, with its default. */
export function keyValue(item: Readonly<Record<string, unknown>>, key: string, keys: ListKeys): unknown {
  return item[key] ?? keys.defaults?.[key];
}
