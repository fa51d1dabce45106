/**
 * How static-module.ts names what it refuses: a construct of a tenant file in the words of
 * someone reading the file (`a call`, `reading \`process.env.X\` at run time`, `a loop`).
 */
import type * as TS from 'typescript';

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

/** What a construct is, in the words of someone reading the file. */
export function describeNode(ts: typeof TS, n: TS.Node): string {
  const text = `\`${short(n.getText())}\``;
  if (ts.isNumericLiteral(n)) return `a number (${text})`;
  if (ts.isStringLiteralLike(n)) return `a string (${text})`;
  if (ts.isObjectLiteralExpression(n)) return 'an object literal without defineTenant/defineFleet';
  if (ts.isArrayLiteralExpression(n)) return `an array (${text})`;
  if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) return `a function (${text})`;
  if (ts.isMethodDeclaration(n)) return `a method (${text})`;
  if (ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)) return `an accessor (${text})`;
  if (ts.isAwaitExpression(n)) return `\`await\` (${text})`;
  if (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) return `reading ${text} at run time`;
  if (ts.isNewExpression(n)) return `\`new\` (${text})`;
  if (ts.isTemplateExpression(n)) return `a template with substitutions (${text})`;
  if (ts.isBinaryExpression(n)) return `an expression (${text})`;
  if (ts.isConditionalExpression(n)) return `a conditional expression (${text})`;
  if (ts.isClassExpression(n)) return `a class (${text})`;
  if (ts.isCallExpression(n)) return `a call (${text})`;
  return text;
}

export function describeStatement(ts: typeof TS, st: TS.Statement): string {
  if (ts.isExpressionStatement(st)) return `the statement \`${short(st.getText())}\``;
  if (ts.isFunctionDeclaration(st)) return `a function (${st.name?.text ?? 'anonymous'})`;
  if (ts.isClassDeclaration(st)) return 'a class';
  if (ts.isIfStatement(st)) return 'an `if` statement';
  if (ts.isWhileStatement(st) || ts.isDoStatement(st) || ts.isForStatement(st) || ts.isForOfStatement(st) || ts.isForInStatement(st)) return 'a loop';
  if (ts.isTryStatement(st)) return 'a `try` statement';
  if (ts.isThrowStatement(st)) return 'a `throw` statement';
  if (ts.isExportDeclaration(st)) return `\`${short(st.getText())}\``;
  if (ts.isModuleDeclaration(st)) return 'a namespace';
  if (ts.isEnumDeclaration(st)) return 'an enum';
  return `\`${short(st.getText())}\``;
}
