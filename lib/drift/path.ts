/**
 * Field paths: the structured form the diff walks with (Segment[]) and the dotted text findings
 * carry (`spec.template.spec.containers[name=odoo].env[name=DEBUG].value`).
 *
 * Text form:
 * - fields: `.name`; names that are not plain identifiers in JSON quotes: `labels["app.kubernetes.io/name"]`
 * - list items by key: `[name=odoo]`, composite `[containerPort=8069,protocol=TCP]`; string values
 *   holding `]`, `,`, `=`, `"` or spaces are JSON-quoted: `[mountPath="/a b"]`
 * - list items without a key: `[2]`
 */

export type Scalar = string | number | boolean | null;

export type Segment =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | {
      readonly kind: 'key';
      /** Key fields and values, in display order. */
      readonly keys: ReadonlyArray<readonly [string, Scalar]>;
      /** The item itself (live side when present): managedFields keys are matched against it. */
      readonly item: Readonly<Record<string, unknown>>;
      /** Values key fields take when absent (ports: protocol TCP). */
      readonly defaults?: Readonly<Record<string, Scalar>>;
    };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const PLAIN_KEY_VALUE = /^[^\]\[,="\s]+$/;

export function field(name: string): Segment {
  return { kind: 'field', name };
}

export function index(i: number): Segment {
  return { kind: 'index', index: i };
}

function formatKeyValue(value: Scalar): string {
  if (typeof value === 'string') return PLAIN_KEY_VALUE.test(value) ? value : JSON.stringify(value);
  return String(value);
}

export function formatSegment(segment: Segment, first: boolean): string {
  switch (segment.kind) {
    case 'field':
      if (IDENTIFIER.test(segment.name)) return first ? segment.name : `.${segment.name}`;
      return `[${JSON.stringify(segment.name)}]`;
    case 'index':
      return `[${segment.index}]`;
    case 'key':
      return `[${segment.keys.map(([k, v]) => `${k}=${formatKeyValue(v)}`).join(',')}]`;
  }
}

export function formatPath(segments: readonly Segment[]): string {
  return segments.map((s, i) => formatSegment(s, i === 0)).join('');
}

/** The names of the field segments only: what list-key and quantity tables look at. */
export function fieldNames(segments: readonly Segment[]): string[] {
  return segments.flatMap((s) => (s.kind === 'field' ? [s.name] : []));
}

/**
 * A path or pattern in tokens: `f:<name>` for fields, `[...]` (as written, quotes kept) for list
 * items. Throws on text that is not a path, naming the position.
 */
export function tokenizePath(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      if (i === 0 || i === text.length - 1) throw new Error(`bad path ${JSON.stringify(text)}: unexpected "." at ${i}`);
      i++;
      continue;
    }
    if (c === '[') {
      if (text[i + 1] === '"') {
        const end = endOfJsonString(text, i + 1);
        if (text[end] !== ']') throw new Error(`bad path ${JSON.stringify(text)}: expected "]" at ${end}`);
        tokens.push(`f:${JSON.parse(text.slice(i + 1, end)) as string}`);
        i = end + 1;
        continue;
      }
      let j = i + 1;
      while (j < text.length && text[j] !== ']') j = text[j] === '"' ? endOfJsonString(text, j) : j + 1;
      if (j >= text.length) throw new Error(`bad path ${JSON.stringify(text)}: "[" at ${i} is never closed`);
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
    tokens.push(`f:${text.slice(i, j)}`);
    i = j;
  }
  if (tokens.length === 0) throw new Error(`bad path ${JSON.stringify(text)}: empty`);
  return tokens;
}

function endOfJsonString(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  if (j >= text.length) throw new Error(`bad path ${JSON.stringify(text)}: unterminated string at ${start}`);
  return j + 1;
}

/** A compiled path pattern: matches the path itself and everything under it. */
export type PathMatcher = (path: string) => boolean;

/** `*` matches one field, `[*]` any list item; other tokens match exactly. */
export function compilePathPattern(pattern: string): PathMatcher {
  const want = tokenizePath(pattern);
  return (path) => {
    const got = tokenizePath(path);
    if (got.length < want.length) return false;
    return want.every((w, i) => w === got[i] || (w === 'f:*' && got[i].startsWith('f:')) || (w === '[*]' && got[i].startsWith('[')));
  };
}

/** The value at `path` in `root`, or undefined; list items by key match with key defaults. */
export function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === undefined || node === null) return undefined;
    switch (segment.kind) {
      case 'field':
        node = typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[segment.name] : undefined;
        break;
      case 'index':
        node = Array.isArray(node) ? node[segment.index] : undefined;
        break;
      case 'key':
        node = Array.isArray(node)
          ? node.find((item) => typeof item === 'object' && item !== null &&
              segment.keys.every(([k, v]) => ((item as Record<string, unknown>)[k] ?? segment.defaults?.[k]) === v))
          : undefined;
        break;
    }
  }
  return node;
}
