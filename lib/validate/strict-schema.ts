/**
 * Turns upstream OpenAPI schemas (Kubernetes definitions, CRD openAPIV3Schema) into the strict
 * JSON schemas we validate against, the way `kubeconform -strict` and its openapi2jsonschema do:
 * unknown fields are errors, int-or-string and nullable become JSON-schema types, and the
 * metadata of custom resources is checked against the real ObjectMeta.
 *
 * Pure: schemas in, schemas out. Walks schema keywords only, never property names, so a
 * property called `pattern` or `nullable` (JSONSchemaProps has both) is left alone.
 */

export type JsonSchema = { [keyword: string]: unknown };

/** Formats Kubernetes schemas use; the validator registers each of them. */
export const KUBERNETES_FORMATS = ['int32', 'int64', 'double', 'float', 'byte', 'date-time', 'quantity', 'int-or-string'] as const;

/** Definition names whose shape we adjust beyond the generic rules. */
export const QUANTITY_DEFINITION = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING_DEFINITION = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const OBJECT_META_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Keywords that only document or drive server-side behaviour; dropping them keeps compiled code small. */
const DOCUMENTATION = new Set(['description', 'default', 'example', 'externalDocs', 'title']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const KNOWN_FORMATS: ReadonlySet<string> = new Set(KUBERNETES_FORMATS);

export interface StrictOptions {
  /** `$ref` of ObjectMeta, used for the `metadata` of custom resources and embedded resources. */
  readonly objectMetaRef?: string;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** `anyOf: [{type: integer}, {type: string}]` and the like: the branches only name the two types. */
function isIntOrStringBranches(branches: unknown): boolean {
  return (
    Array.isArray(branches) &&
    branches.every((b) => isSchema(b) && (b.type === 'integer' || b.type === 'string') && Object.keys(b).every((k) => k === 'type' || DOCUMENTATION.has(k)))
  );
}

function withNull(schema: JsonSchema): void {
  const type = schema.type;
  if (typeof type === 'string') schema.type = [type, 'null'];
  else if (Array.isArray(type) && !type.includes('null')) schema.type = [...type, 'null'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
}

/** ObjectMeta, plus whatever the CRD adds on top (some restrict `name`), without forbidding anything. */
function embeddedMetadata(metadata: JsonSchema, ref: string): JsonSchema {
  const extra = { ...metadata };
  delete extra.additionalProperties;
  delete extra.type;
  return Object.keys(extra).length === 0 ? { $ref: ref } : { allOf: [{ $ref: ref }, extra] };
}

/**
 * Strict copy of one schema node and everything under it.
 * `resourceRoot`: the node describes a whole Kubernetes object (CRD root or embedded resource).
 */
export function strictSchema(schema: JsonSchema, options: StrictOptions = {}, resourceRoot = false): JsonSchema {
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword.startsWith('x-') || DOCUMENTATION.has(keyword) || keyword === 'nullable') continue;
    if (SCHEMA_MAPS.has(keyword) && isSchema(value)) {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? strictSchema(sub, options) : sub]));
    } else if (SCHEMA_LISTS.has(keyword) && Array.isArray(value)) {
      out[keyword] = value.map((sub) => (isSchema(sub) ? strictSchema(sub, options) : sub));
    } else if ((keyword === 'items' || keyword === 'not' || keyword === 'additionalProperties') && isSchema(value)) {
      out[keyword] = strictSchema(value, options);
    } else if (keyword === 'items' && Array.isArray(value)) {
      out[keyword] = value.map((sub) => (isSchema(sub) ? strictSchema(sub, options) : sub));
    } else if (keyword === 'pattern') {
      // Go RE2 patterns are nearly always valid JavaScript; one that is not is skipped rather than fatal.
      if (typeof value === 'string' && compiles(value)) out[keyword] = value;
    } else if (keyword === 'format') {
      if (typeof value === 'string' && KNOWN_FORMATS.has(value)) out[keyword] = value;
    } else {
      out[keyword] = value;
    }
  }

  if (schema['x-kubernetes-int-or-string'] === true) {
    if (isIntOrStringBranches(out.anyOf)) delete out.anyOf;
    if (isIntOrStringBranches(out.oneOf)) delete out.oneOf;
    out.type = ['integer', 'string'];
  }
  if (schema.nullable === true) withNull(out);

  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (isSchema(out.properties) && !('additionalProperties' in schema) && !preserve) out.additionalProperties = false;

  const embedded = resourceRoot || schema['x-kubernetes-embedded-resource'] === true;
  if (embedded && options.objectMetaRef && isSchema(out.properties) && isSchema(out.properties.metadata)) {
    out.properties = { ...out.properties, metadata: embeddedMetadata(out.properties.metadata, options.objectMetaRef) };
  }
  return out;
}

/**
 * Strict copy of the Kubernetes definitions map (`_definitions.json`), with the special types
 * expressed precisely: Quantity is a number or a quantity string, IntOrString an integer or a
 * string, and Time may be null (`creationTimestamp: null` is what kubectl prints for new objects).
 */
export function strictDefinitions(definitions: Readonly<Record<string, JsonSchema>>): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(definitions)) out[name] = strictSchema(schema);
  if (out[QUANTITY_DEFINITION]) out[QUANTITY_DEFINITION] = { type: ['string', 'number'], format: 'quantity' };
  if (out[INT_OR_STRING_DEFINITION]) out[INT_OR_STRING_DEFINITION] = { type: ['integer', 'string'] };
  if (out[TIME_DEFINITION]) out[TIME_DEFINITION] = { type: ['string', 'null'], format: 'date-time' };
  return out;
}
