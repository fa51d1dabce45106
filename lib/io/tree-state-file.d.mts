// Types of tree-state-file.mjs (plain JavaScript: bin/early-scan.mjs runs it before the bundle loads).
import type { FolderStamps, TreeState } from './tree-state.ts';

export function treeStateFile(root: string): string;
export function listingsFile(root: string): string;
export function readTreeState(root: string): TreeState | undefined;
export function isTreeAsRecorded(state: TreeState, onDisk: FolderStamps): boolean;
