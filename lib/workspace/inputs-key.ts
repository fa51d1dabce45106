/**
 * What generated/ is a function of, as one key: tenantctl's code and the input files (fleet.ts
 * and everything in tenants/). Equal keys compile to the same tree, so a re-synth whose key
 * matches the one recorded with the tree (lib/io/tree-state.ts) needs no compiling at all. The
 * tenant folders generated/ already holds are not part of it: placement uses them only to choose
 * which environment a full cluster's capacity error names, never where one goes or whether the
 * fleet fits. Reads raw bytes only: no TypeScript, zod, cdk8s or tiers are loaded to compute it
 * (lib/io/inputs-digest.mjs, which the CLI's entry point also runs before the bundle loads).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningBundle } from '../io/bundle-info.ts';
import { type InputFile, inputsDigest, inputStampsFile } from '../io/inputs-digest.mjs';
import { CODE_DIRS, sourceFiles } from '../io/source-graph.ts';

/**
 * `files`, when given, receives each regular input file hashed (content hash, and bytes when read),
 * by repository-relative path, so that compiling after it (compileWorkspace) compiles exactly what
 * the key was computed from and reads only the files it parses. The files' content hashes are
 * recorded with their stamps, so that the next run reads none that did not change
 * (lib/io/inputs-digest.mjs).
 */
export function inputsKey(root: string, packageRoot: string, files?: Map<string, InputFile>): string {
  return inputsDigest(root, compilerKey(packageRoot), files, inputStampsFile(root));
}

/** `<cluster>/<tenant>-<environment>` of every tenant folder in generated/. */
export function deployedFolders(root: string): Set<string> {
  const out = new Set<string>();
  const list = (dir: string) => {
    try {
      return readdirSync(join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  };
  for (const cluster of list('generated')) for (const folder of list(`generated/${cluster}/tenants`)) out.add(`${cluster}/${folder}`);
  return out;
}

/**
 * Hash of all of tenantctl's code (lib/, tiers/, vendor/imports/, package.json and the lock
 * file), so any change to the reader, the schema, placement or a template invalidates what is
 * keyed by it. From the bundle's key when running from the bundle (computed at start from the
 * same files).
 */
export function compilerKey(packageRoot: string): string {
  const bundle = runningBundle(packageRoot);
  if (bundle?.key) return bundle.key;
  const h = createHash('sha256');
  for (const p of sourceFiles(packageRoot, CODE_DIRS)) h.update(p).update('\0').update(readFileSync(join(packageRoot, p))).update('\0');
  for (const f of ['package-lock.json', 'package.json']) {
    try {
      h.update(f).update('\0').update(readFileSync(join(packageRoot, f)));
    } catch {
      // absent
    }
  }
  return h.digest('hex');
}
