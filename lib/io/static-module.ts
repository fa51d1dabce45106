/**
 * Reads a tenant file or fleet.ts as data, without running it.
 *
 * Tenant files arrive by pull request and CI compiles them, so they are untrusted: importing one
 * would run whatever it contains with the CLI's rights (files, processes, network, environment,
 * the exit code, GITHUB_TOKEN). Instead the file is parsed (@babel/parser, TypeScript syntax) and
 * only data syntax is evaluated: object and array literals, strings, numbers, booleans, null,
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
import type * as Babel from '@babel/parser';
import type * as B from '@babel/types';
import type { InputFile } from './inputs-digest.mjs';
import { describeNode, describeStatement, indent } from './describe-syntax.ts';
import { type At, DATA_FIX, EVALUATOR_FILE, evaluate, NotData, type Scope, unwrap } from './evaluate-data.ts';
import { type Issue, type IssueCode, type Position, type SourcePositions } from '../model/issue.ts';

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

/**
 * The value of a file's default export with the positions of its parts, or why it is not data.
 * `valueDigest`: as the read cache gives it (ReadCache), passed on to LoadedFile.
 */
export type StaticModule = { readonly value: unknown; readonly positions: SourcePositions; readonly valueDigest?: string } | { readonly issues: Issue[] };

let babel: typeof Babel | undefined;
/**
 * The parser is loaded on first use: commands that read no tenant file do not pay for it. With
 * `require`, so bin/code-cache.mjs serves its compiled code from V8's code cache (Node 20 has none
 * for ES modules). Babel 7, not 8: Babel 8 needs Node >= 22.18, and tenantctl supports Node 20.19.
 * Not the TypeScript compiler, which the reader used before: typescript.js is 9 MB, and loading it
 * (about 0.15 s even from the code cache) was most of a re-synth after one tenant file changed;
 * @babel/parser is 0.5 MB and gives the same syntax tree positions.
 */
function parser(): typeof Babel {
  babel ??= createRequire(import.meta.url)('@babel/parser') as typeof Babel;
  return babel;
}

/** A parsed file, with the errors Babel recovered from: a file with any is never read as data. */
interface Parsed {
  readonly file: string;
  readonly source: string;
  readonly program: B.Program;
  readonly errors: Issue[];
}

const SYNTAX_FIX = 'fix the syntax at that position (your editor underlines it; `npm run typecheck` shows it too)';

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
  if (cached) return { value: cached.value, positions: sourcePositions(cached.positions), valueDigest: cached.valueDigest };
  if (source === undefined) {
    // Known by its hash only, and not cached: read now, and only the bytes that were hashed.
    const bytes = fromDisk();
    if (!Buffer.isBuffer(bytes)) return bytes;
    if (contentHash(bytes) !== hash) return { issues: [{ code: rules.code, file, path: '', message: 'changed while tenantctl was reading the inputs', fix: 'run the command again once the file is saved' }] };
    source = bytes.toString('utf8');
  }
  const reader = new Reader(root, rules);
  const read = reader.readMain(file, source);
  if ('issues' in read) return read;
  let valueDigest: string | undefined;
  if (key) {
    // Only files whose value depends on their own text alone (no shared data file imported).
    if (read.cacheable) valueDigest = readCache!.set(key, { value: read.value, positions: read.table }) ?? undefined;
  }
  return { value: read.value, positions: read.positions, valueDigest };
}

/**
 * Values of files read before, by a hash of the reader's own code, the kind and the file's text:
 * at fleet scale parsing is most of the cost of reading, and a re-synth reads unchanged files.
 */
export interface ReadCache {
  /**
   * `positions` may come as a function that gives the table: only an issue needs it, so it can be
   * read when one does. `valueDigest`: see LoadedFile (compile.ts); a cache that keeps the value's
   * JSON has it at hand, and every value read is looked up by it.
   */
  get(key: string): { value: unknown; positions: PositionTable | (() => PositionTable); valueDigest?: string } | undefined;
  /** The value's digest when the cache computed it from the JSON it stores (as `get` gives it later). */
  set(key: string, entry: { value: unknown; positions: PositionTable }): string | void;
}

