/**
 * Scalar equality as the API server sees it: the server stores quantities canonically (`1000m`
 * comes back as `1`, `1024Mi` as `1Gi`, a YAML number `cpu: 2` as the string `"2"`), and keeps
 * int-or-string fields as sent (so `8069` and `"8069"` only differ in type).
 *
 * Quantities are compared by value only where a quantity belongs: under resource lists
 * (`requests`, `limits`, `hard`, LimitRange `max`...) or in size fields (`sizeLimit`, `storage`,
 * CNPG `size`), or where a CRD schema marks the field as int-or-string with the quantity pattern.
 * Elsewhere `"1"` and `"1000m"` are different strings (an env var value, for one).
 */
import { parseQuantity } from '../../model/quantity.ts';
import type { SchemaNode } from '../types.ts';

/** Maps whose values are quantities (ResourceList and friends). */
const QUANTITY_MAPS = new Set([
  'requests', 'limits', 'hard', 'used', 'capacity', 'allocatable', 'overhead',
  'default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio',
]);

/** Fields that are quantities themselves. */
const QUANTITY_FIELDS = new Set(['sizeLimit', 'storage', 'size', 'shm', 'walSize']);

/** Int-or-string fields of built-in kinds: ports by number or name, surge/unavailable counts. */
const INT_OR_STRING_FIELDS = new Set(['port', 'targetPort', 'maxSurge', 'maxUnavailable', 'minAvailable']);

/** The pattern kubebuilder puts on resource.Quantity fields of CRDs. */
const CRD_QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export function isQuantityField(names: readonly string[], schema?: SchemaNode): boolean {
  if (schema && schema['x-kubernetes-int-or-string'] === true && schema.pattern === CRD_QUANTITY_PATTERN) return true;
  const leaf = names.at(-1);
  const parent = names.at(-2);
  return (leaf !== undefined && QUANTITY_FIELDS.has(leaf)) || (parent !== undefined && QUANTITY_MAPS.has(parent));
}

function isIntOrString(names: readonly string[], schema?: SchemaNode): boolean {
  if (schema && schema['x-kubernetes-int-or-string'] === true) return true;
  const leaf = names.at(-1);
  return leaf !== undefined && INT_OR_STRING_FIELDS.has(leaf);
}

/** Same quantity: `1000m`/`1`/`1.0`/1, `1024Mi`/`1Gi`. Undefined when either is not a quantity. */
export function sameQuantity(a: string | number, b: string | number): boolean | undefined {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return undefined;
  if (x === y) return true;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/**
 * Are two leaf values equal? `names` are the field names on the way (list items left out),
 * `schema` the CRD schema node of the field when known.
 */
export function sameScalar(desired: unknown, live: unknown, names: readonly string[], schema?: SchemaNode): boolean {
  if (desired === live) return true;
  const comparable = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';
  if (!comparable(desired) || !comparable(live)) return false;
  if (isQuantityField(names, schema)) return sameQuantity(desired, live) ?? false;
  if (isIntOrString(names, schema) && typeof desired !== typeof live) return String(desired) === String(live);
  return false;
}
