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
 * A function that puts the size, mtimeMs, inode and ctimeMs of a path (by lstat: a file replaced
 * by a link shows as changed) into `into[0]` to `into[3]`, and says whether the path exists.
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
    into[2] = st.ino;
    into[3] = st.ctimeMs;
    return true;
  };
  // Node's layout (lib/internal/fs/utils.js getStatsFromBinding): inode at 7, size at 8, mtime at
  // 12 (s) and 13 (ns), ctime at 14 and 15.
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
    into[2] = v[7];
    into[3] = v[14] * 1e3 + v[15] / 1e6;
    return true;
  };
  try {
    if (!fast || typeof fast.lstat !== 'function') return slow;
    const a = new Float64Array(4);
    const b = new Float64Array(4);
    const st = io.lstatSync(probe);
    const v = fast.lstat(probe, false, undefined, false);
    if (!v || v.length < 16 || v[7] !== st.ino || !quick(probe, a) || !slow(probe, b) || a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2] || a[3] !== b[3] || a[0] !== st.size) return slow;
    return quick;
  } catch {
    return slow;
  }
}

/**
 * Takes jobs from `next` (a shared counter) until none is left; returns what each job it took
 * found, by job index, and the listings of the folders it walked (to record: `[folder, ino,
 * mtimeMs, ctimeMs, files as stored, dirs, reused, templated]`). The digest is tree-state.ts
 * folderStamp's: of the folder's file names (sorted, joined by '/') and the digest of their sizes
 * and mtimes as doubles, in that order. Doubles, not text: writing 56,000 mtimes out as decimals,
 * and the strings' garbage, cost more than the rest of the scan's own JavaScript. `stamp` is a
 * stampReader; `known`, readListings() of the last scan, or undefined.
 *
 * Listing a folder costs some 30 µs (open, two getdents, close), 1,500 of them a sixth of a scan
 * with nothing changed, so a folder's listing is reused from `known` while its inode, modification
 * time and change time are those recorded: adding, removing or renaming an entry sets both times,
 * and the change time cannot be set back. A listing is recorded only when the folder's change time
 * was at least a second before it was read, so that a change in the same clock tick as the
 * recorded one cannot go unseen (as git's untracked cache does). The files themselves are
 * stat'ed every time: an edit in place changes no folder.
 */
export function scanFolders(io, stamp, sha256Base64, root, jobs, next, known) {
  const SETTLE_MS = 1000;
  const out = [];
  const st = new Float64Array(4);
  for (let k = Atomics.add(next, 0, 1); k < jobs.length; k = Atomics.add(next, 0, 1)) {
    const scan = [];
    const listings = [];
    // `joined`: the names, sorted, joined by '/' (a recorded listing is stored so); built here when not given.
    const folder = (rel, names, joined) => {
      if (joined === undefined) joined = names.sort().join('/'); // UTF-16 code unit order, as `<` compares strings (folderStamp's order)
      const base = rel ? `${root}/${rel}/` : `${root}/`;
      const stamps = new Float64Array(2 * names.length);
      let files = 0;
      let gone;
      for (let i = 0; i < names.length; i++) {
        if (!stamp(base + names[i], st)) {
          (gone ??= new Set()).add(i); // gone meanwhile
          continue;
        }
        stamps[2 * files] = st[0];
        stamps[2 * files + 1] = st[1];
        files++;
      }
      if (files === 0) return;
      const present = gone ? names.filter((_, i) => !gone.has(i)).join('/') : joined;
      const sizesAndTimes = files < names.length ? stamps.slice(0, 2 * files) : stamps;
      scan.push([rel, files, folderDigest(sha256Base64, present, sizesAndTimes), present, sizesAndTimes]);
    };
    const walk = (rel) => {
      const path = rel ? `${root}/${rel}` : root;
      const there = stamp(path, st);
      const ino = st[2];
      const mtime = st[1];
      const ctime = st[3];
      const was = there ? known?.get(rel) : undefined;
      let files;
      let dirs;
      // A listing is stored as one string: the names joined by '/' (which no name holds), and, when
      // `templated`, each occurrence of the folder's own name (`t0001-production` in
      // `deployment-t0001-production.yaml`) as \u0001, so that the folders of a tier share one string.
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      let joined;
      if (was && was[0] === ino && was[1] === mtime && was[2] === ctime) {
        joined = was[5] ? was[3].replaceAll('\u0001', () => base) : was[3]; // a function: `$&` in a name is no pattern
        files = joined === '' ? [] : joined.split('/');
        dirs = was[4];
        listings.push([rel, ino, mtime, ctime, was[3], dirs, true, was[5]]);
      } else {
        const listedAt = Date.now();
        const listed = listFolder(io, root, rel);
        if (!listed) return;
        files = listed.files;
        dirs = listed.dirs;
        joined = files.sort().join('/');
        if (there && ctime < listedAt - SETTLE_MS) {
          const templated = base !== '' && !joined.includes('\u0001') ? 1 : 0;
          listings.push([rel, ino, mtime, ctime, templated ? joined.replaceAll(base, '\u0001') : joined, dirs, false, templated]);
        }
      }
      folder(rel, files, joined);
      for (const d of dirs) walk(d);
    };
    const job = jobs[k];
    if (job.files) folder(job.dir, [...job.files]);
    else walk(job.dir);
    out.push([k, scan, listings]);
  }
  return out;
}

/**
 * The listings recorded by the last scan (writeListings), by folder: `[ino, mtimeMs, ctimeMs,
 * files, dirs, templated]` (files as writeListings stores them, decoded by scanFolders when used);
 * undefined when there are none, or the record is damaged (it is checksummed, and only then
 * trusted: a wrong listing would hide an added file). Self-contained (the worker runs it).
 */
