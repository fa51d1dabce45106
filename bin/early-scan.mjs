// A re-synth with nothing to do, answered before the CLI loads. `synth` with nothing changed is
// the command run most (every commit hook, every editor save, CI), and its answer needs no
// compiler: the inputs' key (lib/io/inputs-digest.mjs, with the bundle's key as the compiler's),
// the tree state synth recorded (lib/io/tree-state-file.mjs) and a scan of generated/'s stamps
// (lib/io/scan-folders.mjs). Loading the CLI's bundle to get there (checking it, compiling its
// modules, the code cache) cost some 0.05 CPU-s of the 0.6 such a run took at 1,000 tenants, and
// kept this thread from the scan meanwhile, so the entry point answers first, in plain
// JavaScript, and prints the CLI's own summary line.
//
// It answers only a command line it reads as fully as the CLI's parser does (`synth`, `--check`,
// `-C`/`--dir`); anything else, or a state or key that does not match, goes to the CLI, which
// takes over the scan started here (takeEarlyScan), finished or not: a wrong guess costs time,
// never a wrong answer, since the CLI decides by the same functions
// (lib/workspace/current-tree.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { inputsDigest, inputStampsFile } from '../lib/io/inputs-digest.mjs';
import { folderJobs, joinScan, publishEarlyScan, startScanWorker } from '../lib/io/scan-folders.mjs';
import { isTreeAsRecorded, listingsFile, readTreeState } from '../lib/io/tree-state-file.mjs';

/** `<root>/generated` for a `synth` command line that uses its cache; undefined for any other. */
export function earlyScanRoot(argv, cwd = process.cwd()) {
  if (!argv.includes('synth') || argv.includes('--no-cache') || argv.includes('--help') || argv.includes('-h')) return undefined;
  let dir = cwd;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if ((a === '-C' || a === '--dir') && i + 1 < argv.length) dir = argv[++i];
    else if (a.startsWith('--dir=')) dir = a.slice('--dir='.length);
    else if (a.startsWith('-C') && a.length > 2) dir = a.slice(2);
  }
  return resolve(cwd, dir, 'generated');
}

/**
 * The repository root and `--check` of a command line made only of `-C`/`--dir` options, then
 * `synth`, then at most `--check`; undefined for any other (the CLI's parser reads those).
 */
export function plainSynth(argv, cwd = process.cwd()) {
  let dir = cwd;
  let i = 0;
  for (; i < argv.length && argv[i] !== 'synth'; i++) {
    const a = argv[i];
    if ((a === '-C' || a === '--dir') && i + 1 < argv.length && argv[i + 1] !== '') dir = argv[++i];
    else if (a.startsWith('--dir=') && a.length > '--dir='.length) dir = a.slice('--dir='.length);
    else if (a.startsWith('-C') && a.length > 2 && !a.startsWith('-C=')) dir = a.slice(2);
    else return undefined;
  }
  if (i >= argv.length) return undefined;
  const rest = argv.slice(i + 1);
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== '--check')) return undefined;
  return { root: resolve(cwd, dir), check: rest.length === 1 };
}

/** The line `tenantctl synth` prints when generated/ is current (lib/cli/commands/synth.ts words it the same). */
export function currentSummary(counts, check) {
  const text = `${counts.environments} tenant environments on ${counts.clusters} clusters, ${counts.objects} objects`;
  return check ? `generated/ is up to date (${text}).` : `generated/ unchanged (${text}).`;
}

/**
 * For a plain synth command line (plainSynth) whose generated/ is exactly what synth last wrote
 * from the same inputs and compiler, the summary line to print; otherwise undefined, with the scan
 * of generated/ (started on a worker thread at once, and finished here when the key matched) left
 * for the CLI. `compilerKey` is the CLI bundle's key (bin/cli-bundle.mjs), asked only when needed.
 * Never throws: anything unexpected leaves the answer to the CLI.
 */
export async function answerSynth(argv, compilerKey, cwd = process.cwd()) {
  try {
    const plain = plainSynth(argv, cwd);
    const scanRoot = plain ? resolve(plain.root, 'generated') : earlyScanRoot(argv, cwd);
    if (!scanRoot) return undefined;
    const listings = listingsFile(dirname(scanRoot));
    // For a plain synth this thread lists the jobs (a few ms) while the worker boots, so that it
    // never waits for the worker's listing before it joins the scan.
    const jobs = plain ? { jobs: folderJobs(fs, scanRoot), next: new Int32Array(new SharedArrayBuffer(4)) } : undefined;
    const worker = availableParallelism() > 1 ? startScanWorker(scanRoot, jobs, listings) : undefined;
    const handOver = (inputs, inputFiles) => {
      publishEarlyScan(worker && inputs ? { ...worker, inputs, inputFiles } : worker);
      return undefined;
    };
    if (!plain) return handOver();
    const state = readTreeState(plain.root);
    if (!state?.counts || !state.inputs) return handOver();
    // By the content hashes recorded with the files' stamps: no input file is read when none changed.
    // The CLI compiles by the same hashes (and the bytes read for them), reading only what it must parse.
    const inputFiles = new Map();
    const inputs = inputsDigest(plain.root, compilerKey(), inputFiles, inputStampsFile(plain.root));
    if (state.inputs !== inputs) return handOver(inputs, inputFiles);

    // This thread joins the worker on the folders it has not taken yet.
    worker?.take();
    const listed = jobs ?? { jobs: folderJobs(fs, scanRoot), next: new Int32Array(new SharedArrayBuffer(4)) };
    const found = await joinScan(fs, crypto, scanRoot, listed, worker, listings);
    const folders = new Map();
    for (const scan of found) for (const [folder, files, digest] of scan) folders.set(folder, { files, stamp: digest });
    if (isTreeAsRecorded(state, folders)) return currentSummary(state.counts, plain.check);
    // The scan is done: the CLI takes it as a finished worker's, instead of scanning again, and the
    // key with the files' hashes it was computed from, which it compiles.
    publishEarlyScan({ root: scanRoot, inputs, inputFiles, listed: Promise.resolve(listed), found: Promise.resolve(found.map((scan, k) => [k, scan])), take() {}, stop() {} });
    return undefined;
  } catch {
    return undefined; // the CLI decides, and reports what is wrong
  }
}
