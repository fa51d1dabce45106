/**
 * Reads a tenant file or fleet.ts as data, without running it.
 *
 * Tenant files arrive by pull request and CI compiles them, so they are untrusted: importing one
 * would run whatever it contains with the CLI's rights (files, processes, network, environment,
 * the exit code, GITHUB_TOKEN). Instead the file is parsed with the TypeScript compiler and only
 * data syntax is evaluated: object and array literals, strings, numbers, booleans, null,
 * templates without substitutions, `as const`/`satisfies`, references to `const` declarations of
 * the same file, and named imports from the schema module or from shared data files under
 * tenants/ (`tenants/_*.ts`, read the same way). Everything else is an issue with line, column
 * and fix, and never runs. The parse also gives each value's position, so every later error
 * (zod, tiers, placement) can point at the line to change.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import type { InputFile } from './inputs-digest.mjs';
import { describeNode, describeStatement, indent, short, typeName } from './describe-syntax.ts';
import { formatPath, type Issue, type IssueCode, type Position, type SourcePositions } from '../model/issue.ts';

export type { Position, SourcePositions };

export type StaticModuleKind = 'tenant' | 'fleet';

/** `[line, column]` by field path. */
export type PositionTable = Record<string, [number, number]>;

interface KindRules {
  readonly code: IssueCode;
  /** The define helper the default export calls, and the repository-relative module exporting it. */
  readonly helper: string;
  readonly schemaModule: string;
  readonly example: string;
}

const RULES: Record<StaticModuleKind, KindRules> = {
  tenant: { code: 'tenant.load-failed', helper: 'defineTenant', schemaModule: 'lib/tenant/schema.ts', example: "import { defineTenant } from '../lib/tenant/schema.ts';\nexport default defineTenant({ ... });" },
  fleet: { code: 'fleet.load-failed', helper: 'defineFleet', schemaModule: 'lib/fleet/schema.ts', example: "import { defineFleet } from './lib/fleet/schema.ts';\nexport default defineFleet({ ... });" },
};

/** The value of a file's default export with the positions of its parts, or why it is not data. */
export type StaticModule = { readonly value: unknown; readonly positions: SourcePositions } | { readonly issues: Issue[] };

let ts: typeof TS | undefined;
/**
 * The compiler is loaded on first use: commands that read no tenant file do not pay for it. With
 * `require`, not `import()`: typescript.js is one 9 MB CommonJS file, and an ESM import first scans
 * all of it for named exports (about 0.4 s, twice the cost of loading it).
 */
async function compiler(): Promise<typeof TS> {
  ts ??= createRequire(import.meta.url)('typescript') as typeof TS;
  return ts;
}

/** Thrown inside the evaluator for the first construct that is not data; becomes an Issue. */
class NotData extends Error {
  constructor(readonly node: TS.Node, message: string, readonly fix: string, readonly file?: string) {
    super(message);
  }
}

/** A value from a shared data file: exported consts only. */
interface DataFile {
  readonly exports: Map<string, unknown>;
}

/** A link could point at any file of the machine running CI, and errors quote the file's text. */
const SYMLINK_FIX = 'replace the link with the file itself: tenant files, shared data files and fleet.ts are read only as regular files';

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

const DATA_FIX = 'a tenant file holds data only: write the value as a literal (string, number, boolean, object, array) or a `const` of this file';
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads `file` (repository-relative, under `root`) as `kind`. Pure apart from reading the file and
 * the shared data files it imports; never imports or runs any of them. `given`: the file's text
 * (a draft not on disk), or the file as the inputs key hashed it (lib/io/inputs-digest.mjs): a
 * value cached under that hash is used without reading the file, and a file read here must still
 * have that hash.
 */
