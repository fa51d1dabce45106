/**
 * Factors repeated subschemas out of one schema into `definitions`, so ajv compiles each of them
 * once. Some CRDs repeat large subtrees many times: Argo CD's ApplicationSet inlines the Application
 * template and every generator again under `matrix` and `merge` (9,000 schema nodes, 230 distinct),
 * and compiling it took ~0.9 s. Validation is the same: a `$ref` to an identical copy.
 *
 * Pure: a schema in, a new schema out. Nodes inside `allOf`/`anyOf`/`oneOf`/`not` stay where they
 * are (a combinator moves only as a whole), so the errors of a combinator's branches keep schema
 * paths under the combinator's own, which lib/validate/messages.ts folds into one finding.
 */
import type { JsonSchema } from './strict-schema.ts';

export interface ShareOptions {
  /** Only subschemas of at least this many characters of JSON are shared. @default 256 */
  readonly minSize?: number;
  /** Prefix of their names under `definitions`. @default 'tenantctl.shared.' */
  readonly prefix?: string;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `schema` (one level) with `f` applied to each subschema that may be shared: values of
 * `properties` and `patternProperties`, `items`, `additionalProperties`. Anything else is kept as is.
 */
function mapChildren(schema: JsonSchema, f: (child: JsonSchema) => unknown): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(keyword) && isSchema(value)) {
      const map: JsonSchema = {};
      for (const [name, sub] of Object.entries(value)) map[name] = isSchema(sub) ? f(sub) : sub;
      out[keyword] = map;
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && isSchema(value)) {
      out[keyword] = f(value);
    } else if (keyword === 'items' && Array.isArray(value)) {
      out[keyword] = value.map((sub) => (isSchema(sub) ? f(sub) : sub));
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

/**
 * `schema` with every subschema that occurs more than once (and is at least `minSize` characters of
 * JSON) replaced by a `$ref` to one copy under `definitions`. Returns `schema` itself when nothing
 * repeats, or when it has `definitions` or `$defs` of its own.
 */
export function shareRepeatedSubschemas(schema: JsonSchema, options: ShareOptions = {}): JsonSchema {
  if ('definitions' in schema || '$defs' in schema) return schema;
  const minSize = options.minSize ?? 256;
  const prefix = options.prefix ?? 'tenantctl.shared.';

  // Identify subtrees bottom-up: a node's key is its JSON with each child replaced by the child's id,
  // so equal ids mean equal JSON. Sizes approximate the JSON length of the whole subtree.
  const keys = new Map<string, number>();
  const idOf = new Map<JsonSchema, number>();
  const sizeOf = new Map<JsonSchema, number>();
  const identify = (node: JsonSchema): number => {
    let id = idOf.get(node);
    if (id !== undefined) return id;
    let size = 0;
    const key = JSON.stringify(
      mapChildren(node, (child) => {
        const childId = identify(child);
        size += sizeOf.get(child)!;
        return `\u0000${childId}`;
      }),
    );
    size += key.length;
    id = keys.get(key);
    if (id === undefined) {
      id = keys.size;
      keys.set(key, id);
    }
    idOf.set(node, id);
    sizeOf.set(node, size);
    return id;
  };
  identify(schema);

  // Occurrences of each subtree; inside a repeated one, counted once, as its copies become one.
  const occurrences = new Map<number, number>();
  const count = (node: JsonSchema): void => {
    mapChildren(node, (child) => {
      if (sizeOf.get(child)! < minSize) {
        count(child);
        return child;
      }
      const id = idOf.get(child)!;
      const seen = occurrences.get(id) ?? 0;
      occurrences.set(id, seen + 1);
      if (seen === 0) count(child);
      return child;
    });
  };
  count(schema);
  if (![...occurrences.values()].some((n) => n > 1)) return schema;

  const definitions: Record<string, JsonSchema> = {};
  const names = new Map<number, string>();
  const rewrite = (node: JsonSchema): JsonSchema =>
    mapChildren(node, (child) => {
      const id = idOf.get(child)!;
      if (sizeOf.get(child)! < minSize || (occurrences.get(id) ?? 0) < 2) return rewrite(child);
      let name = names.get(id);
      if (name === undefined) {
        name = `${prefix}${names.size}`;
        names.set(id, name);
        definitions[name] = rewrite(child);
      }
      return { $ref: `#/definitions/${name}` };
    });
  return { ...rewrite(schema), definitions };
}
