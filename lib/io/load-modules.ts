/**
 * Loads the TypeScript input files (fleet.ts, tenants/*.ts) and takes their default export.
 * A file that does not compile or throws becomes an Issue naming the file and the line, never a
 * stack trace.
 *
 * Files that are pure data (they import only their schema module) are evaluated directly, see
 * data-module.ts: a thousand tenant imports through the TypeScript loader take most of a second.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as fleetSchema from '../fleet/schema.ts';
import type { Issue } from '../model/issue.ts';
import type { LoadedFile } from '../synth/compile.ts';
import * as tenantSchema from '../tenant/schema.ts';
import { type DataImport, evaluateDataModule } from './data-module.ts';

/** The schema module each kind of input file may import on the fast path. */
const DATA_IMPORTS: Record<'tenant.load-failed' | 'fleet.load-failed', DataImport[]> = {
  'tenant.load-failed': [{ specifier: '../lib/tenant/schema.ts', path: fileURLToPath(new URL('../tenant/schema.ts', import.meta.url)), exports: tenantSchema }],
  'fleet.load-failed': [{ specifier: './lib/fleet/schema.ts', path: fileURLToPath(new URL('../fleet/schema.ts', import.meta.url)), exports: fleetSchema }],
};

function describeLoadError(error: unknown, root: string): string {
  const err = error as { message?: string; errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> };
  // esbuild (through tsx) reports syntax errors with a location.
  const first = err.errors?.[0];
  if (first) return first.location ? `line ${first.location.line}:${first.location.column}: ${first.text}` : first.text;
  // Through the loader thread only the message survives: "Transform failed with 1 error:\n<file>:7:2: ERROR: ...".
  const located = /:(\d+):(\d+): ERROR: (.+)/.exec(String(err.message ?? ''));
  if (located) return `line ${located[1]}:${located[2]}: ${located[3]}`;
  const message = String(err.message ?? error).split('\n').find((l) => l.trim().length > 0) ?? String(error);
  return message.replaceAll(root + '/', '');
}

export async function loadModule(root: string, file: string, code: 'tenant.load-failed' | 'fleet.load-failed'): Promise<LoadedFile | Issue> {
  const path = join(root, file);
  let source: string | undefined;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    // unreadable: let the import below report it
  }
  const data = source === undefined ? undefined : evaluateDataModule(path, source, DATA_IMPORTS[code]);
  if (data) return { file, value: data.value };
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
