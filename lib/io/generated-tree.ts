/**
 * The generated/ folder on disk. Reading it for `synth --check`, and replacing it whole: the new
 * tree is written beside the old one and swapped in with renames, so a failure leaves the old
 * tree in place and nobody ever sees a half-written generated/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

export function diffTree(current: ReadonlyMap<string, string>, files: readonly ManifestFile[]): TreeDiff {
  const added: string[] = [];
  const changed: string[] = [];
  const wanted = new Set<string>();
  for (const f of files) {
    wanted.add(f.path);
    const old = current.get(f.path);
    if (old === undefined) added.push(f.path);
    else if (old !== f.content) changed.push(f.path);
  }
  const removed = [...current.keys()].filter((p) => !wanted.has(p)).sort();
  return { added, changed, removed };
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
