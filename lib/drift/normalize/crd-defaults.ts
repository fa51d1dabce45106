/**
 * CRD `default`s applied offline, the gap no anchor closes: the API server fills `default` values
 * of a CRD's structural schema on every read and write, so a desired custom resource that leaves
 * them out is not drifted from the live one that has them. Argo CD's legacy diff cannot see them
 * (argo-cd#11139); here the CRD schemas are input data (e.g. vendor/crds or the cluster's CRDs).
 *
 * Semantics follow apiextensions-apiserver's structural defaulting: walking the object top-down,
 * a property absent from an object (or null while not nullable) gets a deep copy of its `default`,
 * and the walk continues into it, so defaults nested in a defaulted object apply too. Array items
 * and `additionalProperties` values are walked with their schema. Only properties and items carry
 * defaults in structural schemas (not allOf/anyOf/oneOf branches).
 */
import { groupOf } from '../../model/resource.ts';
import type { CrdSchema, SchemaNode } from '../types.ts';
import { cloneJson } from './clone.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is SchemaNode {
  return isRecord(value);
}

/** The schema of property `name` of an object schema, or of its additionalProperties. */
export function schemaOfProperty(schema: SchemaNode | undefined, name: string): SchemaNode | undefined {
  if (!schema) return undefined;
  const props = schema.properties;
  if (isRecord(props) && isSchema(props[name])) return props[name];
  const extra = schema.additionalProperties;
  return isSchema(extra) ? extra : undefined;
}

/** The schema of the items of an array schema. */
export function schemaOfItems(schema: SchemaNode | undefined): SchemaNode | undefined {
  return schema && isSchema(schema.items) ? schema.items : undefined;
}

/** CRD schemas by `group/kind`, each version kept. */
export interface CrdIndex {
  /** The schema for an apiVersion and kind: its version if known, else the first version given. */
  schemaFor(apiVersion: string, kind: string): SchemaNode | undefined;
}

export function indexCrds(crds: readonly CrdSchema[] = []): CrdIndex {
  const byKind = new Map<string, Map<string, SchemaNode>>();
  for (const crd of crds) {
    const key = `${crd.group}/${crd.kind}`;
    const versions = byKind.get(key) ?? new Map<string, SchemaNode>();
    if (!versions.has(crd.version)) versions.set(crd.version, crd.schema);
    byKind.set(key, versions);
  }
  return {
    schemaFor(apiVersion, kind) {
      const versions = byKind.get(`${groupOf(apiVersion)}/${kind}`);
      if (!versions) return undefined;
      const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
      return versions.get(version) ?? versions.values().next().value;
    },
  };
}

/** Fills `default`s into `value` in place, following `schema`. */
export function applySchemaDefaults(value: unknown, schema: SchemaNode | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = schemaOfItems(schema);
    if (items) for (const item of value) applySchemaDefaults(item, items);
    return;
  }
  if (!isRecord(value)) return;
  const props = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, prop] of Object.entries(props)) {
    if (!isSchema(prop) || prop.default === undefined) continue;
    if (value[name] === null && prop.nullable !== true) delete value[name];
    if (!(name in value)) value[name] = cloneJson(prop.default);
  }
  for (const [name, child] of Object.entries(value)) applySchemaDefaults(child, schemaOfProperty(schema, name));
}

/**
 * A copy of a custom resource with its CRD's defaults filled in (metadata untouched). Objects
 * whose kind has no schema in the index come back unchanged.
 */
export function applyCrdDefaults<T extends { apiVersion: string; kind: string }>(obj: T, crds: CrdIndex): T {
  return crds.schemaFor(obj.apiVersion, obj.kind) ? fillCrdDefaults(cloneJson(obj), crds) : obj;
}

/** applyCrdDefaults in place, for a copy the caller owns. */
export function fillCrdDefaults<T extends { apiVersion: string; kind: string }>(obj: T, crds: CrdIndex): T {
  const schema = crds.schemaFor(obj.apiVersion, obj.kind);
  if (!schema) return obj;
  const copy = obj as unknown as Record<string, unknown>;
  for (const [name, child] of Object.entries(copy)) {
    if (name === 'metadata' || name === 'apiVersion' || name === 'kind') continue;
    const prop = schemaOfProperty(schema, name);
    applySchemaDefaults(child, prop);
  }
  const props = isRecord(schema.properties) ? schema.properties : {};
  for (const [name, prop] of Object.entries(props)) {
    if (name === 'metadata' || name === 'status' || !isSchema(prop) || prop.default === undefined || name in copy) continue;
    const filled = cloneJson(prop.default);
    applySchemaDefaults(filled, prop);
    copy[name] = filled;
  }
  return copy as T;
}