export async function readStaticModule(root: string, file: string, kind: StaticModuleKind, given?: string | InputFile, readCache?: ReadCache): Promise<StaticModule> {
  const rules = RULES[kind];
  const fromDisk = (): Buffer | { issues: Issue[] } => {
    if (isSymlink(join(root, file))) return { issues: [{ code: rules.code, file, path: '', message: 'is a symbolic link', fix: SYMLINK_FIX }] };
    try {
      return readFileSync(join(root, file));
    } catch (error) {
      return { issues: [{ code: rules.code, file, path: '', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, fix: 'check that the file exists and is readable' }] };
    }
  };
  let source = typeof given === 'string' ? given : given?.bytes?.toString('utf8');
  let hash = typeof given === 'string' ? undefined : given?.hash;
  if (source === undefined && !(hash && readCache)) {
    const bytes = fromDisk();
    if (!Buffer.isBuffer(bytes)) return bytes;
    source = bytes.toString('utf8');
    hash = contentHash(bytes);
  }
  const key = readCache ? readCacheKey(kind, hash ?? contentHash(Buffer.from(source!, 'utf8'))) : undefined;
  const cached = key ? readCache!.get(key) : undefined;
  if (cached) return { value: cached.value, positions: sourcePositions(cached.positions) };
  if (source === undefined) {
    // Known by its hash only, and not cached: read now, and only the bytes that were hashed.
    const bytes = fromDisk();
    if (!Buffer.isBuffer(bytes)) return bytes;
    if (contentHash(bytes) !== hash) return { issues: [{ code: rules.code, file, path: '', message: 'changed while tenantctl was reading the inputs', fix: 'run the command again once the file is saved' }] };
    source = bytes.toString('utf8');
  }
  const t = await compiler();
  const reader = new Reader(t, root, rules);
  const read = reader.readMain(file, source);
  if ('issues' in read) return read;
  if (key) {
    // Only files whose value depends on their own text alone (no shared data file imported).
    if (read.cacheable) readCache!.set(key, { value: read.value, positions: read.table });
  }
  return { value: read.value, positions: read.positions };
}

/**
 * Values of files read before, by a hash of the reader's own code, the kind and the file's text:
 * at fleet scale parsing is most of the cost of reading, and a re-synth reads unchanged files.
 */
export interface ReadCache {
  /** `positions` may come as a function that gives the table: only an issue needs it, so it can be read when one does. */
  get(key: string): { value: unknown; positions: PositionTable | (() => PositionTable) } | undefined;
  set(key: string, entry: { value: unknown; positions: PositionTable }): void;
}

/** The reader's code, so a changed reader never reuses what an older one read. */
const READER_VERSION = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');

/** SHA-256 (base64) of a file's bytes: the inputs key's content hash (lib/io/inputs-digest.mjs). */
function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** A read value's key: the reader's own code, the kind, and the file's content hash. */
function readCacheKey(kind: StaticModuleKind, hash: string): string {
  return createHash('sha256').update(READER_VERSION).update('\0').update(kind).update('\0sha256:').update(hash).digest('hex');
}

class Reader {
  /** Shared data files by repository-relative path, once read; `null` while being read (a cycle). */
  private readonly shared = new Map<string, DataFile | null>();

  constructor(private readonly ts: typeof TS, private readonly root: string, private readonly rules: KindRules) {}

  readMain(file: string, source: string): { readonly issues: Issue[] } | { value: unknown; positions: SourcePositions; table: PositionTable; cacheable: boolean } {
    const ts = this.ts;
    const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const syntax = this.syntaxIssues(sf, file);
    if (syntax.length) return { issues: syntax };
    const positions = new Map<string, TS.Node>();
    try {
      const scope = this.scopeOf(sf, file, 'main');
      const defaults = sf.statements.filter(ts.isExportAssignment);
      if (defaults.length === 0) {
        throw new NotData(sf, 'has no default export', `end the file with \`export default ${this.rules.helper}({...})\`, as in:\n${indent(this.rules.example)}`);
      }
      const exported = unwrap(ts, defaults[0].expression);
      if (!ts.isCallExpression(exported) || !ts.isIdentifier(exported.expression) || scope.helpers.has(exported.expression.text) === false) {
        throw new NotData(exported, `the default export must be \`${this.rules.helper}({...})\`, found ${describeNode(ts, exported)}`, `write \`export default ${this.rules.helper}({...})\`, with ${this.rules.helper} imported from ${this.rules.schemaModule}`);
      }
      if (exported.arguments.length !== 1) {
        throw new NotData(exported, `${this.rules.helper} takes exactly one object, found ${exported.arguments.length} arguments`, `write \`export default ${this.rules.helper}({...})\``);
      }
      const value = this.evaluate(exported.arguments[0], scope, [], positions);
      const table = positionTable(sf, positions);
      return { value, positions: sourcePositions(table), table, cacheable: this.shared.size === 0 };
    } catch (error) {
      if (error instanceof NotData) return { issues: [this.issueAt(error, file)] };
      throw error;
    }
  }

