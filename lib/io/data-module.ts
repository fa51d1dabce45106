/**
 * Fast path for input files that are pure data: `import { defineTenant } from
 * '../lib/tenant/schema.ts'` followed by `export default defineTenant({...})`.
 *
 * Importing a file through the TypeScript loader costs about 0.7 ms of loader round trips, which
 * is most of a synth at a thousand tenants. A file whose only imports are named imports of its
 * schema module, and whose remaining text is plain JavaScript, evaluates to the same value when
 * its body runs as a strict function with those names bound to the same exports. Anything else
 * (other imports, dynamic import, TypeScript-only syntax, a throw) is declined, and the caller
 * imports the file as before, so errors keep their usual wording and line numbers.
 */
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A module a data file may import, by the specifier it is imported with. */
export interface DataImport {
  /** Specifier as written in the file, e.g. `../lib/tenant/schema.ts`. */
  readonly specifier: string;
  /** Absolute path of the module the caller holds; a file importing another copy is declined. */
  readonly path: string;
  readonly exports: Readonly<Record<string, unknown>>;
}

const IMPORT_LINE = /^import\s*(type\s+)?\{([^}]*)\}\s*from\s*(['"])([^'"]+)\3\s*;?[ \t]*$/;
const BINDING = /^(type\s+)?([A-Za-z_$][\w$]*)(\s+as\s+([A-Za-z_$][\w$]*))?$/;

const realpaths = new Map<string, string | undefined>();
function realpath(path: string): string | undefined {
  if (!realpaths.has(path)) {
    let real: string | undefined;
    try {
      real = realpathSync(path);
    } catch {
      real = undefined;
    }
    realpaths.set(path, real);
  }
  return realpaths.get(path);
}

/**
 * The default export of `source` (the text of the file at `absolutePath`), or `undefined` when the
 * file is not pure data as described above and must be imported instead.
 */
export function evaluateDataModule(absolutePath: string, source: string, allowed: readonly DataImport[]): { value: unknown } | undefined {
  // Anything that could load code or depend on the module system is declined outright.
  if (/\bimport\s*\(|\bimport\.meta\b|\brequire\s*\(|\bexport\s*\*/.test(source)) return undefined;
  const names: string[] = [];
  const values: unknown[] = [];
  const lines = source.split('\n');
  let defaults = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*import\b/.test(line)) {
      const m = IMPORT_LINE.exec(line.trim());
      if (!m) return undefined;
      const from = allowed.find((a) => a.specifier === m[4]);
      if (!from || realpath(resolve(dirname(absolutePath), m[4])) !== realpath(from.path)) return undefined;
      lines[i] = '';
      if (m[1]) continue; // `import type { ... }`: types only
      for (const part of m[2].split(',').map((p) => p.trim()).filter(Boolean)) {
        const b = BINDING.exec(part);
        if (!b) return undefined;
        if (b[1]) continue; // `type X` binding
        if (!Object.hasOwn(from.exports, b[2])) return undefined;
        names.push(b[4] ?? b[2]);
        values.push(from.exports[b[2]]);
      }
    } else if (/^export\s+default\s+\S/.test(line)) {
      // The value must start on the same line: `return` followed by a line break returns nothing.
      defaults++;
      lines[i] = line.replace(/^export\s+default\s+/, 'return ');
    } else if (/^\s*export\b/.test(line)) {
      return undefined;
    }
  }
  if (defaults !== 1) return undefined;
  try {
    // Strict, like a module; no access to module-level bindings other than the imports above.
    const body = new Function(...names, `"use strict";\n${lines.join('\n')}`) as (...args: unknown[]) => unknown;
    const value = body(...values);
    return value === undefined ? undefined : { value };
  } catch {
    return undefined;
  }
}
