/**
 * The re-synth that has nothing to do: when the inputs' key (inputs-key.ts) is the one recorded
 * with generated/ (lib/io/tree-state.ts) and every folder on disk still carries the stamps synth
 * wrote, generated/ is what the inputs compile to, and nothing needs compiling, rendering or
 * reading. Light on purpose: it loads none of the compiler, so such a run costs a stat of the
 * tree and a read of the input files.
 */
import { join } from 'node:path';
import type { FileStamp } from '../io/generated-tree.ts';
import { scanFiles, stampMap } from '../io/scan-tree.ts';
import { type FolderStamps, folderStampsOf, isTreeAsRecorded, readTreeState, type TreeState } from '../io/tree-state.ts';

/**
 * Whether generated/ is exactly what synth last wrote from inputs with key `inputs`: then it is
 * current, and the summary's counts come from the state. Otherwise the scan, for the full path.
 */
export async function currentTree(root: string, inputs: string): Promise<{ readonly counts: NonNullable<TreeState['counts']> } | { readonly stamps: Map<string, FileStamp>; readonly folders: FolderStamps }> {
  const state = readTreeState(root);
  const scan = await scanFiles(join(root, 'generated'));
  const folders = folderStampsOf(scan);
  if (state?.inputs === inputs && state.counts && isTreeAsRecorded(state, folders)) return { counts: state.counts };
  return { stamps: stampMap(scan), folders };
}
