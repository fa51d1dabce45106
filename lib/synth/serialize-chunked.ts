/**
 * toYaml for an object with one long list (the shared PostgreSQL Cluster's roles: one per shared
 * tenant environment), with the list's YAML taken in chunks from a cache: after one tenant
 * changed, only its chunk is serialized again. The yaml package builds a document tree for every
 * value and tests each string against the YAML 1.1 tags; an 86 KB Cluster takes it 75 ms warm
 * and three times that in a fresh process, which a re-synth after one tenant changed would pay.
 *
 * Byte-identical to toYaml by construction: with `lineWidth: 0` and no line break in any string
 * of the list, every scalar is one line, so a block sequence nested at indentation N is, line by
 * line, the same sequence serialized alone with N spaces in front. A list with a line break in
 * some string, or an output not shaped as expected, is serialized whole.
 */
import { createHash } from 'node:crypto';
import type { ManifestFile } from './layout.ts';
import { toYaml } from './serialize.ts';
import type { RenderCache } from './synthesize.ts';

/** Lists shorter than this are serialized with the object. */
const MIN_ITEMS = 64;
/** Items per cached chunk: small enough that one changed item costs little, large enough to keep entries few. */
const CHUNK = 32;
const TOKEN = 'tenantctl_chunked_list_placeholder';

type Plain = Record<string, unknown>;
const isMap = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys (through maps only) to the first list of at least MIN_ITEMS items, depth first in key order. */
function longList(value: Plain, path: string[] = []): string[] | undefined {
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length >= MIN_ITEMS) return [...path, k];
    if (isMap(v)) {
      const found = longList(v, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/** A copy of `value` with the value at `path` replaced by `by`. */
function replaced(value: Plain, path: readonly string[], by: unknown): Plain {
  const [head, ...rest] = path;
  return { ...value, [head]: rest.length === 0 ? by : replaced(value[head] as Plain, rest, by) };
}

const hasLineBreak = (v: unknown): boolean => (typeof v === 'string' ? v.includes('\n') || v.includes('\r') : Array.isArray(v) ? v.some(hasLineBreak) : isMap(v) ? Object.entries(v).some(([k, x]) => hasLineBreak(k) || hasLineBreak(x)) : false);

/**
 * `toYaml(value, source)`, with the YAML of its first long list made of chunks from `cache` (keyed
 * by `version`, the rendering code's, and the chunk's items); chunks not there are serialized and
 * put there.
 */
export function toYamlChunked(value: Plain, source: string, cache: RenderCache | undefined, version: string): string {
  const path = longList(value);
  if (!cache || !path) return toYaml(value, source);
  const list = path.reduce<unknown>((v, k) => (v as Plain)[k], value) as unknown[];
  if (hasLineBreak(list)) return toYaml(value, source);

  const outer = toYaml(replaced(value, path, TOKEN), source);
  const indent = ' '.repeat(2 * (path.length - 1));
  const line = `\n${indent}${path.at(-1)}: ${TOKEN}\n`;
  const where = outer.indexOf(line);
  if (where < 0 || outer.indexOf(line, where + 1) >= 0) return toYaml(value, source);

  const itemIndent = `${indent}  `;
  let items = '';
  for (let i = 0; i < list.length; i += CHUNK) {
    const chunk = list.slice(i, i + CHUNK);
    const key = createHash('sha256').update(`yaml-list-chunk\0${version}\0${JSON.stringify(chunk)}`).digest('hex');
    let text = cache.get(key)?.[0]?.content;
    if (text === undefined) {
      text = toYaml(chunk).replace(/^(?=.)/gm, itemIndent);
      cache.set(key, [{ path: '(yaml list chunk)', content: text } satisfies ManifestFile]);
    }
    items += text;
  }
  return `${outer.slice(0, where)}\n${indent}${path.at(-1)}:\n${items}${outer.slice(where + line.length)}`;
}
