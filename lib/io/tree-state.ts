/**
 * What synth last wrote to generated/ (`.tenantctl/cache/generated-state.json`, git-ignored): per
 * folder, the content key it was rendered from and the size and modification time of each file.
 *
 * A folder whose key is unchanged and whose files on disk still carry those stamps holds exactly
 * what the key renders, so a re-synth neither renders, reads nor writes it: with one tenant
 * changed in a fleet of thousands, synth touches that tenant's folders and its cluster's. Any
 * edit, checkout or deletion under generated/ changes a stamp, and that folder is compared in full.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileStamp } from './generated-tree.ts';

export interface FolderState {
  readonly key: string;
  readonly objects: number;
  /** `[file name, size, mtimeMs]` of every manifest file of the folder. */
  readonly files: ReadonlyArray<readonly [string, number, number]>;
}

export interface TreeState {
  readonly version: 1;
  readonly folders: Readonly<Record<string, FolderState>>;
}

const stateFile = (root: string) => join(root, '.tenantctl', 'cache', 'generated-state.json');

export function readTreeState(root: string): TreeState | undefined {
  try {
    const state = JSON.parse(readFileSync(stateFile(root), 'utf8')) as TreeState;
    return state.version === 1 && typeof state.folders === 'object' ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeTreeState(root: string, state: TreeState): void {
  const file = stateFile(root);
  mkdirSync(join(root, '.tenantctl', 'cache'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

/** Forgets the state, before generated/ is changed: an interrupted write is then compared in full next time. */
export function clearTreeState(root: string): void {
  rmSync(stateFile(root), { force: true });
}

/** Whether `folder` on disk (`stamps`, `filesIn`: manifest files per folder) is what `state` recorded for `key`. */
export function isFolderFresh(state: TreeState | undefined, folder: string, key: string, stamps: ReadonlyMap<string, FileStamp>, filesIn: ReadonlyMap<string, number>): boolean {
  const recorded = state?.folders[folder];
  if (!recorded || recorded.key !== key || (filesIn.get(folder) ?? 0) !== recorded.files.length) return false;
  for (const [name, size, mtimeMs] of recorded.files) {
    const stamp = stamps.get(`${folder}/${name}`);
    if (!stamp || stamp.size !== size || stamp.mtimeMs !== mtimeMs) return false;
  }
  return true;
}
