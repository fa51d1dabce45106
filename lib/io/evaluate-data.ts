/**
 * The value of a data expression of a tenant file, fleet.ts or a shared data file
 * (static-module.ts reads the file and its statements): literals, objects and arrays, spreads of
 * constants, constants by name. The first construct that is not data is thrown as NotData, with
 * the node to point at; nothing here runs anything.
 */
import { fileURLToPath } from 'node:url';
import type * as B from '@babel/types';
import { describeNode, short, textOf, typeName } from './describe-syntax.ts';
import { formatPath } from '../model/issue.ts';

/** This module's file: its code decides values, so it is part of the read cache's key (static-module.ts). */
export const EVALUATOR_FILE = fileURLToPath(import.meta.url);

/** Where a refusal points: a node, or the position of a file's first token (`has no default export`). */
export type At = Pick<B.Node, 'loc'>;

/**
 * Thrown inside the evaluator for the first construct that is not data; becomes an Issue in the
 * file the node is in (Babel's `loc.filename`), so an error in a shared data file names that file.
 */
export class NotData extends Error {
  constructor(readonly node: At, message: string, readonly fix: string) {
    super(message);
  }
}

export const DATA_FIX = 'a tenant file holds data only: write the value as a literal (string, number, boolean, object, array) or a `const` of this file';
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface Scope {
  readonly values: Map<string, { value: unknown; exported: boolean }>;
  /** Local names of the define helper. */
  readonly helpers: Set<string>;
  /** The define helper's own name, which messages give. */
  readonly helper: string;
  readonly file: string;
  /** The file's text, which errors quote. */
  readonly source: string;
}

/**
 * The value of a data expression. `path` and `positions` record where each part of the default
 * export is written; consts are evaluated without them (their uses are positioned instead).
 */
export function evaluate(node: B.Node, scope: Scope, path: PropertyKey[] | undefined, positions: Map<string, At> | undefined): unknown {
  const e = unwrap(node);
  const record = (at: PropertyKey[], n: At) => {
    if (path && positions) positions.set(formatPath(at), n);
  };
  if (path) record(path, node);
  switch (e.type) {
    case 'StringLiteral':
      return e.value;
    case 'TemplateLiteral':
      if (e.expressions.length === 0) return e.quasis[0].value.cooked;
      break;
    case 'NumericLiteral':
      return e.value;
    case 'BooleanLiteral':
      return e.value;
    case 'NullLiteral':
      return null;
    case 'UnaryExpression': {
      if (e.operator !== '-' && e.operator !== '+') break;
      const operand = unwrap(e.argument);
      if (operand.type === 'NumericLiteral') return e.operator === '-' ? -operand.value : operand.value;
      throw new NotData(e, `${describeNode(scope.source, e)} is not allowed: only a number may carry a sign`, DATA_FIX);
    }
    case 'Identifier':
      return lookup(e, scope);
    case 'ArrayExpression':
      return array(e, scope, path, positions, record);
    case 'ObjectExpression':
      return object(e, scope, path, positions, record);
    case 'CallExpression':
    case 'OptionalCallExpression':
      throw new NotData(e, `a call (\`${short(textOf(scope.source, e.callee))}(...)\`) is not allowed: a tenant file describes data, and nothing in it runs`, DATA_FIX);
  }
  throw new NotData(e, `${describeNode(scope.source, e)} is not allowed: a tenant file describes data, and nothing in it runs`, DATA_FIX);
}

function array(e: B.ArrayExpression, scope: Scope, path: PropertyKey[] | undefined, positions: Map<string, At> | undefined, record: (at: PropertyKey[], n: At) => void): unknown[] {
  const out: unknown[] = [];
  for (const el of e.elements) {
    if (el === null) throw new NotData(e, 'an array with a hole (`[a, , b]`) is not allowed', 'remove the extra comma');
    if (el.type === 'SpreadElement') {
      const spread = evaluate(el.argument, scope, undefined, undefined);
      if (!Array.isArray(spread)) throw new NotData(el, `only an array can be spread into an array, found ${typeName(spread)}`, 'spread a `const` array of this file');
      for (const v of spread) {
        record([...(path ?? []), out.length], el);
        out.push(v);
      }
      continue;
    }
    out.push(evaluate(el, scope, path && [...path, out.length], positions));
  }
  return out;
}

function object(e: B.ObjectExpression, scope: Scope, path: PropertyKey[] | undefined, positions: Map<string, At> | undefined, record: (at: PropertyKey[], n: At) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Map<string, B.Node>();
  for (const p of e.properties) {
    if (p.type === 'SpreadElement') {
      const spread = evaluate(p.argument, scope, undefined, undefined);
      if (typeof spread !== 'object' || spread === null || Array.isArray(spread)) throw new NotData(p, `only an object can be spread into an object, found ${typeName(spread)}`, 'spread a `const` object of this file');
      for (const [k, v] of Object.entries(spread)) {
        out[k] = v;
        seen.set(k, p);
        record([...(path ?? []), k], p);
      }
      continue;
    }
    if (p.type !== 'ObjectProperty') {
      throw new NotData(p, `${describeNode(scope.source, p)} is not allowed in a tenant file: it would be code`, 'write `field: value` with a literal value');
    }
    const key = keyOf(p);
    if (FORBIDDEN_KEYS.has(key)) throw new NotData(p.key, `the field name "${key}" is not allowed`, 'remove it');
    const earlier = seen.get(key);
    if (earlier) {
      const first = earlier.loc!.start;
      throw new NotData(p.key, `"${key}" is written twice in this object (first at line ${first.line}:${first.column + 1}); TypeScript keeps only the last (TS1117)`, `keep one "${key}": merge the two or remove one`);
    }
    seen.set(key, p);
    const at = path && [...path, key];
    if (p.shorthand) {
      if (at) record(at, p);
      out[key] = lookup(p.key as B.Identifier, scope);
    } else {
      out[key] = evaluate(p.value, scope, at, positions);
      // Point at the field, not at its value: `replicas: 2` is where the change goes.
      if (at) record(at, p);
    }
  }
  return out;
}

/** A field's name as the object has it: `1e3` and `0x10` are the keys "1000" and "16". */
function keyOf(p: B.ObjectProperty): string {
  if (!p.computed) {
    if (p.key.type === 'Identifier') return p.key.name;
    if (p.key.type === 'StringLiteral') return p.key.value;
    if (p.key.type === 'NumericLiteral') return String(p.key.value);
  }
  throw new NotData(p.computed ? p : p.key, 'a computed field name (`[expr]: value`) is not allowed', 'write the name as a plain identifier or a quoted string');
}

function lookup(id: B.Identifier, scope: Scope): unknown {
  const found = scope.values.get(id.name);
  if (found) return found.value;
  if (id.name === 'undefined') throw new NotData(id, '`undefined` is not a value a tenant file can hold', 'leave the field out to take the default');
  if (scope.helpers.has(id.name)) throw new NotData(id, `${id.name} can only be called once, as the default export`, `write \`export default ${scope.helper}({...})\``);
  throw new NotData(id, `"${id.name}" is not a constant of this file`, `declare it above with \`const ${id.name} = ...\` (a literal), or import it from a shared data file tenants/_*.ts`);
}

/** `x as const`, `x satisfies T`, `<T>x`, `(x)`, `x!`: the value is `x`. */
export function unwrap(node: B.Node): B.Node {
  let e = node;
  while (e.type === 'TSAsExpression' || e.type === 'TSSatisfiesExpression' || e.type === 'ParenthesizedExpression' || e.type === 'TSTypeAssertion' || e.type === 'TSNonNullExpression') e = e.expression;
  return e;
}
