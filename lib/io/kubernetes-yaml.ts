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
  // Digits, '+', '-', '.': maybe a number.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
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
    return true;
  },
  construct: () => resolved,
});

/** js-yaml schema: strings, sequences and mappings, and plain scalars resolved as above. No explicit tags beyond !!str, !!seq, !!map. */
const KUBERNETES_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [kubernetesScalar] });

/*
 * Constructs where js-yaml and the `yaml` package could disagree, or where the `yaml` package adds a
 * safeguard, each found by a cheap test first (one pass for a character) and an exact one after.
 * A match in a comment or a string only costs speed: that text goes to the reference parser.
 */
/** Anchors (an alias needs one; the `yaml` package limits aliases) and tags, at the start of a node. */
const ANCHOR_OR_TAG = /(?:^[ \t]*|[:?,\-[{][ \t]*)[&!]/m;
/** Merge keys. */
const MERGE_KEY = /<<[ \t]*:/;
/** Directives (`%YAML 1.2` switches the `yaml` package to YAML 1.2). */
const DIRECTIVE = /^%/m;
/** Explicit keys (`? key`), which may be collections. */
const EXPLICIT_KEY = /^[ \t]*(?:-[ \t]+)*\?(?:[ \t]|$)/m;
/** A flow collection as a key (`[a, b]: c`): the two parsers turn it into different strings. */
const COLLECTION_KEY = /[\]}][ \t]*:(?:[ \t]|$)/m;
/** A null key (`~: a`, `null: a`, `: a`): the key "" for the `yaml` package, "null" for js-yaml. */
const NULL_KEY = /(?:^|[ \t\r\n{,?])(?:~|null|Null|NULL)?[ \t]*:(?:[ \t]|$)/m;
const MAYBE_NULL_KEY = /[ \t\r\n{,?~]:|^:|ull[ \t]*:|ULL[ \t]*:/m;

/** Whether `loadKubernetesYaml` reads `text` exactly as the `yaml` package with `KUBERNETES_YAML` does. */
export function fastPathApplies(text: string): boolean {
  if (/[&!]/.test(text) && ANCHOR_OR_TAG.test(text)) return false;
  if (text.includes('<<') && MERGE_KEY.test(text)) return false;
  if (text.includes('%') && DIRECTIVE.test(text)) return false;
  if (text.includes('?') && EXPLICIT_KEY.test(text)) return false;
  if (/[\]}]/.test(text) && COLLECTION_KEY.test(text)) return false;
  if (MAYBE_NULL_KEY.test(text) && NULL_KEY.test(text)) return false;
  return true;
}

/**
 * Every document of `text` (empty ones as null), read with YAML 1.1 scalars; duplicate keys throw.
 * Only for texts where `fastPathApplies`; throws a js-yaml `YAMLException` on any error.
 */
export function loadKubernetesYaml(text: string): unknown[] {
  return loadAll(text, null, { schema: KUBERNETES_SCHEMA });
}
