/**
 * The stamps (size, modification time) of every manifest file under generated/, and each folder's
 * digest of them (tree-state.ts folderStamp): what tells synth which folders nobody touched. At
 * fleet scale that is some 1,500 directory listings and 56,000 lstat calls, the largest cost of a
 * re-synth with nothing to do, so the work is split by folder between this thread and one worker
 * thread, which list, stat and digest the folders they take from a shared counter.
 *
 * The worker runs `scanFolders` itself, from its source text (no module loading: a worker that
 * imports the bundle or tsx takes 0.1–0.3 s to start, by which time this thread has done most of
 * the work), and starts before anything else is done, so it is ready when the folders are listed.
 * Results are merged in folder order, so they never depend on which thread did what; a worker
 * that fails leaves its folders to this thread.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileStamp } from './generated-tree.ts';
import type { FolderStamps } from './tree-state.ts';

/** A folder to scan: `files`, its manifest files listed already; or, without, all of it, listed here, with its subfolders. */
export interface FolderJob {
  /** Relative to the scanned folder ('' for itself). */
  readonly dir: string;
  readonly files?: readonly string[];
}

/**
 * What one folder job found: per folder holding manifests, `[folder, files, folderStamp, text]`,
 * where `text` is what the digest is taken of (each file's name, size and mtime, one line each).
 * The files' stamps stay in that one string per folder until a caller asks for them (stampMap): a
 * re-synth with nothing to do needs the digests only, and 50,000 objects that live to the end of
 * the scan cost more in garbage collection than the stat calls themselves.
 */
export type FolderScan = Array<[string, number, string, string]>;

/**
 * Takes jobs from `next` (a shared counter) until none is left; returns what each job it took
 * found, by job index. Self-contained (only its parameters), since the worker runs its source
 * text: keep it so. The digest is tree-state.ts folderStamp's, over the same text.
 */
export function scanFolders(
  io: { readdirSync: typeof fs.readdirSync; lstatSync: typeof fs.lstatSync },
  sha256Base64: (text: string) => string,
  root: string,
  jobs: readonly FolderJob[],
  next: Int32Array,
): Array<[number, FolderScan]> {
  const out: Array<[number, FolderScan]> = [];
  for (let k = Atomics.add(next, 0, 1); k < jobs.length; k = Atomics.add(next, 0, 1)) {
    const scan: FolderScan = [];
    const folder = (rel: string, names: readonly string[]) => {
      const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let text = '';
      let files = 0;
      for (const name of sorted) {
        // lstat: a file replaced by a link shows as changed, and it is cheaper than stat.
        const st = io.lstatSync(rel ? `${root}/${rel}/${name}` : `${root}/${name}`, { throwIfNoEntry: false });
        if (!st) continue; // gone meanwhile
        text += `${name}\0${st.size}\0${st.mtimeMs}\n`;
        files++;
      }
      if (files > 0) scan.push([rel, files, sha256Base64(text), text]);
    };
    const walk = (rel: string) => {
      let entries: fs.Dirent[];
      try {
        entries = io.readdirSync(rel ? `${root}/${rel}` : root, { withFileTypes: true });
      } catch {
        return;
      }
      const names: string[] = [];
      const dirs: string[] = [];
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        if (e.isDirectory()) dirs.push(rel ? `${rel}/${e.name}` : e.name);
        else if (e.name.endsWith('.yaml')) names.push(e.name);
      }
      folder(rel, names);
      for (const d of dirs) walk(d);
    };
    const job = jobs[k];
    if (job.files) folder(job.dir, job.files);
    else walk(job.dir);
    out.push([k, scan]);
  }
  return out;
}

/** The worker: runs scanFolders from its source on the jobs it is sent, and replies with what it found. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const scanFolders = (${scanFolders.toString()});
parentPort.once('message', ({ root, jobs, next }) => {
  parentPort.postMessage(scanFolders(fs, (text) => createHash('sha256').update(text).digest('base64'), root, jobs, next));
});
`;

const sha256Base64 = (text: string) => createHash('sha256').update(text).digest('base64');

/**
 * The jobs of a tree: the files of its first three levels as listed here, and each folder below
 * (a tenant environment in generated/<cluster>/tenants/) as one job.
 */
export function folderJobs(root: string): FolderJob[] {
  const jobs: FolderJob[] = [];
  const list = (rel: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(rel ? `${root}/${rel}` : root, { withFileTypes: true });
    } catch {
      return;
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) dirs.push(rel ? `${rel}/${e.name}` : e.name);
      else if (e.name.endsWith('.yaml')) files.push(e.name);
    }
    if (files.length > 0) jobs.push({ dir: rel, files });
    for (const d of dirs) {
      if (depth < 2) list(d, depth + 1);
      else jobs.push({ dir: d });
    }
  };
  list('', 0);
  return jobs;
}

