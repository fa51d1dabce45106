// Reading the tree state (lib/io/tree-state.ts) and comparing a scan with it. Plain JavaScript
// (types in tree-state-file.d.mts) because the CLI's entry point (bin/early-scan.mjs) decides a
// re-synth with nothing to do before the bundle loads; tree-state.ts re-exports these, so the
// CLI and the entry point read the state and judge a scan by the same code.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceCacheDir } from './workspace-cache.mjs';

/** Where synth keeps the state of `<root>/generated` (in the user cache: workspace-cache.mjs). */
export function treeStateFile(root) {
  return join(workspaceCacheDir(root), 'generated-state.json');
}

/** Where the scan of `<root>/generated` records its folders' listings (lib/io/scan-folders.mjs scanFolders). */
export function listingsFile(root) {
  return join(workspaceCacheDir(root), 'generated-listings.json');
}

/** The state, or undefined when it is missing, damaged (checksum), or of another version. */
export function readTreeState(root) {
  try {
    const text = readFileSync(treeStateFile(root), 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (newline !== 64 || text.slice(0, 64) !== createHash('sha256').update(body).digest('hex')) return undefined;
    const state = JSON.parse(body);
    return state !== null && typeof state === 'object' && state.version === 3 && typeof state.folders === 'object' && state.folders !== null ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the scanned tree is exactly what `state` recorded: every folder as written, and no other. */
export function isTreeAsRecorded(state, onDisk) {
  const folders = Object.keys(state.folders);
  if (folders.length !== onDisk.size) return false;
  for (const folder of folders) {
    const recorded = state.folders[folder];
    const now = onDisk.get(folder);
    if (!now || recorded.files !== now.files || recorded.stamp !== now.stamp) return false;
  }
  return true;
}
