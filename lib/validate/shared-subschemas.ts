/**
 * Factors repeated subschemas out of one schema into `definitions`, so ajv compiles each of them
 * once. Some CRDs repeat large subtrees many times: Argo CD's ApplicationSet inlines the Application
 * template and every generator again under `matrix` and `merge`, and compiling it took ~0.9 s;
 * shared, it compiles in a fraction of that. Validation is the same (a `$ref` to an identical copy).
 *
 * Pure: a schema in, a schema out. Nodes inside `allOf`/`anyOf`/`oneOf`/`not` stay where they are
 * (a combinator may still move as a whole), so that the errors of a combinator's branches keep
 * schema paths under the combinator's own, which lib/validate/messages.ts folds into one finding.
 */
import type { JsonSchema } from './strict-schema.ts';

export interface ShareOptions {
  /** Only subschemas whose JSON is at least this long are shared. @default 256 */
  readonly minSize?: number;
  /** Prefix of the names under `definitions`. @default 'tenantctl.shared.' */
  readonly prefix?: string;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);
const COMBINATORS = new Set(['allOf', 'anyOf', 'oneOf', 'not']);

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit` for each direct subschema of `schema` that may be shared, with where it sits. */
function children(schema: JsonSchema, visit: (child: JsonSchema, replace: (by: JsonSchema) => void) => void): void {
  for (const [keyword, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(keyword) && isSchema(value)) {
      for (const [name, sub] of Object.entries(value)) if (isSchema(sub)) visit(sub, (by) => ((value as JsonSchema)[name] = by));
    } else if ((keyword === 'items' || keyword === 'additionalProperties') && isSchema(value)) {
      visit(value, (by) => (schema[keyword] = by));
    } else if (keyword === 'items' && Array.isArray(value)) {
      value.forEach((sub, i) => {
        if (isSchema(sub)) visit(sub, (by) => (value[i] = by));
      });
    }
    // Combinators and anything else: not descended into.
    else if (COMBINATORS.has(keyword)) continue;
  }
}

/**
 * `schema` with every subschema that occurs more than once (and is at least `minSize` long as JSON)
 * replaced by a `$ref` to one copy under `definitions`. Returns `schema` itself when nothing repeats,
 * or when it already has `definitions`.
 */
export function shareRepeatedSubschemas(schema: JsonSchema, options: ShareOptions = {}): JsonSchema {
  if ('definitions' in schema || '$defs' in schema) return schema;
  const minSize = options.minSize ?? 256;
  const prefix = options.prefix ?? 'tenantctl.shared.';

  // The JSON of every subschema, bottom-up: equal JSON, equal subschema.
  const json = new Map<JsonSchema, string>();
  const jsonOf = (node: JsonSchema): string => {
    let text = json.get(node);
    if (text === undefined) {
      text = JSON.stringify(node);
      json.set(node, text);
    }
    return text;
  };
  const occurrences = new Map<string, number>();
  const count = (node: JsonSchema): void => {
    children(node, (child) => {
      const text = jsonOf(child);
      if (text.length < minSize) return;
      const seen = occurrences.get(text) ?? 0;
      occurrences.set(text, seen + 1);
      // Inside a repeated subschema, count once: its copies become one.
      if (seen === 0) count(child);
    });
  };
  count(schema);
  if (![...occurrences.values()].some((n) => n > 1)) return schema;

  const definitions: Record<string, JsonSchema> = {};
  const names = new Map<string, string>();
  const rewrite = (node: JsonSchema): JsonSchema => {
    const copy = structuredClone(node);
    children(copy, (child, replace) => {
      const text = jsonOf(child) ?? JSON.stringify(child);
      if (text.length >= minSize && (occurrences.get(text) ?? 0) > 1) {
        let name = names.get(text);
        if (name === undefined) {
          name = `${prefix}${names.size}`;
          names.set(text, name);
          definitions[name] = rewrite(child);
        }
        replace({ $ref: `#/definitions/${name}` });
      } else {
        replace(rewrite(child));
      }
    });
    return copy;
  };
  return { ...rewrite(schema), definitions };
}
