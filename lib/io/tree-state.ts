/**
 * What synth last wrote to generated/ (`generated-state.json` in the working copy's folder of
 * the user cache: workspace-cache.mjs): the key of the inputs it was synthesized from, and per
 * folder the content key it was rendered from and a digest of the name, size and modification
 * time of each of its files.
 *
 * A folder whose key is unchanged and whose files on disk still carry those stamps holds exactly
 * what the key renders, so a re-synth neither renders, reads nor writes it: with one tenant
 * changed in a fleet of thousands, synth touches that tenant's folders and its cluster's. When
 * the inputs key is unchanged too (same tenant files, fleet.ts and compiler code) and every
 * folder is as written, generated/ is current without compiling anything. Any edit, checkout or
 * deletion under generated/ changes a stamp, and that folder is compared in full.
 *
 * The file starts with the SHA-256 of the rest: a damaged or half-written state is ignored (the
 * tree is then compared in full), never trusted. Written to a temporary file and renamed, so two
 * processes at once each leave a whole file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FileStamp } from './generated-tree.ts';
import { folderDigest, sha256Base64Of } from './scan-folders.mjs';
import { treeStateFile } from './tree-state-file.mjs';

export interface FolderState {
  readonly key: string;
  readonly objects: number;
  /** Manifest files in the folder. */
  readonly files: number;
  /** folderStamp() of the folder's files as synth wrote them. */
  readonly stamp: string;
}

export interface TreeState {
  /** 3: folder stamps of names and doubles (2: of text). */
  readonly version: 3;
  /** Key of the inputs (tenant files, fleet.ts, the compiler's code) the tree was synthesized from. */
  readonly inputs?: string;
  /** What the summary line says of the tree. */
  readonly counts?: { readonly environments: number; readonly clusters: number; readonly objects: number };
  readonly folders: Readonly<Record<string, FolderState>>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export { isTreeAsRecorded, readTreeState } from './tree-state-file.mjs';

export function writeTreeState(root: string, state: TreeState): void {
  const file = treeStateFile(root);
  mkdirSync(dirname(file), { recursive: true });
  const body = JSON.stringify(state);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${sha256(body)}\n${body}`);
  renameSync(tmp, file);
}

/** Forgets the state, before generated/ is changed: an interrupted write is then compared in full next time. */
export function clearTreeState(root: string): void {
  rmSync(treeStateFile(root), { force: true });
}

/** Digest of a folder's files (name, size, modification time), in name order. */
export function folderStamp(files: Iterable<readonly [string, FileStamp]>): string {
  return digestOf([...files].map(([name, s]) => [name, s.size, s.mtimeMs] as const));
}

const sha256Base64 = sha256Base64Of(createHash, undefined);

/** folderDigest (the scan's own, lib/io/scan-folders.mjs) of a folder's files as [name, size, mtime], sorted here by name. */
function digestOf(files: Array<readonly [string, number, number]>): string {
  files.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const stamps = new Float64Array(2 * files.length);
  files.forEach(([, size, mtime], i) => {
    stamps[2 * i] = size;
    stamps[2 * i + 1] = mtime;
  });
  return folderDigest(sha256Base64, files.map(([name]) => name).join('/'), stamps);
}

/** Folders of a scanned tree, each with its number of files and folderStamp(). */
export type FolderStamps = ReadonlyMap<string, { readonly files: number; readonly stamp: string }>;

/** Each folder of a scanned tree (paths relative to it), with its number of files and folderStamp(). */
export function folderStamps(stamps: ReadonlyMap<string, FileStamp>): FolderStamps {
  const paths = [...stamps.keys()];
  const sizes = new Float64Array(paths.length);
  const mtimes = new Float64Array(paths.length);
  paths.forEach((p, i) => {
    const s = stamps.get(p)!;
    sizes[i] = s.size;
    mtimes[i] = s.mtimeMs;
  });
  return folderStampsOf({ paths, sizes, mtimes });
}

/**
 * folderStamps() of files held as arrays. lib/io/scan-folders.mjs scanFolders computes the same
 * digests while it scans (on two threads), with the same folderDigest.
 */
export function folderStampsOf(scan: { readonly paths: readonly string[]; readonly sizes: Float64Array; readonly mtimes: Float64Array }): FolderStamps {
  const { paths, sizes, mtimes } = scan;
  const byFolder = new Map<string, number[]>();
  for (let i = 0; i < paths.length; i++) {
    if (!(sizes[i] >= 0)) continue; // gone meanwhile
    const cut = paths[i].lastIndexOf('/');
    const folder = cut < 0 ? '' : paths[i].slice(0, cut);
    let list = byFolder.get(folder);
    if (!list) byFolder.set(folder, (list = []));
    list.push(i);
  }
  const out = new Map<string, { files: number; stamp: string }>();
  for (const [folder, list] of byFolder) {
    const skip = folder === '' ? 0 : folder.length + 1;
    out.set(folder, { files: list.length, stamp: digestOf(list.map((i) => [paths[i].slice(skip), sizes[i], mtimes[i]] as const)) });
  }
  return out;
}

/** Whether `folder` on disk (`onDisk`: folderStamps() of the scanned tree) is what `state` recorded for `key`. */
export function isFolderFresh(state: TreeState | undefined, folder: string, key: string, onDisk: FolderStamps): boolean {
  const recorded = state?.folders[folder];
  const now = onDisk.get(folder);
  return Boolean(recorded && now && recorded.key === key && recorded.files === now.files && recorded.stamp === now.stamp);
}
