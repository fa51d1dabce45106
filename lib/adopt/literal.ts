/**
 * Values as TypeScript source text in the style of the tenant file being edited: strings in its
 * quotes, lists and objects inline (`['203.0.113.0/24']`, `{ average: 300, burst: 600 }`), a list
 * that was laid out one item per line kept that way.
 */

/** How the edited file writes values, so a new literal looks like its neighbours. */
export interface LiteralStyle {
  /** `'` or `"`. */
  readonly quote: string;
  /**
   * Lay a list out one item per line: the indentation of the items and of the closing bracket.
   * @default inline
   */
  readonly multiLine?: { readonly itemIndent: string; readonly closeIndent: string; readonly trailingComma: boolean };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A `{...}` value: written key by key into an existing object instead of replacing it. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `s` in `quote`s, escaped, as the file would write it. */
function stringLiteral(s: string, quote: string): string {
  const escaped = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').split(quote).join(`\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/** A property name as written: bare when it is an identifier, quoted otherwise (`'pre-prod'`). */
export function propertyName(name: string | number, quote: string): string {
  return typeof name === 'number' || IDENTIFIER.test(name) ? String(name) : stringLiteral(name, quote);
}

/** `value` as source text; throws on values a tenant file cannot hold (functions, undefined, NaN). */
export function literal(value: unknown, style: LiteralStyle): string {
  if (typeof value === 'string') return stringLiteral(value, style.quote);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} into a tenant file`);
    return String(value);
  }
  if (typeof value === 'boolean' || value === null) return String(value);
  const inline: LiteralStyle = { quote: style.quote };
  if (Array.isArray(value)) {
    const items = value.map((v) => literal(v, inline));
    const m = style.multiLine;
    if (!m || items.length === 0) return `[${items.join(', ')}]`;
    return `[\n${items.map((i) => `${m.itemIndent}${i}`).join(',\n')}${m.trailingComma ? ',' : ''}\n${m.closeIndent}]`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${propertyName(k, style.quote)}: ${literal(v, inline)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  throw new Error(`cannot write a ${typeof value} into a tenant file`);
}

/** `{ a: { b: value } }` for the rest of a path that does not exist yet, as the value of its first key. */
export function nestedLiteral(path: readonly (string | number)[], value: unknown, style: LiteralStyle): string {
  if (path.length === 0) return literal(value, style);
  const [head, ...rest] = path;
  return `{ ${propertyName(head, style.quote)}: ${nestedLiteral(rest, value, { quote: style.quote })} }`;
}
