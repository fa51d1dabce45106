/**
 * Loads the TypeScript input files (fleet.ts, tenants/*.ts) and takes their default export.
 * A file that does not compile or throws becomes an Issue naming the file and the line, never a
 * stack trace.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Issue } from '../model/issue.ts';
import type { LoadedFile } from '../synth/compile.ts';

function describeLoadError(error: unknown, root: string): string {
  const err = error as { message?: string; errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> };
  // esbuild (through tsx) reports syntax errors with a location.
  const first = err.errors?.[0];
  if (first) return first.location ? `line ${first.location.line}:${first.location.column}: ${first.text}` : first.text;
  const message = String(err.message ?? error).split('\n').find((l) => l.trim().length > 0) ?? String(error);
  return message.replaceAll(root + '/', '');
}

export async function loadModule(root: string, file: string, code: 'tenant.load-failed' | 'fleet.load-failed'): Promise<LoadedFile | Issue> {
  try {
    const mod = (await import(pathToFileURL(join(root, file)).href)) as { default?: unknown };
    if (mod.default === undefined) {
      return { code, file, path: '', message: 'has no default export', fix: code === 'fleet.load-failed' ? 'end the file with `export default defineFleet({...})`' : 'end the file with `export default defineTenant({...})`' };
    }
    return { file, value: mod.default };
  } catch (error) {
    return { code, file, path: '', message: `does not compile: ${describeLoadError(error, root)}`, fix: 'fix the TypeScript error at that line (run `npm run typecheck` for details)' };
  }
}

export function tenantFiles(root: string, dir = 'tenants'): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.ts') && !n.startsWith('_') && !n.endsWith('.d.ts'))
    .sort()
    .map((n) => relative(root, join(root, dir, n)));
}

export async function loadInputs(root: string): Promise<{ fleet: LoadedFile | Issue; tenants: Array<LoadedFile | Issue> }> {
  const fleet = await loadModule(root, 'fleet.ts', 'fleet.load-failed');
  const tenants: Array<LoadedFile | Issue> = [];
  for (const file of tenantFiles(root)) tenants.push(await loadModule(root, file, 'tenant.load-failed'));
  return { fleet, tenants };
}

export function isIssue(x: LoadedFile | Issue): x is Issue {
  return 'code' in x;
}
