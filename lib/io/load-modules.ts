/**
 * Loads the input files (fleet.ts, tenants/*.ts) as data: each is read statically
 * (static-module.ts), never imported, so no code in a tenant file or fleet.ts ever runs. A file
 * that is not plain data becomes an Issue with its line and column, never a stack trace.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Issue } from '../model/issue.ts';
import type { InputFile } from './inputs-digest.mjs';
import type { LoadedFile } from '../synth/compile.ts';
import { diskReadCache } from './read-cache.ts';
import { type ReadCache, readStaticModule } from './static-module.ts';

/** `known`: the file as the inputs key hashed it (a regular file, not a link); otherwise it is read here. */
export async function loadModule(root: string, file: string, code: 'tenant.load-failed' | 'fleet.load-failed', cache?: ReadCache, known?: InputFile): Promise<LoadedFile | Issue> {
  const read = await readStaticModule(root, file, code === 'fleet.load-failed' ? 'fleet' : 'tenant', known, cache);
  if ('issues' in read) return read.issues[0];
  return { file, value: read.value, positions: read.positions, valueDigest: read.valueDigest };
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
    .map((n) => join(dir, n)); // repository-relative already (path.relative costs some 15 ms per 1,000 files)
}

/**
 * `inputFiles`: files hashed already, by repository-relative path (inputs-key.ts gives them:
 * regular files only, so a link is still read here and reported as one): a file whose value is
 * cached under its hash is not read. The others are read from disk.
 */
export async function loadInputs(root: string, inputFiles?: ReadonlyMap<string, InputFile>): Promise<{ fleet: LoadedFile | Issue; tenants: Array<LoadedFile | Issue> }> {
  const known = (file: string) => inputFiles?.get(file.split(sep).join('/'));
  // Unchanged files come from the cache (no parse, and no compiler load when all are unchanged).
  const cache = diskReadCache();
  const fleet = await loadModule(root, 'fleet.ts', 'fleet.load-failed', cache, known('fleet.ts'));
  const tenants: Array<LoadedFile | Issue> = [];
  for (const file of tenantFiles(root)) tenants.push(await loadModule(root, file, 'tenant.load-failed', cache, known(file)));
  cache.flush();
  return { fleet, tenants };
}

export function isIssue(x: LoadedFile | Issue): x is Issue {
  return 'code' in x;
}