  private issueAt(error: NotData, file: string): Issue {
    const sf = error.node.getSourceFile();
    const { line, character } = sf.getLineAndCharacterOfPosition(error.node.getStart(sf));
    return { code: this.rules.code, file: error.file ?? file, path: '', line: line + 1, column: character + 1, message: error.message, fix: error.fix };
  }

  private syntaxIssues(sf: TS.SourceFile, file: string): Issue[] {
    const ts = this.ts;
    const diagnostics = (sf as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
    return diagnostics.slice(0, 5).map((d) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
      return { code: this.rules.code, file, path: '', line: line + 1, column: character + 1, message: `is not valid TypeScript: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (TS${d.code})`, fix: 'fix the syntax at that position (your editor underlines it; `npm run typecheck` shows it too)' };
    });
  }

  /**
   * The names a file's data may refer to: its `const` declarations, in order, and its imports.
   * Every other statement is refused here, so nothing in the file is ever evaluated as code.
   */
  private scopeOf(sf: TS.SourceFile, file: string, role: 'main' | 'shared'): Scope {
    const ts = this.ts;
    const scope: Scope = { values: new Map(), helpers: new Set(), file };
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st)) this.importInto(st, file, scope);
      else if (ts.isVariableStatement(st)) {
        if (!(st.declarationList.flags & ts.NodeFlags.Const)) throw new NotData(st, '`let` and `var` are not allowed in a tenant file', 'declare it with `const`');
        if (st.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) throw new NotData(st, '`declare` is not allowed in a tenant file', DATA_FIX);
        for (const d of st.declarationList.declarations) {
          if (!ts.isIdentifier(d.name)) throw new NotData(d.name, 'destructuring is not allowed in a tenant file', 'declare one `const name = value` per value');
          if (!d.initializer) throw new NotData(d, `const ${d.name.text} has no value`, 'give it a value');
          scope.values.set(d.name.text, { value: this.evaluate(d.initializer, scope, undefined, undefined), exported: Boolean(st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) });
        }
      } else if (ts.isExportAssignment(st)) {
        if (role === 'shared') throw new NotData(st, 'a shared data file has no default export', 'export named constants: `export const name = value`');
        if (st.isExportEquals) throw new NotData(st, '`export =` is not allowed', `write \`export default ${this.rules.helper}({...})\``);
        if (sf.statements.filter(ts.isExportAssignment).length > 1) throw new NotData(st, 'has more than one default export', 'keep one `export default`');
      } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEmptyStatement(st)) {
        // types and empty statements do nothing at run time
      } else if (ts.isExportDeclaration(st) && st.isTypeOnly) {
        // `export type { ... }`
      } else {
        throw new NotData(st, `${describeStatement(ts, st)} is not allowed: a tenant file describes data, and nothing in it runs`, DATA_FIX);
      }
    }
    return scope;
  }

  private importInto(st: TS.ImportDeclaration, file: string, scope: Scope): void {
    const ts = this.ts;
    const specifier = (st.moduleSpecifier as TS.StringLiteral).text;
    const clause = st.importClause;
    if (clause?.isTypeOnly) return; // `import type { ... }`: types only
    const target = specifier.startsWith('.') ? normalize(join(dirname(file), specifier)) : undefined;
    const isSchema = target === this.rules.schemaModule;
    const isShared = target !== undefined && /^tenants\/(.+\/)?_[^/]+\.ts$/.test(target);
    if (!clause) throw new NotData(st, `import "${specifier}" is not allowed: an import for its side effects would run code`, 'remove it');
    if (!isSchema && !isShared) {
      throw new NotData(st.moduleSpecifier, `import from "${specifier}" is not allowed: a tenant file may import only ${this.rules.schemaModule} (the ${this.rules.helper} helper and its types) and shared data files tenants/_*.ts`, 'remove the import and write the values here, or move shared constants into a file tenants/_<name>.ts');
    }
    if (clause.name) throw new NotData(clause.name, 'a default import is not allowed', `import named values: \`import { ${isSchema ? this.rules.helper : 'NAME'} } from '${specifier}'\``);
    const bindings = clause.namedBindings;
    if (!bindings) return;
    if (!ts.isNamedImports(bindings)) throw new NotData(bindings, '`import * as` is not allowed', `import named values: \`import { ${isSchema ? this.rules.helper : 'NAME'} } from '${specifier}'\``);
    const shared = isShared ? this.readShared(target!, st) : undefined;
    for (const el of bindings.elements) {
      if (el.isTypeOnly) continue;
      const imported = (el.propertyName ?? el.name).text;
      if (isSchema) {
        if (imported !== this.rules.helper) throw new NotData(el, `"${imported}" cannot be imported from ${this.rules.schemaModule} in a data file`, `import only ${this.rules.helper} (and types with \`import type\`)`);
        scope.helpers.add(el.name.text);
      } else {
        if (!shared!.exports.has(imported)) throw new NotData(el, `${target} exports no constant "${imported}"`, `export it there as \`export const ${imported} = ...\``);
        scope.values.set(el.name.text, { value: shared!.exports.get(imported), exported: false });
      }
    }
  }

  /** A shared data file: only consts and types, read as statically as the file importing it. */
  private readShared(target: string, from: TS.Node): DataFile {
    const known = this.shared.get(target);
    if (known === null) throw new NotData(from, `${target} imports itself through other files`, 'remove the import cycle');
    if (known) return known;
    let source: string;
    if (isSymlink(join(this.root, target))) throw new NotData(from, `imports ${target}, which is a symbolic link`, SYMLINK_FIX);
    try {
      source = readFileSync(join(this.root, target), 'utf8');
    } catch {
      throw new NotData(from, `imports ${target}, which does not exist`, 'create it or fix the path');
    }
    this.shared.set(target, null);
    const ts = this.ts;
    const sf = ts.createSourceFile(target, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const syntax = this.syntaxIssues(sf, target);
    if (syntax.length) throw new NotData(from, `imports ${target}, which ${syntax[0].message} (line ${syntax[0].line}:${syntax[0].column})`, syntax[0].fix ?? DATA_FIX);
    let scope: Scope;
    try {
      scope = this.scopeOf(sf, target, 'shared');
    } catch (error) {
      if (error instanceof NotData && !error.file && error.node.getSourceFile() === sf) throw new NotData(error.node, error.message, error.fix, target);
      throw error;
    }
    const data: DataFile = { exports: new Map([...scope.values].filter(([, v]) => v.exported).map(([k, v]) => [k, v.value])) };
    this.shared.set(target, data);
    return data;
  }

  /**
   * The value of a data expression. `path` and `positions` record where each part of the default
   * export is written; consts are evaluated without them (their uses are positioned instead).
   */
  private evaluate(node: TS.Expression, scope: Scope, path: PropertyKey[] | undefined, positions: Map<string, TS.Node> | undefined): unknown {
    const ts = this.ts;
    const e = unwrap(ts, node);
    const record = (at: PropertyKey[], n: TS.Node) => {
      if (path && positions) positions.set(formatPath(at), n);
    };
    if (path) record(path, node);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
    if (ts.isNumericLiteral(e)) return Number(e.text);
    if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (e.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
      const operand = unwrap(ts, e.operand);
      if (ts.isNumericLiteral(operand)) return e.operator === ts.SyntaxKind.MinusToken ? -Number(operand.text) : Number(operand.text);
      throw new NotData(e, `${describeNode(ts, e)} is not allowed: only a number may carry a sign`, DATA_FIX);
    }
    if (ts.isIdentifier(e)) return this.lookup(e, scope);
    if (ts.isArrayLiteralExpression(e)) {
      const out: unknown[] = [];
      for (const el of e.elements) {
        if (ts.isOmittedExpression(el)) throw new NotData(e, 'an array with a hole (`[a, , b]`) is not allowed', 'remove the extra comma');
        if (ts.isSpreadElement(el)) {
          const spread = this.evaluate(el.expression, scope, undefined, undefined);
          if (!Array.isArray(spread)) throw new NotData(el, `only an array can be spread into an array, found ${typeName(spread)}`, 'spread a `const` array of this file');
          for (const v of spread) {
            record([...(path ?? []), out.length], el);
            out.push(v);
          }
          continue;
        }
        out.push(this.evaluate(el, scope, path && [...path, out.length], positions));
      }
      return out;
    }
    if (ts.isObjectLiteralExpression(e)) {
      const out: Record<string, unknown> = {};
      const seen = new Map<string, TS.Node>();
      for (const p of e.properties) {
        if (ts.isSpreadAssignment(p)) {
          const spread = this.evaluate(p.expression, scope, undefined, undefined);
          if (typeof spread !== 'object' || spread === null || Array.isArray(spread)) throw new NotData(p, `only an object can be spread into an object, found ${typeName(spread)}`, 'spread a `const` object of this file');
          for (const [k, v] of Object.entries(spread)) {
            out[k] = v;
            seen.set(k, p);
            record([...(path ?? []), k], p);
          }
          continue;
        }
        if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) {
          throw new NotData(p, `${describeNode(ts, p)} is not allowed in a tenant file: it would be code`, 'write `field: value` with a literal value');
        }
        const key = this.keyOf(p.name);
        if (FORBIDDEN_KEYS.has(key)) throw new NotData(p.name, `the field name "${key}" is not allowed`, 'remove it');
        const earlier = seen.get(key);
        if (earlier) {
          const sf = earlier.getSourceFile();
          const first = sf.getLineAndCharacterOfPosition(earlier.getStart(sf));
          throw new NotData(p.name, `"${key}" is written twice in this object (first at line ${first.line + 1}:${first.character + 1}); TypeScript keeps only the last (TS1117)`, `keep one "${key}": merge the two or remove one`);
        }
        seen.set(key, p);
        const at = path && [...path, key];
        if (ts.isShorthandPropertyAssignment(p)) {
          if (at) record(at, p);
          out[key] = this.lookup(p.name, scope);
        } else {
          out[key] = this.evaluate(p.initializer, scope, at, positions);
          // Point at the field, not at its value: `replicas: 2` is where the change goes.
          if (at) record(at, p);
        }
      }
      return out;
    }
    if (ts.isCallExpression(e)) {
      const callee = e.expression.getText();
      throw new NotData(e, `a call (\`${short(callee)}(...)\`) is not allowed: a tenant file describes data, and nothing in it runs`, DATA_FIX);
    }
    throw new NotData(e, `${describeNode(ts, e)} is not allowed: a tenant file describes data, and nothing in it runs`, DATA_FIX);
  }

  private keyOf(name: TS.PropertyName): string {
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
    if (ts.isNumericLiteral(name)) return String(Number(name.text));
    throw new NotData(name, 'a computed field name (`[expr]: value`) is not allowed', 'write the name as a plain identifier or a quoted string');
  }

  private lookup(id: TS.Identifier, scope: Scope): unknown {
    const found = scope.values.get(id.text);
    if (found) return found.value;
    if (id.text === 'undefined') throw new NotData(id, '`undefined` is not a value a tenant file can hold', 'leave the field out to take the default');
    if (scope.helpers.has(id.text)) throw new NotData(id, `${id.text} can only be called once, as the default export`, `write \`export default ${this.rules.helper}({...})\``);
    throw new NotData(id, `"${id.text}" is not a constant of this file`, `declare it above with \`const ${id.text} = ...\` (a literal), or import it from a shared data file tenants/_*.ts`);
  }
}