export function readListings(io, createHash, file) {
  if (!file) return undefined;
  try {
    const text = io.readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (newline !== 64 || text.slice(0, 64) !== createHash('sha256').update(body).digest('hex')) return undefined;
    const { version, lists, folders } = JSON.parse(body);
    if (version !== 2 || !Array.isArray(lists) || !Array.isArray(folders)) return undefined;
    const out = new Map();
    for (const [rel, ino, mtime, ctime, list, dirs, templated] of folders) {
      const files = lists[list];
      if (typeof rel !== 'string' || typeof files !== 'string' || !Array.isArray(dirs) || typeof ino !== 'number' || typeof mtime !== 'number' || typeof ctime !== 'number') return undefined;
      out.set(rel, [ino, mtime, ctime, files, dirs, templated]);
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Records the listings a scan used (scanFolders' third part, of every job), replacing those
 * recorded; written whole (temporary file, then rename) or not at all: it only saves time. Each
 * distinct stored list is written once: 150 KB instead of 2 MB at 1,000 tenants.
 */
export function writeListings(io, createHash, file, listings) {
  if (!file) return;
  try {
    const lists = [];
    const index = new Map();
    const folders = [];
    for (const [rel, ino, mtime, ctime, stored, dirs, , templated] of listings) {
      let i = index.get(stored);
      if (i === undefined) {
        i = lists.length;
        lists.push(stored);
        index.set(stored, i);
      }
      folders.push([rel, ino, mtime, ctime, i, dirs, templated]);
    }
    const body = JSON.stringify({ version: 2, lists, folders });
    io.mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    io.writeFileSync(tmp, `${createHash('sha256').update(body).digest('hex')}\n${body}`);
    io.renameSync(tmp, file);
  } catch {
    // a read-only cache: every scan lists every folder
  }
}

/**
 * SHA-256 in base64, by Node's one-shot `crypto.hash` where it exists (Node 20.12 and later): a
 * Hash object per folder cost a tenth of the scan's own JavaScript. Self-contained.
 */
export function sha256Base64Of(createHash, hash) {
  return typeof hash === 'function' ? (data) => hash('sha256', data, 'base64') : (data) => createHash('sha256').update(data).digest('base64');
}

/**
 * A folder's digest (tree-state.ts folderStamp, and the scan's): of its files' names (sorted,
 * joined by '/', which no name holds), then the digest of their sizes and mtimes as doubles, in
 * that order. Self-contained (the worker runs it from its source).
 */
export function folderDigest(sha256Base64, names, stamps) {
  return sha256Base64(`${names}\0${sha256Base64(stamps)}`);
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
 * The worker: sent `{ root, listings }`, it lists the jobs itself and replies `{ jobs, next }`
 * first (the scan started before this thread knew the tree); sent `{ root, listings, jobs, next }`,
 * it takes those. Then it replies `{ found }`. `listings`: the file of recorded listings, if any.
 */
const WORKER_SOURCE = `const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash, hash } = require('node:crypto');
const listFolder = (${listFolder.toString()});
const folderJobs = (${folderJobs.toString()});
const scanFolders = (${scanFolders.toString()});
const stampReader = (${stampReader.toString()});
const readListings = (${readListings.toString()});
const folderDigest = (${folderDigest.toString()});
const sha256Base64 = (${sha256Base64Of.toString()})(createHash, hash);
parentPort.once('message', ({ root, listings, jobs, next }) => {
  if (!jobs) {
    jobs = folderJobs(fs, root);
    next = new Int32Array(new SharedArrayBuffer(4));
    parentPort.postMessage({ jobs, next });
  }
  const stamp = stampReader(fs, nodeBinding(), root);
  const known = readListings(fs, createHash, listings);
  parentPort.postMessage({ found: scanFolders(fs, stamp, sha256Base64, root, jobs, next, known) });
});
const nodeBinding = ${nodeBinding.toString()};
`;

/**
 * Starts a worker scanning `root`: on the jobs `listed` here, or, without, on those it lists;
 * with the listings recorded in `listings` (a file), if given. Unreferenced until `take()` (a
 * process that never takes it does not wait for it). Undefined when no thread can be had.
 */
export function startScanWorker(root, listed, listings) {
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
  worker.postMessage(listed ? { root, listings, jobs: listed.jobs, next: listed.next } : { root, listings });
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

/**
 * This thread's part of a scan: takes jobs from `listed` until none is left, then adds what
 * `worker` (if any) found; jobs a failed worker took and never finished are done here. Records
 * the listings used in `listings` (a file) when any was read anew. Returns what each job found,
 * by job index.
 */
export async function joinScan(io, crypto, root, listed, worker, listings) {
  const { createHash } = crypto;
  const sha256Base64 = sha256Base64Of(createHash, crypto.hash);
  const { jobs, next } = listed;
  const known = readListings(io, createHash, listings);
  const stamp = stampReader(io, nodeBinding(), root);
  const found = new Array(jobs.length);
  const used = [];
  const take = (part, index) => {
    for (const [k, scan, l] of part) {
      found[index ? index[k] : k] = scan;
      for (const x of l ?? []) used.push(x);
    }
  };
  take(scanFolders(io, stamp, sha256Base64, root, jobs, next, known));
  if (worker) {
    take((await worker.found) ?? []);
    worker.stop();
    const left = jobs.map((_, k) => k).filter((k) => !found[k]);
    if (left.length > 0) {
      const retry = new Int32Array(new SharedArrayBuffer(4));
      take(scanFolders(io, stamp, sha256Base64, root, left.map((k) => jobs[k]), retry, known), left);
    }
  }
  if (used.some((l) => !l[6])) writeListings(io, createHash, listings, used);
  return found;
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
