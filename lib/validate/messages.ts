/**
 * From ajv errors to findings: JSON pointers become field paths (`containers[0].ports[0]`),
 * and messages say what was found and what is expected, in Kubernetes terms.
 */
import type { ErrorObject } from 'ajv';
import { FORMAT_MESSAGES } from './formats.ts';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function segmentsOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function append(path: string, key: string, parentIsArray: boolean): string {
  if (parentIsArray) return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Field path of a JSON pointer inside `value`: `/spec/ports/0/port` → `spec.ports[0].port`. */
export function fieldPath(value: unknown, pointer: string, extra?: string): { path: string; value: unknown } {
  let path = '';
  let at: unknown = value;
  for (const key of segmentsOf(pointer)) {
    const isArray = Array.isArray(at);
    path = append(path, key, isArray);
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  }
  if (extra !== undefined) {
    path = append(path, extra, false);
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[extra] : undefined;
  }
  return { path, value: at };
}

function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

export interface FieldProblem {
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

/** One problem per ajv error; `object` is the validated object (to name values and list indexes). */
export function describeError(error: ErrorObject, object: unknown, kindLabel: string): FieldProblem {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      return {
        path: fieldPath(object, error.instancePath, field).path,
        message: `unknown field "${field}"`,
        fix: `remove it, or check its spelling and indentation against the ${kindLabel} schema`,
      };
    }
    case 'required': {
      const field = String(p.missingProperty);
      return { path: fieldPath(object, error.instancePath, field).path, message: 'is required' };
    }
    case 'type': {
      const at = fieldPath(object, error.instancePath);
      const expected = String(p.type).split(',').filter((t) => t !== 'null').join(' or ');
      let fix: string | undefined;
      if (expected === 'integer' && typeof at.value === 'string') fix = 'write the number without quotes';
      else if (expected.includes('string') && (typeof at.value === 'boolean' || typeof at.value === 'number')) {
        fix = 'quote the value: Kubernetes reads YAML 1.1, where unquoted yes/no/on/off/y/n are booleans and 0755 is an octal number (serialize with YAML version 1.1)';
      }
      return { path: at.path, message: `must be ${expected}, got ${shown(at.value)}`, ...(fix ? { fix } : {}) };
    }
    case 'format': {
      const at = fieldPath(object, error.instancePath);
      const format = String(p.format);
      return { path: at.path, message: `${FORMAT_MESSAGES[format] ?? `must be a valid ${format}`}, got ${shown(at.value)}` };
    }
    case 'enum': {
      const at = fieldPath(object, error.instancePath);
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path: at.path, message: `must be one of ${allowed}, got ${shown(at.value)}` };
    }
    case 'pattern': {
      const at = fieldPath(object, error.instancePath);
      return { path: at.path, message: `must match ${String(p.pattern)}, got ${shown(at.value)}` };
    }
    default: {
      const at = fieldPath(object, error.instancePath);
      return { path: at.path, message: `${error.message ?? `fails ${error.keyword}`}${at.value === undefined ? '' : `, got ${shown(at.value)}`}` };
    }
  }
}

/**
 * Drops the noise ajv produces around `anyOf`/`oneOf`: when a combinator fails, its branches'
 * errors are folded into one finding at the combinator's path.
 */
export function foldCombinators(errors: readonly ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (combinators.length === 0) return [...errors];
  return errors.filter((e) => !combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`) && e.instancePath.startsWith(c.instancePath)));
}
