/**
 * Deep copy of JSON data (objects, arrays, scalars), as Kubernetes objects are. Several times
 * faster than structuredClone on small objects, which matters when an audit normalizes every
 * object of a fleet.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key in value as Record<string, unknown>) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}
