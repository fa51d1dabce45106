/**
 * How static-module.ts names what it refuses: a construct of a tenant file in the words of
 * someone reading the file (`a call`, `reading \`process.env.X\` at run time`, `a loop`).
 * Nodes are @babel/parser's; the wording is the one users saw when the reader used the
 * TypeScript compiler, so each Babel node type is named as its TypeScript counterpart was.
 */
import type * as B from '@babel/types';

export function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

export function indent(text: string): string {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

export function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

/** A node as written: errors quote what the user wrote, comments and spacing aside. */
export function textOf(source: string, n: B.Node): string {
  return source.slice(n.start ?? 0, n.end ?? 0);
}

/** What a construct is, in the words of someone reading the file. */
export function describeNode(source: string, n: B.Node): string {
  const text = `\`${short(textOf(source, n))}\``;
  switch (n.type) {
    case 'NumericLiteral':
      return `a number (${text})`;
    case 'StringLiteral':
      return `a string (${text})`;
    case 'TemplateLiteral':
      return n.expressions.length === 0 ? `a string (${text})` : `a template with substitutions (${text})`;
    case 'ObjectExpression':
      return 'an object literal without defineTenant/defineFleet';
    case 'ArrayExpression':
      return `an array (${text})`;
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
      return `a function (${text})`;
    case 'ObjectMethod':
      return n.kind === 'method' ? `a method (${text})` : `an accessor (${text})`;
    case 'AwaitExpression':
      return `\`await\` (${text})`;
    case 'MemberExpression':
    case 'OptionalMemberExpression':
      return `reading ${text} at run time`;
    case 'NewExpression':
      return `\`new\` (${text})`;
    // TypeScript's BinaryExpression: arithmetic, comparison, `&&`/`||`/`??`, assignment, comma.
    case 'BinaryExpression':
    case 'LogicalExpression':
    case 'AssignmentExpression':
    case 'SequenceExpression':
      return `an expression (${text})`;
    case 'ConditionalExpression':
      return `a conditional expression (${text})`;
    case 'ClassExpression':
      return `a class (${text})`;
    case 'CallExpression':
    case 'OptionalCallExpression':
      return `a call (${text})`;
    default:
      return text;
  }
}

/**
 * A top-level statement, in the same words. `export function f() {}` is named as the function
 * (TypeScript saw a function with an `export` modifier) and quoted whole.
 */
export function describeStatement(source: string, st: B.Statement | B.Directive): string {
  const text = short(textOf(source, st));
  const d = (st.type === 'ExportNamedDeclaration' || st.type === 'ExportDefaultDeclaration') && st.declaration ? st.declaration : st;
  switch (d.type) {
    case 'ExpressionStatement':
    case 'Directive': // `'use strict';` at the top: an expression statement to TypeScript
      return `the statement \`${text}\``;
    case 'FunctionDeclaration':
    case 'TSDeclareFunction':
      return `a function (${d.id?.name ?? 'anonymous'})`;
    case 'ClassDeclaration':
      return 'a class';
    case 'IfStatement':
      return 'an `if` statement';
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'ForStatement':
    case 'ForOfStatement':
    case 'ForInStatement':
      return 'a loop';
    case 'TryStatement':
      return 'a `try` statement';
    case 'ThrowStatement':
      return 'a `throw` statement';
    case 'TSModuleDeclaration':
      return 'a namespace';
    case 'TSEnumDeclaration':
      return 'an enum';
    default:
      return `\`${text}\``;
  }
}