/** The manifest folders under a folder, each with its digest (and, kept as text, its files' stamps). */
export interface ScannedFiles {
  /** tree-state.ts folderStamps() of the files, by folder relative to the scanned one. */
  readonly folders: FolderStamps;
  /** Per folder, the text its digest was taken of: read by stampMap. */
  readonly texts: ReadonlyMap<string, string>;
}

export interface ScanOptions {
  /** Use a worker thread. @default when there is more than one core and `expectedFiles` is large */
  readonly worker?: boolean;
  /** Files the tree is expected to hold (what synth last wrote): a worker pays off from about 8,000. */
  readonly expectedFiles?: number;
}

/** Trees with fewer files than this are scanned on this thread alone. */
const MIN_FILES_FOR_WORKER = 8_000;

/** A scan under way: the worker (if any) started; `finish` lists the tree and works with it until done. */
export interface Scan {
  finish(): Promise<ScannedFiles>;
}

/**
 * Starts scanning `root`: the worker thread starts now, so that it is ready by the time the caller
 * has done its other work and calls `finish`.
 */
export function startScan(root: string, options: ScanOptions = {}): Scan {
  const useWorker = options.worker ?? ((options.expectedFiles ?? 0) >= MIN_FILES_FOR_WORKER && availableParallelism() > 1);
  let worker: Worker | undefined;
  let replied: Promise<Array<[number, FolderScan]>> | undefined;
  if (useWorker) {
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true });
    } catch {
      worker = undefined; // no thread to be had: this one does it all
    }
    replied = new Promise((resolve) => {
      worker?.once('message', resolve);
      worker?.once('error', () => resolve([]));
      worker?.once('exit', () => resolve([]));
    });
  }
  return {
    async finish() {
      const jobs = folderJobs(root);
      const next = new Int32Array(new SharedArrayBuffer(4));
      worker?.postMessage({ root, jobs, next });
      const found: Array<FolderScan | undefined> = new Array(jobs.length);
      for (const [k, scan] of scanFolders(fs, sha256Base64, root, jobs, next)) found[k] = scan;
      if (worker) {
        for (const [k, scan] of await replied!) found[k] = scan;
        await worker.terminate();
        // Jobs a failed worker took and never finished: done here.
        const left = jobs.map((_, k) => k).filter((k) => !found[k]);
        if (left.length > 0) {
          const retry = new Int32Array(new SharedArrayBuffer(4));
          const rest = left.map((k) => jobs[k]);
          for (const [i, scan] of scanFolders(fs, sha256Base64, root, rest, retry)) found[left[i]] = scan;
        }
      }
      return merge(found as FolderScan[]);
    },
  };
}

function merge(parts: readonly FolderScan[]): ScannedFiles {
  const folders = new Map<string, { files: number; stamp: string }>();
  const texts = new Map<string, string>();
  for (const part of parts) {
    for (const [folder, files, stamp, text] of part) {
      folders.set(folder, { files, stamp });
      texts.set(folder, text);
    }
  }
  return { folders, texts };
}

/** Stamps of the manifest files under `dir` and their folders' digests, without reading the files. */
export async function scanFiles(dir: string, options: ScanOptions = {}): Promise<ScannedFiles> {
  return startScan(dir, options).finish();
}

/** Stamps of the manifest files under `dir`, without reading them. */
export async function scanTreeParallel(dir: string, options: ScanOptions = {}): Promise<Map<string, FileStamp>> {
  return stampMap(await scanFiles(dir, options));
}

/** The scan as a map from path to stamp, in folder order, each folder's files by name; only the folders `include` takes, when given. */
export function stampMap(scan: ScannedFiles, include?: (folder: string) => boolean): Map<string, FileStamp> {
  const out = new Map<string, FileStamp>();
  for (const [folder, text] of scan.texts) {
    if (include && !include(folder)) continue;
    const prefix = folder ? `${folder}/` : '';
    // `name\0size\0mtime\n` per file: a name may hold a newline, never a NUL, and numbers hold neither.
    const parts = text.split('\0');
    let name = parts[0];
    for (let i = 1; i + 1 < parts.length; i += 2) {
      const rest = parts[i + 1];
      const newline = rest.indexOf('\n');
      out.set(prefix + name, { size: Number(parts[i]), mtimeMs: Number(rest.slice(0, newline)) });
      name = rest.slice(newline + 1);
    }
  }
  return out;
}
