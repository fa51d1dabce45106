/**
 * Loads the input files (fleet.ts, tenants/*.ts) as data: each is read statically
 * (static-module.ts), never imported, so no code in a tenant file or fleet.ts ever runs. A file
 * that is not plain data becomes an Issue with its line and column, never a stack trace.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Issue } from '../model/issue.ts';
import type { LoadedFile } from '../synth/compile.ts';
import { diskReadCache } from './read-cache.ts';
import { type ReadCache, readStaticModule } from './static-module.ts';

export async function loadModule(root: string, file: string, code: 'tenant.load-failed' | 'fleet.load-failed', cache?: ReadCache): Promise<LoadedFile | Issue> {
  const read = await readStaticModule(root, file, code === 'fleet.load-failed' ? 'fleet' : 'tenant', undefined, cache);
  if ('issues' in read) return read.issues[0];
  return { file, value: read.value, positions: read.positions };
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
  // Unchanged files come from the cache (no parse, and no compiler load when all are unchanged).
  const cache = diskReadCache();
  const fleet = await loadModule(root, 'fleet.ts', 'fleet.load-failed', cache);
  const tenants: Array<LoadedFile | Issue> = [];
  for (const file of tenantFiles(root)) tenants.push(await loadModule(root, file, 'tenant.load-failed', cache));
  cache.flush();
  return { fleet, tenants };
}

export function isIssue(x: LoadedFile | Issue): x is Issue {
  return 'code' in x;
}
