/**
 * The re-synth that has nothing to do: when the inputs' key (inputs-key.ts) is the one recorded
 * with generated/ (lib/io/tree-state.ts) and every folder on disk still carries the stamps synth
 * wrote, generated/ is what the inputs compile to, and nothing needs compiling, rendering or
 * reading. Light on purpose: it loads none of the compiler, so such a run costs a stat of the
 * tree and a read of the input files, and the two overlap (the scan's worker thread starts on the
 * CLI's first line and scans while this thread loads the CLI and reads the inputs).
 */
import { join } from 'node:path';
import { type ScannedFiles, stampMap, startScan } from '../io/scan-tree.ts';
import { isTreeAsRecorded, readTreeState, type TreeState } from '../io/tree-state.ts';
import { listingsFile } from '../io/tree-state-file.mjs';
import type { InputFile } from '../io/inputs-digest.mjs';
import type { ScannedTree } from './generated.ts';

/**
 * `inputFiles`: the input files `inputs` was computed from (content hash, and bytes when read), by
 * repository-relative path: compiling looks their values up by hash and reads only what it parses.
 * `scan()`: generated/ as scanned, for a tree that is not current; the scan goes on (on its worker
 * thread) until it is asked for, and `scan()` joins it on this thread.
 */
export type CurrentTree = { readonly inputs: string; readonly inputFiles: ReadonlyMap<string, InputFile> } & ({ readonly counts: NonNullable<TreeState['counts']> } | { scan(): Promise<ScannedTree> });

/**
 * Whether generated/ is exactly what synth last wrote from inputs with key `inputs(read)`: then it
 * is current, and the summary's counts come from the state. Otherwise the scan, for the full path.
 * The key is computed while the scan's worker scans (`files` receives the files it hashed). When
 * the key is the recorded one, this thread then joins the scan; when it is not, the inputs must
 * be compiled whatever the scan finds, so the scan is left to its worker while the caller loads
 * the compiler and compiles (some 0.3 s of this thread at 1,000 tenants), and joined only then.
 */
export async function currentTree(root: string, inputs: (files: Map<string, InputFile>) => string): Promise<CurrentTree> {
  const state = readTreeState(root);
  const expectedFiles = state ? Object.values(state.folders).reduce((n, f) => n + f.files, 0) : 0;
  const scanning = startScan(join(root, 'generated'), { expectedFiles, listings: listingsFile(root) });
  // The entry point's key and bytes when it computed them, by the same function (lib/io/inputs-digest.mjs).
  const read = new Map<string, InputFile>();
  const key = scanning.inputs ?? inputs(read);
  const inputFiles = scanning.inputs === undefined ? read : (scanning.inputFiles ?? read);
  const scanned = (scan: ScannedFiles): ScannedTree => ({ folders: scan.folders, stamps: (include) => stampMap(scan, include) });
  if (state?.inputs === key && state.counts) {
    const scan = await scanning.finish();
    if (isTreeAsRecorded(state, scan.folders)) return { inputs: key, inputFiles, counts: state.counts };
    const tree = scanned(scan);
    return { inputs: key, inputFiles, scan: async () => tree };
  }
  let finishing: Promise<ScannedTree> | undefined;
  return { inputs: key, inputFiles, scan: () => (finishing ??= scanning.finish().then(scanned)) };
}
