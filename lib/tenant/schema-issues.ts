/**
 * zod issues on a tenant file or fleet.ts as Issues a platform engineer can act on: what was
 * found, what is expected, and a fix specific to the field, never zod's own wording
 * ("Invalid input", "Invalid key in record") or a generic "change the field".
 */
import type { z } from 'zod';
import { formatPath, type Issue } from '../model/issue.ts';

/** The field names the object schema at `path` inside `schema` accepts (records and arrays stepped through). */
function knownFields(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  type Def = { type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType };
  let current: z.ZodType | undefined = schema;
  let i = 0;
  while (current) {
    const def: Def = (current as unknown as { _zod: { def: Def } })._zod.def;
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (i === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    else if (def.type === 'object') current = def.shape?.[String(path[i++])];
    else if (def.type === 'record') (current = def.valueType), i++;
    else if (def.type === 'array') (current = def.element), i++;
    else return [];
  }
  return [];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * How to write a valid value, by field name: the fix for a value in the wrong form. Names are
 * the last segment of the path, shared by tenant files and fleet.ts.
 */
const FIELD_FIXES: Record<string, string> = {
  name: 'use lower-case letters, digits and "-", starting with a letter, e.g. "acme-logistics"',
  region: 'use a region declared under regions in fleet.ts, e.g. "eu-west"',
  crossRegion: 'use another region declared under regions in fleet.ts, e.g. "eu-central"',
  owner: 'use a team name in lower-case letters, digits and "-", e.g. "team-logistics"',
  costCenter: 'use letters, digits, "_", "." or "-" (at most 63), e.g. "CC-1001"',
  image: 'pin the image by tag or digest, e.g. "registry.odoo-hosting.example/odoo/odoo:18.0-20251110"',
  domains: 'write a lower-case host name with at least one dot, e.g. "erp.acme.example"',
  cidr: 'write an IPv4 address range, e.g. "198.51.100.10/32"',
  adminAllowList: 'write an IPv4 address range, e.g. "203.0.113.0/24"',
  cidrs: 'write an IPv4 address range, e.g. "198.18.10.0/24"',
  storage: 'write a binary quantity, e.g. "20Gi"',
  memory: 'write a binary quantity, e.g. "512Mi"',
  start: 'write the start time as HH:MM, e.g. "02:00"',
  timeZone: 'use an IANA time zone, e.g. "Europe/Paris" or "UTC"',
  policy: 'write the policy id as <category>/<name>, e.g. "security/run-as-non-root" (`tenantctl validate --format json` lists them)',
  expires: 'write a real calendar date as YYYY-MM-DD, e.g. "2027-01-31"',
  reason: 'explain in a sentence why the policy does not apply (at least 10 characters)',
  addons: 'write the Odoo module name, e.g. "stock_barcode"',
  endpoint: 'write the endpoint as an https:// URL, e.g. "https://s3.eu-west.example.com"',
  bucket: 'write an S3 bucket name: lower-case letters, digits, "." and "-", 3 to 63 characters',
  lockedBucket: 'write an S3 bucket name: lower-case letters, digits, "." and "-", 3 to 63 characters',
  baseDomain: 'write a lower-case domain, e.g. "eu-west.erp.example.com"',
  traefikNamespace: 'use a namespace name: lower-case letters, digits and "-"',
  environments: 'name environments with lower-case letters, digits and "-" (at most 16 characters), e.g. "production"',
};

const ARTICLE: Record<string, string> = {
  string: 'a string in quotes, e.g. "value"',
  number: 'a number without quotes, e.g. 3',
  int: 'a whole number without quotes, e.g. 3',
  boolean: 'true or false, without quotes',
  object: 'an object `{ ... }`',
  array: 'a list `[ ... ]`',
  record: 'an object `{ ... }`',
};

/** A value as the message shows it: `42`, `"abc"`, `a list`, `an object`. */
function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return `the number ${shown(value)}`;
  if (typeof value === 'string') return `the string ${shown(value)}`;
  return `${typeof value} ${shown(value)}`;
}

/** zod's own wording, which is replaced by ours. */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Expected)\b/;

function lastField(path: ReadonlyArray<PropertyKey>): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return String(path[i]);
  return '';
}

function fieldFix(path: ReadonlyArray<PropertyKey>, reference: string): string {
  return FIELD_FIXES[lastField(path)] ?? `see ${reference} for the accepted form`;
}

interface Described {
  readonly message: string;
  readonly fix: string;
}

