/**
 * The generated/ folder on disk. Reading it for `synth --check`, and replacing it whole: the new
 * tree is written beside the old one and swapped in with renames, so a failure leaves the old
 * tree in place and nobody ever sees a half-written generated/.
 *
 * When only a few files change (one tenant edited in a fleet of thousands), rewriting every file
 * costs seconds; a `patch` stage holds just the changed files beside the tree, then renames them
 * into place and deletes the removed ones. Nothing in the tree is touched until everything is
 * staged, so bad input, a render error or a full disk still leave generated/ as it was.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** Size and modification time of a file: how synth recognizes a file it wrote itself. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

/** Manifest files under `dir` (the files readTree would read), relative to it; dotfiles skipped. */
export function listManifests(dir: string): string[] {
  const out: string[] = [];
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
      else if (entry.name.endsWith('.yaml')) out.push(p);
    }
  };
  walk('');
  return out;
}

/** Stamps of the manifest files under `dir` (the files readTree would read), without reading them. */
export function scanTree(dir: string): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  for (const p of listManifests(dir)) {
    // lstat: a file replaced by a link shows as changed, and it is cheaper than stat.
    const st = lstatSync(`${dir}/${p}`);
    out.set(p, { size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

/**
 * New content for the tree at `dir`, written file by file to a staging folder beside it as it is
 * rendered (so memory holds one folder at a time, not the tree), and put in place only by
 * `commit`. Until then the tree is untouched: bad input, a render error or a full disk leave it
 * as it was, and `discard` removes the staging folder.
 *
 * `replace`: the staged files are the whole new tree (cold synth, no tree yet), swapped in with
 * two renames. `patch`: the staged files are the changed ones, renamed into place, then the
 * removed files are deleted.
 */
export interface TreeStage {
  write(path: string, content: string): void;
  /** Puts the staged files in place, deletes `removes` (patch), makes the README current; returns the stamps of the files written. */
  commit(removes: readonly string[], readme: string): Map<string, FileStamp>;
  discard(): void;
}

export function stageTree(dir: string, mode: 'replace' | 'patch'): TreeStage {
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const staged: string[] = [];
  const made = new Set<string>();
  const mkdir = (parent: string) => {
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
  };
  const discard = () => rmSync(staging, { recursive: true, force: true });
  return {
    write(path, content) {
      const target = join(staging, path);
      mkdir(dirname(target));
      writeFileSync(target, content);
      staged.push(path);
    },
    discard,
    commit(removes, readme) {
      return mode === 'replace' ? swapIn(dir, staging, readme) : patchIn(dir, staging, staged, removes, readme, mkdir);
    },
  };
}

function swapIn(dir: string, staging: string, readme: string): Map<string, FileStamp> {
  const old = `${dir}.old-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'README.md'), readme);
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
  return scanTree(dir);
}

function patchIn(dir: string, staging: string, staged: readonly string[], removes: readonly string[], readme: string, mkdir: (parent: string) => void): Map<string, FileStamp> {
  const stamps = new Map<string, FileStamp>();
  try {
    for (const path of staged) {
      const target = join(dir, path);
      mkdir(dirname(target));
      renameSync(join(staging, path), target);
      const st = statSync(target);
      stamps.set(path, { size: st.size, mtimeMs: st.mtimeMs });
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
