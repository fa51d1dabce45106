/**
 * Writes adoptions into a tenant file's TypeScript source. The file is parsed with ts-morph and
 * only the text of the edited value (or an inserted property) changes, so comments, blank lines and
 * the layout of everything else stay byte-for-byte as the author wrote them. A value the file
 * computes (a call, a variable, a spread after it) is not rewritten: that adoption is reported
 * with the place and what to do by hand, and the others are still applied.
 */
import { type Expression, Node, type ObjectLiteralExpression, Project, type PropertyAssignment, type SourceFile, SyntaxKind } from 'ts-morph';
import { formatPath } from '../model/issue.ts';
import { isPlainObject, literal, type LiteralStyle, nestedLiteral, propertyName } from './literal.ts';
import type { Adoption, SettingPath } from './types.ts';

/**
 * - `adopt.no-tenant-literal`: the default export is not an object literal tenantctl can find.
 * - `adopt.not-a-literal`: the setting, or an object on its way, is computed by code.
 * - `adopt.broken-edit`: the edit would not parse (a tenantctl bug; the file is left as it was).
 */
export type EditIssueCode = 'adopt.no-tenant-literal' | 'adopt.not-a-literal' | 'adopt.broken-edit';

/** Why an adoption could not be written; shaped like the compiler's issues (lib/model/issue.ts). */
export interface EditIssue {
  readonly code: EditIssueCode;
  /** The tenant file, as given to applyAdoptions. */
  readonly file: string;
  /** The setting, e.g. `environments.production.replicas`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** What editTenantSource did: callers report `failed` next to the findings that are not adoptable. */
export interface EditResult {
  /** The source with every applicable adoption written. */
  readonly source: string;
  readonly applied: readonly Adoption[];
  readonly failed: ReadonlyArray<{ readonly adoption: Adoption; readonly issue: EditIssue }>;
}

/** Thrown by applyAdoptions when some adoptions cannot be written; `source` has the others applied. */
export class AdoptionEditError extends Error {
  constructor(readonly issues: readonly EditIssue[], readonly source: string) {
    super(issues.map((i) => `${i.file}: ${i.path}: ${i.message} (${i.fix})`).join('\n'));
    this.name = 'AdoptionEditError';
  }
}

/** One replacement of the text between `start` and `end`. */
interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

class EditFailure extends Error {
  constructor(readonly code: EditIssueCode, message: string, readonly fix: string) {
    super(message);
  }
}

/**
 * `source` (the text of `fileName`) with `adoptions` written in order. Adoptions that cannot be
 * written are left out and listed in `failed`.
 */
export function editTenantSource(source: string, fileName: string, adoptions: readonly Adoption[]): EditResult {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true, noResolve: true } });
  let text = source;
  const applied: Adoption[] = [];
  const failed: Array<{ adoption: Adoption; issue: EditIssue }> = [];
  for (const adoption of adoptions) {
    const path = formatPath(adoption.setting);
    try {
      text = setValue(project, text, adoption.setting, adoption.value, fileName);
      applied.push(adoption);
    } catch (error) {
      if (!(error instanceof EditFailure)) throw error;
      failed.push({ adoption, issue: { code: error.code, file: fileName, path, message: error.message, fix: error.fix } });
    }
  }
  return { source: text, applied, failed };
}

/** `source` with `adoptions` written; throws AdoptionEditError naming each one that cannot be. */
export function applyAdoptions(source: string, fileName: string, adoptions: readonly Adoption[]): string {
  const result = editTenantSource(source, fileName, adoptions);
  if (result.failed.length > 0) throw new AdoptionEditError(result.failed.map((f) => f.issue), result.source);
  return result.source;
}

function parse(project: Project, text: string): SourceFile {
  return project.createSourceFile('/tenant.ts', text, { overwrite: true });
}

/** Writes one value; an object value into an existing object literal is written key by key. */
function setValue(project: Project, text: string, setting: SettingPath, value: unknown, fileName: string): string {
  const sf = parse(project, text);
  const root = tenantObject(sf, fileName);
  const target = find(root, setting, fileName);
  if (isPlainObject(value) && target.kind === 'found' && Node.isObjectLiteralExpression(unwrap(target.value))) {
    for (const [key, v] of Object.entries(value)) text = setValue(project, text, [...setting, key], v, fileName);
    return text;
  }
  const edit = target.kind === 'found' ? replaceValue(sf, target.value, value, setting, fileName) : insertProperty(sf, target.object, target.rest, value);
  if (!edit) return text;
  const next = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  const check = parse(project, next);
  const broken = project.getProgram().getSyntacticDiagnostics(check);
  if (broken.length > 0) {
    throw new EditFailure('adopt.broken-edit', `writing ${formatPath(setting)} produced invalid TypeScript (${String(broken[0].getMessageText())})`, 'edit the file by hand and report the case as a tenantctl bug');
  }
  return next;
}