function describe(i: z.core.$ZodIssue, reference: string): Described {
  const field = formatPath(i.path) || 'the value';
  const own = i.message && !ZOD_WORDING.test(i.message) ? i.message : undefined;
  const input = (i as { input?: unknown }).input;
  const found = input === undefined ? '' : `, found ${shown(input)}`;
  switch (i.code) {
    case 'invalid_type': {
      if (input === undefined) return { message: 'is required', fix: `add ${field} (see ${reference})` };
      const expected = ARTICLE[i.expected] ?? `a ${i.expected}`;
      return { message: `must be ${expected.split(',')[0]}, found ${kindOf(input)}`, fix: `write ${field} as ${expected}` };
    }
    case 'invalid_value': {
      const allowed = i.values.map((v) => JSON.stringify(v)).join(', ');
      return { message: `must be one of ${allowed}${found}`, fix: `use one of: ${allowed}` };
    }
    case 'invalid_union': {
      const values = i.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
      if (values.length > 0 && values.length === i.errors.flat().length) {
        const allowed = values.map((v) => JSON.stringify(v)).join(', ');
        return { message: `must be one of ${allowed}${found}`, fix: `use one of: ${allowed}` };
      }
      return { message: `is not in an accepted form${found}`, fix: fieldFix(i.path, reference) };
    }
    case 'too_small': {
      const min = String(i.minimum);
      if (i.origin === 'array') return { message: own ?? `must list at least ${min} item(s)`, fix: `list at least ${min} item(s) in ${field}` };
      if (i.origin === 'string') return { message: own ?? (min === '1' ? 'must not be empty' : `must be at least ${min} characters`), fix: min === '1' ? `write a value for ${field}` : `write at least ${min} characters` };
      return i.inclusive === false
        ? { message: own ?? `must be greater than ${min}${found}`, fix: `use a number greater than ${min}` }
        : { message: own ?? `must be at least ${min}${found}`, fix: `use ${min} or more` };
    }
    case 'too_big': {
      const max = String(i.maximum);
      if (i.origin === 'array') return { message: own ?? `must list at most ${max} item(s)`, fix: `list at most ${max} item(s) in ${field}` };
      if (i.origin === 'string') return { message: own ?? `must be at most ${max} characters`, fix: `shorten it to at most ${max} characters` };
      return i.inclusive === false
        ? { message: own ?? `must be less than ${max}${found}`, fix: `use a number less than ${max}` }
        : { message: own ?? `must be at most ${max}${found}`, fix: `use ${max} or less` };
    }
    case 'invalid_format': {
      if (i.format === 'url') return { message: `${own ?? (i.pattern ? 'must be an https:// URL' : 'must be a URL')}${found}`, fix: fieldFix(i.path, reference) };
      return { message: `${own ?? `must match ${i.pattern ?? i.format}`}${found}`, fix: fieldFix(i.path, reference) };
    }
    case 'not_multiple_of':
      return { message: `must be a multiple of ${String(i.divisor)}${found}`, fix: `use a multiple of ${String(i.divisor)}` };
    case 'invalid_key': {
      const inner = i.issues[0] ? describe({ ...i.issues[0], path: i.path } as z.core.$ZodIssue, reference) : undefined;
      const key = String(i.path[i.path.length - 1]);
      return { message: `the key "${key}" ${inner ? inner.message.replace(/, found .*$/, '') : 'is not allowed here'}`, fix: `rename "${key}": ${FIELD_FIXES[lastField(i.path.slice(0, -1))] ?? inner?.fix ?? `see ${reference}`}` };
    }
    default:
      return { message: `${own ?? 'is not valid'}${found}`, fix: fieldFix(i.path, reference) };
  }
}

/**
 * zod issues as Issues. An unknown field gets its own issue whose path names the field itself
 * (not the object around it, which for a top-level typo would be no path at all), and a fix that
 * suggests the field that was probably meant. Parse with `reportInput: true`, so a value of the
 * wrong type is told apart from a missing one.
 */
export function schemaIssues(file: string, error: z.ZodError, code: Issue['code'], schema: z.ZodType, reference: string): Issue[] {
  return error.issues.flatMap((i): Issue[] => {
    if (i.code === 'unrecognized_keys') {
      const known = knownFields(schema, i.path);
      return i.keys.map((key) => {
        const near = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
        const fix =
          near && near.d <= Math.max(1, Math.floor(key.length / 3))
            ? `did you mean "${near.k}"? Otherwise remove it`
            : `remove it${known.length ? `; fields allowed here: ${known.join(', ')}` : `, or check the spelling (see ${reference})`}`;
        return { code, file, path: formatPath([...i.path, key]), message: `unknown field "${key}"`, fix };
      });
    }
    const { message, fix } = describe(i, reference);
    return [{ code, file, path: formatPath(i.path), message, fix }];
  });
}
