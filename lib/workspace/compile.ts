/**
 * The repository as the compiler sees it: input files loaded from disk (lib/io/load-modules.ts),
 * compiled with the project's tiers. The one place commands go from a folder to a CompiledFleet.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InputFile } from '../io/inputs-digest.mjs';
import { isIssue, loadInputs } from '../io/load-modules.ts';
import { runningBundle } from '../io/bundle-info.ts';
import { diskValidTenants } from '../io/valid-tenants.ts';
import { CODE_DIRS, sourceClosure, sourceFiles } from '../io/source-graph.ts';
import { InputError, type Issue } from '../model/issue.ts';
import { compile, type CompiledFleet, type LoadedFile } from '../synth/compile.ts';
import { synthesize, type SynthResult } from '../synth/synthesize.ts';
import { deployedFolders } from './inputs-key.ts';
import { projectTemplates } from './templates.ts';

/**
 * `extra`: tenant files not on disk (yet), compiled with the others (`new tenant` checks its
 * scaffold so). `inputFiles`: input files hashed already, with their bytes when read (inputs-key.ts), by repository-relative path.
 */
export async function compileWorkspace(root: string, extra: readonly LoadedFile[] = [], inputFiles?: ReadonlyMap<string, InputFile>): Promise<CompiledFleet> {
  const { fleet, tenants: onDisk } = await loadInputs(root, inputFiles);
  const tenants = [...onDisk, ...extra];
  const issues: Issue[] = [];
  const loaded: LoadedFile[] = [];
  if (isIssue(fleet)) issues.push(fleet);
  for (const t of tenants) {
    if (isIssue(t)) issues.push(t);
    else loaded.push(t);
  }
  if (isIssue(fleet)) throw new InputError(issues);
  let compiled: CompiledFleet;
  // Tenants that passed the schema before are not validated again (the fleet-wide checks still see them all).
  const validTenants = diskValidTenants();
  try {
    compiled = compile({ fleet, tenants: loaded, templates: projectTemplates, deployed: deployedFolders(root), validTenants });
  } catch (error) {
    if (error instanceof InputError) throw new InputError([...issues, ...error.issues]);
    throw error;
  } finally {
    validTenants.flush();
  }
  // Outside the try: load issues thrown inside it would be caught and reported twice.
  if (issues.length > 0) throw new InputError(issues);
  return compiled;
}

/**
 * The working tree's generated/ in memory (every environment rendered in this process), for
 * comparing with a ref's without touching the folder.
 */
export async function synthesizeWorkspace(root: string, packageRoot: string): Promise<SynthResult> {
  return synthesize(await compileWorkspace(root), { codeVersion: codeVersion(packageRoot) });
}

/** Modules whose code, with everything they import, decides what synth renders. */
const RENDERING_ENTRIES = ['lib/synth/synthesize.ts', 'lib/workspace/render-worker.ts', 'lib/workspace/templates.ts'];

/**
 * Hash of the code that shapes output (the source files the rendering modules import, tiers/ and
 * vendor/imports/ among them, and the package lock), so a cached render is never reused after a
 * template or dependency changes, yet stays valid when unrelated code (policies, reports) changes.
 * Falls back to every .ts file of lib/, tiers/ and vendor/imports/ if the graph cannot be read.
 * Other `entries` give the same for other code (the auditor's verdicts: lib/audit/in-sync.ts).
 */
export function codeVersion(packageRoot: string, entries: readonly string[] = RENDERING_ENTRIES): string {
  const bundle = runningBundle(packageRoot);
  if (bundle?.graph && bundle.files) return bundledCodeVersion(bundle.graph, bundle.files, entries);
  const h = createHash('sha256');
  const files = sourceClosure(packageRoot, entries);
  if (files) {
    for (const p of files) h.update(p).update('\0').update(readFileSync(join(packageRoot, p))).update('\0');
  } else {
    for (const p of sourceFiles(packageRoot, CODE_DIRS)) if (p.endsWith('.ts')) h.update(p).update(readFileSync(join(packageRoot, p)));
  }
  try {
    h.update(readFileSync(join(packageRoot, 'package-lock.json')));
  } catch {
    // no lock file: versions are still covered by the sources above
  }
  return h.digest('hex');
}

/**
 * codeVersion when running from the CLI's bundle: the same closure of the rendering modules, read
 * from the import graph the bundler recorded, over the hashes the bundle was keyed by (computed
 * from the files at this start), so no source file is read twice.
 */
function bundledCodeVersion(graph: Readonly<Record<string, readonly string[]>>, files: Readonly<Record<string, string>>, entries: readonly string[]): string {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of graph[file] ?? []) if (!seen.has(next)) queue.push(next);
  }
  const h = createHash('sha256').update('bundle\0');
  for (const p of [...seen].sort()) h.update(p).update('\0').update(files[p] ?? 'missing').update('\0');
  return h.update(files['package-lock.json'] ?? '').digest('hex');
}