/** The reader's code, so a changed reader never reuses what an older one read. */
const READER_VERSION = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).update(readFileSync(EVALUATOR_FILE)).digest('hex');

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

  constructor(private readonly root: string, private readonly rules: KindRules) {}

  /**
   * Our own refusals come before the errors Babel recovered from: Babel reports as recoverable
   * what the TypeScript compiler's parser accepted and only its checker refused (`let x` declared
   * twice, `with`, a second `__proto__`), and a file's first refused construct says more. A file
   * with a recovered error is never read as data, though: its value would not be what TypeScript
   * reads.
   */
  readMain(file: string, source: string): { readonly issues: Issue[] } | { value: unknown; positions: SourcePositions; table: PositionTable; cacheable: boolean } {
    const parsed = this.parse(file, source);
    if ('issues' in parsed) return parsed;
    const positions = new Map<string, At>();
    try {
      const scope = this.scopeOf(parsed, 'main');
      const defaults = parsed.program.body.filter(isExportAssignment);
      if (defaults.length === 0) {
        throw new NotData(firstToken(parsed.program), 'has no default export', `end the file with \`export default ${this.rules.helper}({...})\`, as in:\n${indent(this.rules.example)}`);
      }
      const exported = unwrap(assigned(defaults[0]));
      if ((exported.type !== 'CallExpression' && exported.type !== 'OptionalCallExpression') || exported.callee.type !== 'Identifier' || scope.helpers.has(exported.callee.name) === false) {
        throw new NotData(exported, `the default export must be \`${this.rules.helper}({...})\`, found ${describeNode(source, exported)}`, `write \`export default ${this.rules.helper}({...})\`, with ${this.rules.helper} imported from ${this.rules.schemaModule}`);
      }
      if (exported.arguments.length !== 1) {
        throw new NotData(exported, `${this.rules.helper} takes exactly one object, found ${exported.arguments.length} arguments`, `write \`export default ${this.rules.helper}({...})\``);
      }
      const value = evaluate(exported.arguments[0], scope, [], positions);
      if (parsed.errors.length) return { issues: parsed.errors };
      const table = positionTable(positions);
      return { value, positions: sourcePositions(table), table, cacheable: this.shared.size === 0 };
    } catch (error) {
      if (error instanceof NotData) return { issues: [this.issueAt(error, file)] };
      throw error;
    }
  }

  private issueAt(error: NotData, file: string): Issue {
    const loc = error.node.loc!;
    return { code: this.rules.code, file: loc.filename ?? file, path: '', line: loc.start.line, column: loc.start.column + 1, message: error.message, fix: error.fix };
  }

  /**
   * The file's syntax tree, or its syntax error: Babel throws on an error it cannot recover from,
   * and lists the others (the first 5 are kept, as the TypeScript compiler's were). Its message
   * ends with `(line:column)`, which the issue carries already; its column is 0-based.
   */
  private parse(file: string, source: string): Parsed | { readonly issues: Issue[] } {
    const issue = (e: SyntaxError & { loc?: { line: number; column: number } }): Issue => ({ code: this.rules.code, file, path: '', line: e.loc!.line, column: e.loc!.column + 1, message: `is not valid TypeScript: ${e.message.replace(/ \(\d+:\d+\)$/, '')}`, fix: SYNTAX_FIX });
    let ast: Babel.ParseResult<B.File>;
    try {
      // Top-level `await` parses (Babel 7 allows it in modules) and is refused as code, by scopeOf.
      ast = parser().parse(source, { sourceType: 'module', sourceFilename: file, plugins: ['typescript', 'decorators'], errorRecovery: true, createParenthesizedExpressions: true, attachComment: false });
    } catch (error) {
      if (error instanceof SyntaxError && 'loc' in error) return { issues: [issue(error as SyntaxError & { loc: { line: number; column: number } })] };
      throw error;
    }
    return { file, source, program: ast.program, errors: (ast.errors ?? []).slice(0, 5).map(issue) };
  }

  /**
   * The names a file's data may refer to: its `const` declarations, in order, and its imports.
   * Every other statement is refused here, so nothing in the file is ever evaluated as code.
   */
  private scopeOf(parsed: Parsed, role: 'main' | 'shared'): Scope {
    const { program, file, source } = parsed;
    const scope: Scope = { values: new Map(), helpers: new Set(), helper: this.rules.helper, file, source };
    const refuse = (st: B.Statement | B.Directive) => new NotData(st, `${describeStatement(source, st)} is not allowed: a tenant file describes data, and nothing in it runs`, DATA_FIX);
    const [directive] = program.directives;
    if (directive) throw refuse(directive);
    for (const st of program.body) {
      // `export const`, `export declare const`: TypeScript's variable statement with modifiers.
      const inner = st.type === 'ExportNamedDeclaration' && st.declaration ? st.declaration : st;
      if (st.type === 'ImportDeclaration') this.importInto(st, scope);
      else if (inner.type === 'VariableDeclaration') {
        if (inner.kind !== 'const') throw new NotData(st, '`let` and `var` are not allowed in a tenant file', 'declare it with `const`');
        if (inner.declare) throw new NotData(st, '`declare` is not allowed in a tenant file', DATA_FIX);
        for (const d of inner.declarations) {
          if (d.id.type !== 'Identifier') throw new NotData(d.id, 'destructuring is not allowed in a tenant file', 'declare one `const name = value` per value');
          if (!d.init) throw new NotData(d, `const ${d.id.name} has no value`, 'give it a value');
          scope.values.set(d.id.name, { value: evaluate(d.init, scope, undefined, undefined), exported: inner !== st });
        }
      } else if (isExportAssignment(st)) {
        if (role === 'shared') throw new NotData(st, 'a shared data file has no default export', 'export named constants: `export const name = value`');
        if (st.type === 'TSExportAssignment') throw new NotData(st, '`export =` is not allowed', `write \`export default ${this.rules.helper}({...})\``);
        if (program.body.filter(isExportAssignment).length > 1) throw new NotData(st, 'has more than one default export', 'keep one `export default`');
      } else if (!isTypeOnly(st)) {
        throw refuse(st);
      }
    }
    return scope;
  }

  private importInto(st: B.ImportDeclaration, scope: Scope): void {
    const specifier = st.source.value;
    if (st.importKind === 'type') return; // `import type { ... }`: types only
    const target = specifier.startsWith('.') ? normalize(join(dirname(scope.file), specifier)) : undefined;
    const isSchema = target === this.rules.schemaModule;
    const isShared = target !== undefined && /^tenants\/(.+\/)?_[^/]+\.ts$/.test(target);
    if (!hasClause(scope.source, st)) throw new NotData(st, `import "${specifier}" is not allowed: an import for its side effects would run code`, 'remove it');
    if (!isSchema && !isShared) {
      throw new NotData(st.source, `import from "${specifier}" is not allowed: a tenant file may import only ${this.rules.schemaModule} (the ${this.rules.helper} helper and its types) and shared data files tenants/_*.ts`, 'remove the import and write the values here, or move shared constants into a file tenants/_<name>.ts');
    }
    const named = `import named values: \`import { ${isSchema ? this.rules.helper : 'NAME'} } from '${specifier}'\``;
    const byDefault = st.specifiers.find((s) => s.type === 'ImportDefaultSpecifier');
    if (byDefault) throw new NotData(byDefault, 'a default import is not allowed', named);
    const namespace = st.specifiers.find((s) => s.type === 'ImportNamespaceSpecifier');
    if (namespace) throw new NotData(namespace, '`import * as` is not allowed', named);
    const shared = isShared ? this.readShared(target!, st) : undefined;
    for (const el of st.specifiers) {
      if (el.type !== 'ImportSpecifier' || el.importKind === 'type') continue;
      const imported = el.imported.type === 'Identifier' ? el.imported.name : el.imported.value;
      if (isSchema) {
        if (imported !== this.rules.helper) throw new NotData(el, `"${imported}" cannot be imported from ${this.rules.schemaModule} in a data file`, `import only ${this.rules.helper} (and types with \`import type\`)`);
        scope.helpers.add(el.local.name);
      } else {
        if (!shared!.exports.has(imported)) throw new NotData(el, `${target} exports no constant "${imported}"`, `export it there as \`export const ${imported} = ...\``);
        scope.values.set(el.local.name, { value: shared!.exports.get(imported), exported: false });
      }
    }
  }

  /** A shared data file: only consts and types, read as statically as the file importing it. */
  private readShared(target: string, from: B.Node): DataFile {
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
    const invalid = (syntax: Issue) => new NotData(from, `imports ${target}, which ${syntax.message} (line ${syntax.line}:${syntax.column})`, syntax.fix ?? DATA_FIX);
    const parsed = this.parse(target, source);
    if ('issues' in parsed) throw invalid(parsed.issues[0]);
    // A construct refused there is reported in that file (NotData: the node's own file).
    const scope = this.scopeOf(parsed, 'shared');
    if (parsed.errors.length) throw invalid(parsed.errors[0]);
    const data: DataFile = { exports: new Map([...scope.values].filter(([, v]) => v.exported).map(([k, v]) => [k, v.value])) };
    this.shared.set(target, data);
    return data;
  }
}