/** The object literal the file exports: `export default defineTenant({...})` and close variants. */
function tenantObject(sf: SourceFile, fileName: string): ObjectLiteralExpression {
  const fail = (found: string) =>
    new EditFailure(
      'adopt.no-tenant-literal',
      `the default export is ${found}, not defineTenant({...}) with an object literal`,
      `end ${fileName} with \`export default defineTenant({...})\` and write the settings as literals`,
    );
  const exported = sf.getExportAssignment((e) => !e.isExportEquals());
  if (!exported) throw fail('missing');
  let node: Node = unwrap(exported.getExpression());
  if (Node.isIdentifier(node)) {
    const init = sf.getVariableDeclaration(node.getText())?.getInitializer();
    if (!init) throw fail(`\`${node.getText()}\`, which is not declared in this file`);
    node = unwrap(init);
  }
  if (Node.isCallExpression(node) && node.getExpression().getText() === 'defineTenant' && node.getArguments().length === 1) node = unwrap(node.getArguments()[0] as Expression);
  if (!Node.isObjectLiteralExpression(node)) throw fail(`\`${abbreviate(node.getText())}\``);
  return node;
}

/** Looks through `(...)`, `as`, `satisfies` and `!` to the expression itself. */
function unwrap(node: Node): Node {
  let n = node;
  while (Node.isParenthesizedExpression(n) || Node.isAsExpression(n) || Node.isSatisfiesExpression(n) || Node.isNonNullExpression(n)) n = n.getExpression();
  return n;
}

type Target =
  | { readonly kind: 'found'; readonly value: Expression }
  /** `rest` of the path is missing below `object`, its first key included. */
  | { readonly kind: 'absent'; readonly object: ObjectLiteralExpression; readonly rest: SettingPath };

function find(root: ObjectLiteralExpression, setting: SettingPath, fileName: string): Target {
  let object = root;
  for (let i = 0; i < setting.length; i++) {
    const key = setting[i];
    const walked = formatPath(setting.slice(0, i + 1));
    const prop = property(object, key, walked, fileName);
    if (!prop) return { kind: 'absent', object, rest: setting.slice(i) };
    const value = prop.getInitializerOrThrow();
    if (i === setting.length - 1) return { kind: 'found', value };
    const inner = unwrap(value);
    if (!Node.isObjectLiteralExpression(inner)) throw notLiteral(walked, inner, fileName, setting);
    object = inner;
  }
  throw new Error('empty setting path');
}

/** The property assignment that decides `key` in `object` (the last one), or undefined. */
function property(object: ObjectLiteralExpression, key: string | number, walked: string, fileName: string): PropertyAssignment | undefined {
  const props = object.getProperties();
  let found: PropertyAssignment | undefined;
  let at = -1;
  props.forEach((p, i) => {
    if (Node.isPropertyAssignment(p) && nameOf(p) === String(key)) (found = p), (at = i);
    else if (Node.isShorthandPropertyAssignment(p) && p.getName() === String(key)) {
      throw new EditFailure('adopt.not-a-literal', `${walked} is the variable \`${p.getName()}\`, not a literal`, `write ${walked} as a literal in ${fileName}, or edit the variable by hand`);
    }
  });
  const spread = props.slice(at + 1).find((p) => Node.isSpreadAssignment(p));
  if (found && spread) {
    throw new EditFailure('adopt.not-a-literal', `${walked} may be overridden by \`${abbreviate(spread.getText())}\` after it`, `move the spread before ${walked} in ${fileName}, or edit the value by hand`);
  }
  return found;
}

function nameOf(p: PropertyAssignment): string | undefined {
  const n = p.getNameNode();
  if (Node.isIdentifier(n) || Node.isPrivateIdentifier(n)) return n.getText();
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isNumericLiteral(n)) return String(n.getLiteralValue());
  return undefined;
}

function notLiteral(walked: string, node: Node, fileName: string, setting: SettingPath): EditFailure {
  return new EditFailure(
    'adopt.not-a-literal',
    `${walked} is \`${abbreviate(node.getText())}\`, computed by code rather than written as a literal`,
    `set ${formatPath(setting)} in ${fileName} by hand`,
  );
}

function abbreviate(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** Literal values a rewrite may replace: written data, not code. */
function isLiteral(node: Node): boolean {
  const n = unwrap(node);
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isNumericLiteral(n)) return true;
  if ([SyntaxKind.TrueKeyword, SyntaxKind.FalseKeyword, SyntaxKind.NullKeyword].includes(n.getKind())) return true;
  if (Node.isPrefixUnaryExpression(n)) return Node.isNumericLiteral(n.getOperand());
  if (Node.isArrayLiteralExpression(n)) return n.getElements().every(isLiteral);
  if (Node.isObjectLiteralExpression(n)) return n.getProperties().every((p) => Node.isPropertyAssignment(p) && isLiteral(p.getInitializerOrThrow()));
  return false;
}

