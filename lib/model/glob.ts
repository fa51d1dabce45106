/**
 * The one glob syntax of tenantctl's settings (waiver objects, drift ignore rules, field-manager
 * names): `*` matches any run of characters, everything else matches itself. Compiled once per
 * pattern, so callers keep the matcher, not the text.
 */
export function globToRegExp(pattern: string, options: { readonly ignoreCase?: boolean } = {}): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, options.ignoreCase ? 'i' : '');
}
