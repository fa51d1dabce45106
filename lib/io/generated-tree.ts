/**
 * The generated/ folder on disk. Reading it for `synth --check`, and replacing it whole: the new
 * tree is written beside the old one and swapped in with renames, so a failure leaves the old
 * tree in place and nobody ever sees a half-written generated/.
 *
 * When only a few files change (one tenant edited in a fleet of thousands), rewriting every file
 * costs seconds; `applyTreeChanges` stages just the changed files beside the tree, then renames
 * them into place and deletes the removed ones. Nothing in the tree is touched until everything
 * is staged, so bad input, a render error or a full disk still leave generated/ as it was.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ManifestFile } from '../synth/layout.ts';

/** Files GitOps tools read, relative to the tree root (README and dotfiles are not manifests). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.yaml')) out.set(p, readFileSync(join(dir, p), 'utf8'));
    }
  };
  walk('');
  return out;
}

export interface TreeDiff {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

/** Writes `files` as the complete new content of `dir`, atomically at the folder level. */
export function replaceTree(dir: string, files: readonly ManifestFile[], readme: string): void {
  const staging = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const made = new Set<string>();
    for (const f of files) {
      const target = join(staging, f.path);
      const parent = dirname(target);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      writeFileSync(target, f.content);
    }
    writeFileSync(join(staging, 'README.md'), readme);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, old);
  try {
    renameSync(staging, dir);
  } catch (error) {
    if (hadOld) renameSync(old, dir);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

/** Size and modification time of a file: how synth recognizes a file it wrote itself. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/** Stamps of the manifest files under `dir` (the files readTree would read), without reading them. */
export function scanTree(dir: string): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(rel ? `${dir}/${rel}` : dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.yaml')) {
        const st = statSync(`${dir}/${p}`);
        out.set(p, { size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk('');
  return out;
}

/**
 * Writes `writes` and deletes `removes` (paths relative to `dir`) in an existing tree, and makes
 * sure its README is current. Returns the stamps of the files written.
 */
export function applyTreeChanges(dir: string, writes: readonly ManifestFile[], removes: readonly string[], readme: string): Map<string, FileStamp> {
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const made = new Set<string>();
  const mkdir = (parent: string) => {
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
  };
  try {
    for (const f of writes) {
      const target = join(staging, f.path);
      mkdir(dirname(target));
      writeFileSync(target, f.content);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const stamps = new Map<string, FileStamp>();
  try {
    for (const f of writes) {
      const target = join(dir, f.path);
      mkdir(dirname(target));
      renameSync(join(staging, f.path), target);
      const st = statSync(target);
      stamps.set(f.path, { size: st.size, mtimeMs: st.mtimeMs });
    }
    for (const p of removes) {
      rmSync(join(dir, p), { force: true });
      // Remove folders left empty (a deleted tenant environment), up to the tree root.
      for (let parent = dirname(p); parent !== '.' && parent !== ''; parent = dirname(parent)) {
        try {
          rmdirSync(join(dir, parent));
        } catch {
          break;
        }
      }
    }
    let current: string | undefined;
    try {
      current = readFileSync(join(dir, 'README.md'), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== readme) writeFileSync(join(dir, 'README.md'), readme);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return stamps;
}
