// `synth` first scans generated/ (lib/io/scan-tree.ts): some 56,000 lstat calls at 1,000 tenants,
// as long as loading the CLI. This starts that scan on a worker thread before the CLI loads, from
// the command line as far as it can be read without the CLI's parser: the repository root is
// the last `-C`/`--dir` given, else the working directory. A guess the parser later reads
// otherwise costs a wasted scan, never a wrong answer: the CLI uses the early scan only when it
// is of the folder it scans (lib/io/scan-folders.mjs takeEarlyScan).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { publishEarlyScan, startScanWorker } from '../lib/io/scan-folders.mjs';

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

/** Starts the scan for `argv` when it is a synth and there is a second core; never throws (without it, the CLI scans as usual). */
export function startEarlyScan(argv) {
  try {
    const root = availableParallelism() > 1 ? earlyScanRoot(argv) : undefined;
    if (root) publishEarlyScan(startScanWorker(root));
  } catch {
    // the CLI starts its own
  }
}