interface Scope {
  readonly values: Map<string, { value: unknown; exported: boolean }>;
  /** Local names of the define helper. */
  readonly helpers: Set<string>;
  readonly file: string;
}

/** `x as const`, `x satisfies T`, `<T>x`, `(x)`, `x!`: the value is `x`. */
function unwrap(ts: typeof TS, node: TS.Expression): TS.Expression {
  let e = node;
  for (;;) {
    if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    else return e;
  }
}

/** Line and column of every recorded path, as plain data (cacheable). */
function positionTable(sf: TS.SourceFile, nodes: Map<string, TS.Node>): PositionTable {
  const table: PositionTable = {};
  for (const [path, n] of nodes) {
    const { line, character } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    table[path] = [line + 1, character + 1];
  }
  return table;
}

/** `at(path)` over a table: the path's own position or its nearest recorded ancestor's. */
export function sourcePositions(positions: PositionTable | (() => PositionTable)): SourcePositions {
  let table: PositionTable | undefined;
  return {
    at(path) {
      table ??= typeof positions === 'function' ? positions() : positions;
      for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
        const hit = Object.hasOwn(table, p) ? table[p] : undefined;
        if (hit) return { line: hit[0], column: hit[1] };
      }
      return undefined;
    },
  };
}

/** `a.b[2]` → `a.b`, `a.b` → `a`, `a` → `` , `` → undefined. */
export function parentPath(path: string): string | undefined {
  if (path === '') return undefined;
  const m = /(\.[^.[\]]+|\[\d+\])$/.exec(path);
  return m ? path.slice(0, m.index) : '';
}
