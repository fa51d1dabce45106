/**
 * The project's own source files a module depends on: its relative imports, followed
 * recursively. Used to version the render cache by the code that shapes rendered output only,
 * so editing, say, a policy or a report module does not make the next synth re-render every tenant.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** `import ... from './x.ts'`, `export ... from '../y.ts'`, `import('./z.ts')`, `import './w.ts'`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/**
 * Paths (relative to `root`, sorted) of `entries` and every file they import relatively, or
 * `undefined` when one of them cannot be read (the caller then hashes more broadly).
 */
export function sourceClosure(root: string, entries: readonly string[]): string[] | undefined {
  const seen = new Set<string>();
  const queue = entries.map((e) => normalize(e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      return undefined;
    }
    seen.add(file);
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = relative(root, join(root, dirname(file), m[1]));
      if (!seen.has(target)) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** The folders of tenantctl's own code (bin/cli-bundle.mjs bundles the same ones). */
export const CODE_DIRS = ['lib', 'tiers', 'vendor/imports'] as const;

/**
 * Every file under `dirs` of `root` (relative paths, folders in name order, depth first): what a
 * hash of the code covers when it cannot, or need not, follow the imports.
 */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  for (const dir of dirs) walk(dir);
  return out;
}
