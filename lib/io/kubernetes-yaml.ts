/**
 * YAML as Kubernetes reads it, two ways that agree:
 *
 * - `KUBERNETES_YAML`: options for the `yaml` package (the reference: exact, line-accurate errors,
 *   alias limits, merge keys, tags), and
 * - `loadKubernetesYaml`: js-yaml with a schema resolving plain scalars the same way, about ten times
 *   faster. It takes only texts that cannot tell the two apart (`fastPathApplies`); a text it does not
 *   take, or cannot load, goes to the `yaml` package, so results and error messages never depend on
 *   which parser ran.
 *
 * kubectl, Argo CD and Flux parse with go-yaml v2 (YAML 1.1), where an unquoted `yes`, `on` or `y` is
 * a boolean and `0755` an octal number, but base-60 numbers (`02:00`) and timestamps stay strings.
 * Parsing the same way makes a manifest that a YAML 1.2 writer left unquoted fail here, as it would
 * fail on the cluster.
 */
import { FAILSAFE_SCHEMA, loadAll, Type } from 'js-yaml';
import type { DocumentOptions, ParseOptions, ScalarTag, SchemaOptions, Tags } from 'yaml';

function intResolve(str: string, offset: number, radix: number): number {
  const sign = str[0];
  if (sign === '-' || sign === '+') offset += 1;
  const n = parseInt(str.substring(offset).replace(/_/g, ''), radix);
  return sign === '-' ? -1 * n : n;
}

/**
 * `0o17`: the YAML 1.2 spelling of an octal number, which go-yaml v2 also reads as a number
 * (it parses integers with Go's `strconv.ParseInt(s, 0, 64)`). Not in the `yaml` package's YAML 1.1 schema.
 */
const INT_OCT_O = /^[-+]?0o[0-7_]+$/;
const intOctO: ScalarTag = {
  identify: (value) => Number.isInteger(value),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: INT_OCT_O,
  resolve: (str) => intResolve(str, 2, 8),
};

/** Options for the `yaml` package: YAML 1.1 without timestamps and base-60 numbers, plus `0o` octals. */
export const KUBERNETES_YAML = {
  version: '1.1',
  customTags: (tags: Tags) => [
    ...tags.filter((t) => !(typeof t === 'object' && (t.format === 'TIME' || t.tag === 'tag:yaml.org,2002:timestamp'))),
    intOctO,
  ],
} as const satisfies ParseOptions & DocumentOptions & SchemaOptions;

// The plain-scalar tests of the `yaml` package's YAML 1.1 schema (yaml/dist/schema/yaml-1.1), in its order.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const INT_BIN = /^[-+]?0b[0-1_]+$/;
const INT_OCT = /^[-+]?0[0-7_]+$/;
const INT = /^[-+]?[0-9][0-9_]*$/;
const INT_HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;

/** Returned by `resolvePlainScalar` for a plain scalar that stays a string. */
export const STRING: unique symbol = Symbol('string');

/**
 * The value of an unquoted scalar: null, a boolean, a number, or `STRING`. Exactly the `yaml`
 * package's YAML 1.1 resolution (timestamps and base-60 numbers left out), plus `0o` octals.
 */
export function resolvePlainScalar(s: string): null | boolean | number | typeof STRING {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  // Digits, '+', '-', '.', and 'e' or 'E' (the `yaml` package reads `e3` as a float: NaN): maybe a number.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69) {
    if (INT_BIN.test(s)) return intResolve(s, 2, 2);
    if (INT_OCT.test(s)) return intResolve(s, 1, 8);
    if (INT_OCT_O.test(s)) return intResolve(s, 2, 8);
    if (INT.test(s)) return intResolve(s, 0, 10);
    if (INT_HEX.test(s)) return intResolve(s, 2, 16);
    if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s.replace(/_/g, ''));
    return STRING;
  }
  // null, booleans: at most 5 characters, starting with one of ~ n N y Y t T f F o O.
  if (s.length <= 5) {
    if (NULL.test(s)) return null;
    if (TRUE.test(s)) return true;
    if (FALSE.test(s)) return false;
  }
  return STRING;
}

// One implicit type for every non-string plain scalar; resolve() computes the value, construct() hands it over.
let resolved: null | boolean | number = null;
/** NaN, ±Infinity and -0 resolved so far: values that JSON cannot carry. */
let outsideJson = 0;
const kubernetesScalar = new Type('tag:yaml.org,2002:kubernetes-scalar', {
  kind: 'scalar',
  resolve(data: string | null) {
    if (data === null) {
      resolved = null;
      return true;
    }
    const value = resolvePlainScalar(data);
    if (value === STRING) return false;
    resolved = value;
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) outsideJson++;
    return true;
  },
  construct: () => resolved,
});