/** What TypeScript calls an export assignment: `export default <expression>` or `export =`. */
function isExportAssignment(st: B.Statement): st is B.ExportDefaultDeclaration | B.TSExportAssignment {
  if (st.type === 'TSExportAssignment') return true;
  if (st.type !== 'ExportDefaultDeclaration') return false;
  // `export default function/class/interface ...` is a declaration to TypeScript, not an export assignment.
  const kind: string = st.declaration.type;
  return kind !== 'FunctionDeclaration' && kind !== 'ClassDeclaration' && kind !== 'TSDeclareFunction' && kind !== 'TSInterfaceDeclaration';
}

function assigned(st: B.ExportDefaultDeclaration | B.TSExportAssignment): B.Node {
  return st.type === 'TSExportAssignment' ? st.expression : st.declaration;
}

/** Types, `export type`, and empty statements: nothing at run time. */
function isTypeOnly(st: B.Statement): boolean {
  const inner: B.Node = (st.type === 'ExportNamedDeclaration' || st.type === 'ExportDefaultDeclaration') && st.declaration ? st.declaration : st;
  if (inner.type === 'TSInterfaceDeclaration' || inner.type === 'TSTypeAliasDeclaration' || inner.type === 'EmptyStatement') return true;
  // `export type { ... }`, `export type * from`. Babel marks `export declare function f()` a type
  // export too: that one has a declaration, which TypeScript saw as a function.
  if (st.type === 'ExportAllDeclaration') return st.exportKind === 'type';
  return st.type === 'ExportNamedDeclaration' && !st.declaration && st.exportKind === 'type';
}

/**
 * Whether an import has a clause: `import {} from 'x'` binds nothing, as `import 'x'` does, but
 * TypeScript read it as named imports, not as an import for its side effects.
 */
function hasClause(source: string, st: B.ImportDeclaration): boolean {
  if (st.specifiers.length > 0) return true;
  const head = source.slice(st.start!, st.source.start!).replace(/\/\*[\s\S]*?\*\/|\/\/.*/g, '');
  return head.includes('{');
}

/** The position of a file's first token, past comments, or its end: where TypeScript's getStart put a file. */
function firstToken(program: B.Program): At {
  return program.directives[0] ?? program.body[0] ?? { loc: { ...program.loc!, start: program.loc!.end } };
}

/**
 * Line and column of every recorded path, as plain data (cacheable). Babel's column counts UTF-16
 * code units from the line's start, as TypeScript's did, and is 0-based.
 */
function positionTable(nodes: Map<string, At>): PositionTable {
  const table: PositionTable = {};
  for (const [path, n] of nodes) table[path] = [n.loc!.start.line, n.loc!.start.column + 1];
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
