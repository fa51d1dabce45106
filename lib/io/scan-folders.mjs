// The scan of generated/ itself: list a tree's folders as jobs, and take jobs from a shared
// counter, lstat each file and digest each folder's stamps. lib/io/scan-tree.ts runs it on this
// thread and on a worker thread at once. Plain JavaScript (types in scan-folders.d.mts) because
// bin/tenantctl.mjs starts the worker on its first line, before the CLI's bundle is loaded, so
// that the worker boots and scans while this thread loads the CLI: at 56,000 files the scan
// and the load take about as long as each other.
//
// The worker runs these functions from their source text (no module loading: a worker that
// imports the bundle or tsx takes 0.1-0.3 s to start), so folderJobs and scanFolders must stay
// self-contained: only their parameters and listFolder, which the worker's source defines too.
import { Worker } from 'node:worker_threads';

/**
 * A folder's `.yaml` file names and its subfolders (paths from `root`), dotfiles left out;
 * undefined when it cannot be listed.
 */
export function listFolder(io, root, rel) {
  let entries;
  try {
    entries = io.readdirSync(rel ? `${root}/${rel}` : root, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const files = [];
  const dirs = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) dirs.push(rel ? `${rel}/${e.name}` : e.name);
    else if (e.name.endsWith('.yaml')) files.push(e.name);
  }
  return { files, dirs };
}

/**
 * The jobs of a tree: the files of its first three levels as listed here, and each folder below
 * (a tenant environment in generated/<cluster>/tenants/) as one job.
 */
export function folderJobs(io, root) {
  const jobs = [];
  const list = (rel, depth) => {
    const listed = listFolder(io, root, rel);
    if (!listed) return;
    const { files, dirs } = listed;
    if (files.length > 0) jobs.push({ dir: rel, files });
    for (const d of dirs) {
      if (depth < 2) list(d, depth + 1);
      else jobs.push({ dir: d });
    }
  };
  list('', 0);
  return jobs;
}

/**
 * A function that puts the size and mtimeMs of a path (by lstat: a file replaced by a link shows
 * as changed) into `into[0]` and `into[1]`, and says whether the path exists.
 *
 * fs.lstatSync costs more than the system call it makes: in Node 20 it builds a Stats object with
 * four Date objects for every file: at 56,000 files about 0.1 CPU-s of the scan's 0.4, and much of
 * its garbage. Node's own binding (`process.binding('fs')`, which fs.lstatSync calls) returns the
 * numbers in an array it reuses, so `fast` reads them from there; it is Node's internal interface,
 * so it is used only after it gives, for `probe`, exactly what fs.lstatSync gives, and a path it
 * fails on is stat'ed through fs.lstatSync. Self-contained (the worker runs its source text).
 */
export function stampReader(io, fast, probe) {
  const noThrow = { throwIfNoEntry: false };
  const slow = (path, into) => {
    const st = io.lstatSync(path, noThrow);
    if (!st) return false;
    into[0] = st.size;
    into[1] = st.mtimeMs;
    return true;
  };
  // Node's layout (lib/internal/fs/utils.js getStatsFromBinding): size at 8, mtime at 12 (s) and 13 (ns).
  const quick = (path, into) => {
    let v;
    try {
      v = fast.lstat(path, false, undefined, false);
    } catch {
      return slow(path, into);
    }
    if (v === undefined) return slow(path, into);
    into[0] = v[8];
    into[1] = v[12] * 1e3 + v[13] / 1e6;
    return true;
  };
  try {
    if (!fast || typeof fast.lstat !== 'function') return slow;
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    const st = io.lstatSync(probe);
    const v = fast.lstat(probe, false, undefined, false);
    if (!v || v.length < 14 || v[7] !== st.ino || !quick(probe, a) || !slow(probe, b) || a[0] !== b[0] || a[1] !== b[1] || a[0] !== st.size) return slow;
    return quick;
  } catch {
    return slow;
  }
}

/**
 * Takes jobs from `next` (a shared counter) until none is left; returns what each job it took
 * found, by job index. The digest is tree-state.ts folderStamp's, over the same text. `stamp` is
 * a stampReader.
 */