/** js-yaml schema: strings, sequences and mappings, and plain scalars resolved as above. No explicit tags beyond !!str, !!seq, !!map. */
const KUBERNETES_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [kubernetesScalar] });

/*
 * Where js-yaml and the `yaml` package read a text differently, or where the `yaml` package adds a
 * safeguard; found by differential fuzzing of the two on generated/ and vendor/crds/ (see
 * test/validate/kubernetes-yaml.test.ts). Each is looked for cheaply first (a character, a substring);
 * a match in a comment or a string only costs speed, as that text goes to the reference parser.
 */
/** Merge keys. */
const MERGE_KEY = /<<[ \t]*:/;
/** Directives (`%YAML 1.2` switches the `yaml` package to YAML 1.2). */
const DIRECTIVE = /^%/m;
/** `---x` (a plain scalar, not a marker), content after `...`, a collection after `---`. */
const DOCUMENT_MARKER_LINE = /^\.\.\.|^---(?:[^ \t\r\n]|[ \t]+[^ \t\r\n#])/m;
/** An empty sequence item (`-` alone): in a nested sequence, js-yaml puts the next outer item in the inner one. */
const EMPTY_SEQUENCE_ITEM = /^[ \t]*(?:-[ \t]+)*-[ \t]*(?:#.*)?$/m;
/** Block scalars with an indentation indicator (`|2`), or at the top level. */
const BLOCK_SCALAR_INDENTATION_INDICATOR = /[|>](?:[-+]?[1-9]|[1-9][-+])[ \t]*(?:#.*)?$/m;
/** Explicit keys (`? key`, `[? key]`), which may be null or collections. */
const EXPLICIT_KEY = /^[ \t]*(?:-[ \t]+)*\?(?:[ \t]|$)|[[{,][ \t]*\?/m;
/** A flow collection as a key (`[a, b]: c`): the two parsers turn it into different strings. */
const COLLECTION_KEY = /[\]}][ \t]*:(?:[ \t]|$)/m;
/** A null key (`~: a`, `null: a`, `: a`): the key "" for the `yaml` package, "null" for js-yaml. */
const NULL_KEY = /(?:^|[ \t\r\n[{,?])(?:~|null|Null|NULL)?[ \t]*:(?:[ \t,[\]{}]|$)|[[{,][ \t]*:/m;
/** A comment right after a quoted scalar or a flow indicator, without a blank: an error for the `yaml` package only. */
const UNSEPARATED_COMMENT = /["'[\]{},]#/;
/** Tabs as indentation: an error for the `yaml` package, not always for js-yaml. */
const TAB_INDENT = /^ *\t/m;
/** A carriage return without a line feed: a line break for js-yaml, content for the `yaml` package. */
const LONE_CR = /\r(?!\n)/;
/**
 * A quoted scalar or a flow collection that goes on after the end of its line: the `yaml` package
 * checks the indentation of the lines that follow, js-yaml does not.
 */
const DOUBLE_QUOTED_TO_END_OF_LINE = /"(?:[^"\\\n]|\\.)*\\?$/gm;
const SINGLE_QUOTED_TO_END_OF_LINE = /'(?:[^'\n]|'')*$/gm;
const FLOW_START = /[[{]/g;
/**
 * A flow mapping that is not empty (`{a: 1}`, not `{}`): key-only entries (`{a, b}`) whose key is
 * null, a collection or `<<` are read differently. tenantctl writes none.
 */
const NON_EMPTY_FLOW_MAPPING = /\{(?![ \t]*\})/g;

/**
 * Whether a node may start at `i`: only blanks between it and the start of the line, a `: `, or an
 * indicator (`-`, `?`, `[`, `{`, `,`) that may itself stand where a node starts. `a-{b` and `>{{` are
 * plain text; `- {b` and `[{b` are not.
 */
function atNodeStart(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--;
  if (k < 0) return true;
  switch (text[k]) {
    case '\n':
    case '\r':
    case ':':
    case ',':
      return true;
    case '-':
    case '?':
    case '[':
    case '{':
      // An indicator only where a node could start: not in `a-b` or `x{{`.
      return atNodeStart(text, k);
    default:
      return false;
  }
}

/** Whether only blanks stand between `i` and the start of its line. */
function atLineStart(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--;
  return k < 0 || text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13;
}

/**
 * Whether `char` occurs somewhere `at` accepts. Looked for with indexOf: a global RegExp for one
 * character costs several times as much on 50,000 files, as each hit allocates a match.
 */
function someOccurrence(text: string, char: string, at: (text: string, i: number) => boolean): boolean {
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) if (at(text, i)) return true;
  return false;
}

/** Whether only blanks, then a line break, a comment or the end of the text follow `i`: `-` there may be an empty sequence item. */
function onlyBlanksAfter(text: string, i: number): boolean {
  let k = i + 1;
  while (k < text.length && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
  if (k === text.length) return true;
  const c = text.charCodeAt(k);
  return c === 10 || c === 13 || c === 35; // \n \r #
}

/** Whether some `:` follows a blank, a flow indicator, `?`, `~`, `null`, or nothing: a cheap test before NULL_KEY. */
function maybeNullKey(text: string): boolean {
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    if (i === 0) return true;
    switch (text.charCodeAt(i - 1)) {
      case 32: // ' '
      case 9: // \t
      case 10: // \n
      case 13: // \r
      case 91: // [
      case 123: // {
      case 44: // ,
      case 63: // ?
      case 126: // ~
        return true;
      case 108: // l
      case 76: // L
        if (text.startsWith('ull', i - 3) || text.startsWith('ULL', i - 3)) return true;
    }
  }
  return false;
}

/** Whether `pattern` (global) matches somewhere a node may start. */
function matchesAtNodeStart(text: string, pattern: RegExp): boolean {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (atNodeStart(text, m.index)) return true;
    pattern.lastIndex = m.index + 1;
  }
  return false;
}

/** Whether a flow collection starting on some line is still open at the end of that line. */
function flowGoesOn(text: string): boolean {
  FLOW_START.lastIndex = 0;
  for (let m = FLOW_START.exec(text); m; m = FLOW_START.exec(text)) {
    if (!atNodeStart(text, m.index)) continue;
    let depth = 0;
    let i = m.index;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) break; // \n
      if (c === 91 || c === 123) depth++; // [ {
      else if (c === 93 || c === 125) depth--; // ] }
    }
    if (depth > 0) return true;
    FLOW_START.lastIndex = i;
  }
  return false;
}

/** Whether some line is longer than the 1024 characters the `yaml` package allows an implicit key. */
function hasLongLine(text: string): boolean {
  if (text.length <= 1024) return false;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if ((end === -1 ? text.length : end) - start > 1024) return true;
    if (end === -1) return false;
    start = end + 1;
  }
  return false;
}

/** Whether `loadKubernetesYaml` reads `text` exactly as the `yaml` package with `KUBERNETES_YAML` does. */
export function fastPathApplies(text: string): boolean {
  // Anchors (an alias needs one; the `yaml` package limits aliases) and tags.
  if (someOccurrence(text, '&', atNodeStart) || someOccurrence(text, '!', atNodeStart)) return false;
  if (text.includes('<<') && MERGE_KEY.test(text)) return false;
  if (text.includes('%') && DIRECTIVE.test(text)) return false;
  if ((text.includes('---') || text.includes('...')) && DOCUMENT_MARKER_LINE.test(text)) return false;
  if (someOccurrence(text, '-', onlyBlanksAfter) && EMPTY_SEQUENCE_ITEM.test(text)) return false;
  if ((text.includes('|') || text.includes('>')) && (BLOCK_SCALAR_INDENTATION_INDICATOR.test(text) || someOccurrence(text, '|', atLineStart) || someOccurrence(text, '>', atLineStart))) return false;
  if (text.includes('?') && EXPLICIT_KEY.test(text)) return false;
  if ((text.includes(']') || text.includes('}')) && COLLECTION_KEY.test(text)) return false;
  if (maybeNullKey(text) && NULL_KEY.test(text)) return false;
  if (text.includes('"') && matchesAtNodeStart(text, DOUBLE_QUOTED_TO_END_OF_LINE)) return false;
  if (text.includes("'") && matchesAtNodeStart(text, SINGLE_QUOTED_TO_END_OF_LINE)) return false;
  if ((text.includes('[') || text.includes('{')) && flowGoesOn(text)) return false;
  if (text.includes('{') && matchesAtNodeStart(text, NON_EMPTY_FLOW_MAPPING)) return false;
  if (text.includes('#') && UNSEPARATED_COMMENT.test(text)) return false;
  if (text.includes('\t') && TAB_INDENT.test(text)) return false;
  if (text.includes('\r') && LONE_CR.test(text)) return false;
  return !hasLongLine(text);
}

/**
 * Every document of `text` (empty ones as null), read with YAML 1.1 scalars; duplicate keys throw.
 * Only for texts where `fastPathApplies`; throws a js-yaml `YAMLException` on any error.
 */
export function loadKubernetesYaml(text: string): unknown[] {
  return loadKubernetesYamlChecked(text).values;
}

/**
 * `loadKubernetesYaml`, and whether the values survive JSON.stringify and JSON.parse unchanged (no
 * NaN, ±Infinity or -0 in them): then they may cross threads as JSON text, which is faster.
 */
export function loadKubernetesYamlChecked(text: string): { values: unknown[]; json: boolean } {
  const before = outsideJson;
  const values = loadAll(text, null, { schema: KUBERNETES_SCHEMA });
  return { values, json: outsideJson === before };
}