/** The value a literal node holds, for skipping edits that would change nothing. */
function valueOf(node: Node): unknown {
  const n = unwrap(node);
  if (Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isNumericLiteral(n)) return n.getLiteralValue();
  if (Node.isArrayLiteralExpression(n)) return n.getElements().map(valueOf);
  return Symbol('not compared');
}

function replaceValue(sf: SourceFile, node: Expression, value: unknown, setting: SettingPath, fileName: string): TextEdit | undefined {
  if (!isLiteral(node)) throw notLiteral(formatPath(setting), node, fileName, setting);
  if (JSON.stringify(valueOf(node)) === JSON.stringify(value)) return undefined;
  const text = sf.getFullText();
  const n = unwrap(node);
  const quote = Node.isStringLiteral(n) ? n.getText()[0] : fileQuote(sf);
  if (Node.isArrayLiteralExpression(n) && Array.isArray(value)) {
    // Items added after the written ones: append them, so the written items keep their comments.
    const old = n.getElements();
    const kept = JSON.stringify(old.map(valueOf)) === JSON.stringify(value.slice(0, old.length));
    if (kept && old.length > 0) return append(text, n, old, value.slice(old.length).map((v) => literal(v, { quote })), '');
  }
  const style: LiteralStyle = { quote, multiLine: Node.isArrayLiteralExpression(n) ? listLayout(n, text) : undefined };
  return { start: n.getStart(), end: n.getEnd(), text: literal(value, style) };
}

/** The layout of a list written one item per line, or undefined when it is inline. */
function listLayout(list: Node, text: string): LiteralStyle['multiLine'] {
  const elements = list.asKindOrThrow(SyntaxKind.ArrayLiteralExpression).getElements();
  if (elements.length === 0 || !text.slice(list.getStart(), elements[0].getStart()).includes('\n')) return undefined;
  const afterLast = text.slice(elements[elements.length - 1].getEnd(), list.getEnd() - 1);
  return { itemIndent: indentOf(text, elements[0].getStart()), closeIndent: indentOf(text, list.getEnd() - 1), trailingComma: afterLast.trim().startsWith(',') };
}

/** The quotes most string literals of the file use; single when there are none. */
function fileQuote(sf: SourceFile): string {
  let single = 0;
  let double = 0;
  for (const s of sf.getDescendantsOfKind(SyntaxKind.StringLiteral)) s.getText().startsWith('"') ? double++ : single++;
  return double > single ? '"' : "'";
}

/** Whitespace at the start of the line holding `pos`. */
function indentOf(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Index after whitespace and comments from `pos`. */
function skipTrivia(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('//', i)) i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) + 2;
    else return i;
  }
}

/** Adds `rest[0]: <value nested under rest[1..]>` to `object`, in the object's own layout. */
function insertProperty(sf: SourceFile, object: ObjectLiteralExpression, rest: SettingPath, value: unknown): TextEdit {
  const quote = fileQuote(sf);
  return append(sf.getFullText(), object, object.getProperties(), [`${propertyName(rest[0], quote)}: ${nestedLiteral(rest.slice(1), value, { quote })}`], ' ');
}

/**
 * Appends `added` (source text of properties or list items) to an object or list literal the way
 * it is laid out: inline after the last item (`{ a: 1, b: 2 }`), or one per line with the
 * indentation and trailing comma of the last item, after that item's trailing comment.
 */
function append(text: string, container: Node, items: readonly Node[], added: readonly string[], pad: string): TextEdit {
  const open = container.getStart();
  const close = container.getEnd() - 1;
  if (items.length === 0) {
    const inner = text.slice(open + 1, close);
    return inner.trim() === '' ? { start: open + 1, end: close, text: `${pad}${added.join(', ')}${pad}` } : { start: close, end: close, text: `${added.join(', ')}${pad}` };
  }
  const last = items[items.length - 1];
  const next = skipTrivia(text, last.getEnd());
  const comma = text[next] === ',' ? next : undefined;
  if (!text.slice(open, items[0].getStart()).includes('\n')) {
    return comma === undefined ? { start: last.getEnd(), end: last.getEnd(), text: `, ${added.join(', ')}` } : { start: comma + 1, end: comma + 1, text: ` ${added.join(', ')},` };
  }
  // End of the last item's line (its comment included), or just before the bracket sharing that line.
  const from = comma === undefined ? last.getEnd() : comma + 1;
  const newline = text.indexOf('\n', from);
  let at = newline < 0 || newline > close ? close : newline;
  if (at === close) while (at > from && /[ \t]/.test(text[at - 1])) at--;
  const indent = indentOf(text, last.getStart());
  const lines = `\n${indent}${added.join(`,\n${indent}`)}${comma === undefined ? '' : ','}`;
  if (comma !== undefined) return { start: at, end: at, text: lines };
  return { start: last.getEnd(), end: at, text: `,${text.slice(last.getEnd(), at)}${lines}` };
}