export function scanFolders(io, stamp, sha256Base64, root, jobs, next) {
  const out = [];
  const st = new Float64Array(2);
  for (let k = Atomics.add(next, 0, 1); k < jobs.length; k = Atomics.add(next, 0, 1)) {
    const scan = [];
    const folder = (rel, names) => {
      names.sort(); // UTF-16 code unit order, as `<` compares strings (folderStamp's order)
      const base = rel ? `${root}/${rel}/` : `${root}/`;
      let text = '';
      let files = 0;
      for (let i = 0; i < names.length; i++) {
        if (!stamp(base + names[i], st)) continue; // gone meanwhile
        text += `${names[i]}\0${st[0]}\0${st[1]}\n`;
        files++;
      }
      if (files > 0) scan.push([rel, files, sha256Base64(text), text]);
    };
    const walk = (rel) => {
      const listed = listFolder(io, root, rel);
      if (!listed) return;
      folder(rel, listed.files);
      for (const d of listed.dirs) walk(d);
    };
    const job = jobs[k];
    if (job.files) folder(job.dir, [...job.files]);
    else walk(job.dir);
    out.push([k, scan]);
  }
  return out;
}

/** Node's fs binding, or undefined where it cannot be had. */
export function nodeBinding() {
  try {
    return process.binding('fs');
  } catch {
    return undefined;
  }
}

/**
 * The worker: sent `{ root }`, it lists the jobs itself and replies `{ jobs, next }` first (the
 * scan started before this thread knew the tree); sent `{ root, jobs, next }`, it takes those.
 * Then it replies `{ found }`.
 */
const WORKER_SOURCE = `const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const listFolder = (${listFolder.toString()});
const folderJobs = (${folderJobs.toString()});
const scanFolders = (${scanFolders.toString()});
const stampReader = (${stampReader.toString()});
const sha256Base64 = (text) => createHash('sha256').update(text).digest('base64');
parentPort.once('message', ({ root, jobs, next }) => {
  if (!jobs) {
    jobs = folderJobs(fs, root);
    next = new Int32Array(new SharedArrayBuffer(4));
    parentPort.postMessage({ jobs, next });
  }
  const stamp = stampReader(fs, nodeBinding(), root);
  parentPort.postMessage({ found: scanFolders(fs, stamp, sha256Base64, root, jobs, next) });
});
const nodeBinding = ${nodeBinding.toString()};
`;

/**
 * Starts a worker scanning `root`: on the jobs `listed` here, or, without, on those it lists.
 * Unreferenced until `take()` (a process that never takes it does not wait for it). Undefined
 * when no thread can be had.
 */
export function startScanWorker(root, listed) {
  let worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true });
  } catch {
    return undefined;
  }
  let resolveListed;
  let resolveFound;
  const listedP = new Promise((resolve) => (resolveListed = resolve));
  const foundP = new Promise((resolve) => (resolveFound = resolve));
  worker.on('message', (m) => {
    if (m.jobs) resolveListed(m);
    else if (m.found) resolveFound(m.found);
  });
  const ended = () => {
    resolveListed(undefined);
    resolveFound(undefined);
  };
  worker.once('error', ended);
  worker.once('exit', ended);
  if (listed) resolveListed(listed);
  worker.postMessage(listed ? { root, jobs: listed.jobs, next: listed.next } : { root });
  worker.unref();
  return {
    root,
    listed: listedP,
    found: foundP,
    take() {
      worker.ref(); // its replies are awaited now: the process must not end before them
    },
    stop() {
      void worker.terminate();
    },
  };
}

const EARLY_SCAN = Symbol.for('tenantctl.earlyScan');

/** Leaves a scan started before the CLI loaded where takeEarlyScan finds it. */
export function publishEarlyScan(scan) {
  globalThis[EARLY_SCAN] = scan;
}

/**
 * The scan started before the CLI loaded, when it scans `root`; one of another folder (the
 * command line was read otherwise than guessed) is stopped. Taken once.
 */
export function takeEarlyScan(root) {
  const scan = globalThis[EARLY_SCAN];
  globalThis[EARLY_SCAN] = undefined;
  if (!scan) return undefined;
  if (scan.root === root) return scan;
  scan.stop();
  return undefined;
}
