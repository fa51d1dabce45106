/**
 * The stamps (size, modification time) of every manifest file under generated/, and each folder's
 * digest of them (tree-state.ts folderStamp): what tells synth which folders nobody touched. At
 * fleet scale that is some 1,500 folders and 56,000 lstat calls, the largest cost of a re-synth
 * with nothing to do, so the work is split by folder between this thread and one worker thread,
 * which list (or take the listing recorded by the last scan: `listings`), stat and digest the
 * folders they take from a shared counter (scan-folders.mjs).
 *
 * The entry point starts that worker on its first line (bin/early-scan.mjs), before the CLI's
 * bundle loads, and either answers a re-synth with nothing to do itself or leaves the scan, under
 * way or finished, for startScan to take. Without it (the CLI run from its sources, a command
 * line read otherwise than guessed), the worker starts here. Results are merged in folder
 * order, so they never depend on which thread did what; a worker that fails leaves its folders to
 * this thread.
 */
import type { InputFile } from './inputs-digest.mjs';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import type { FileStamp } from './generated-tree.ts';
import { folderJobs as listJobs, type FolderJob, type FolderScan, joinScan, type Listed, type ScanWorker, startScanWorker, takeEarlyScan } from './scan-folders.mjs';
import type { FolderStamps } from './tree-state.ts';

export type { FolderJob, FolderScan };

/**
 * The jobs of a tree: the files of its first three levels as listed here, and each folder below
 * (a tenant environment in generated/<cluster>/tenants/) as one job.
 */
export function folderJobs(root: string): FolderJob[] {
  return listJobs(fs, root);
}

/** The manifest folders under a folder, each with its digest (and, kept as one string and one array per folder, its files' stamps). */
export interface ScannedFiles {
  /** tree-state.ts folderStamps() of the files, by folder relative to the scanned one. */
  readonly folders: FolderStamps;
  /** Per folder, its files' names (sorted, joined by '/') and their sizes and mtimes, as its digest was taken of them: read by stampMap. */
  readonly fileStamps: ReadonlyMap<string, readonly [string, Float64Array]>;
}

export interface ScanOptions {
  /** Use a worker thread. @default when there is more than one core and `expectedFiles` is large */
  readonly worker?: boolean;
  /** Files the tree is expected to hold (what synth last wrote): a worker pays off from about 8,000. */
  readonly expectedFiles?: number;
  /** A file where the folders' listings are recorded, to be reused while a folder is unchanged (scan-folders.mjs scanFolders); none: every folder is listed. */
  readonly listings?: string;
}

/** Trees with fewer files than this are scanned on this thread alone. */
const MIN_FILES_FOR_WORKER = 8_000;

/** A scan under way: the worker (if any) at work; `finish` works with it until done. */
export interface Scan {
  /** The inputs key of the repository, when the entry point that started the scan computed it (bin/early-scan.mjs). */
  readonly inputs?: string;
  /** The input files that key was computed from (hash, and bytes when read), by repository-relative path. */
  readonly inputFiles?: ReadonlyMap<string, InputFile>;
  finish(): Promise<ScannedFiles>;
}

/**
 * Starts scanning `root`: takes the scan the CLI started on its first line, or lists the folders
 * and hands them to a new worker now, so that it works while the caller does its other work;
 * `finish` joins in on this thread.
 */
export function startScan(root: string, options: ScanOptions = {}): Scan {
  let worker: ScanWorker | undefined = takeEarlyScan(root);
  if (worker && options.worker === false) {
    worker.stop();
    worker = undefined;
  }
  let listed: Listed | undefined;
  if (!worker) {
    const useWorker = options.worker ?? ((options.expectedFiles ?? 0) >= MIN_FILES_FOR_WORKER && availableParallelism() > 1);
    listed = { jobs: listJobs(fs, root), next: new Int32Array(new SharedArrayBuffer(4)) };
    if (useWorker && listed.jobs.length > 1) worker = startScanWorker(root, listed, options.listings);
  }
  worker?.take();
  return {
    inputs: worker?.inputs,
    inputFiles: worker?.inputFiles,
    async finish() {
      // A worker that failed before listing the tree leaves it all to this thread.
      listed ??= (await worker!.listed) ?? { jobs: listJobs(fs, root), next: new Int32Array(new SharedArrayBuffer(4)) };
      return merge(await joinScan(fs, crypto, root, listed, worker, options.listings));
    },
  };
}

function merge(parts: readonly FolderScan[]): ScannedFiles {
  const folders = new Map<string, { files: number; stamp: string }>();
  const fileStamps = new Map<string, readonly [string, Float64Array]>();
  for (const part of parts) {
    for (const [folder, files, stamp, names, stamps] of part) {
      folders.set(folder, { files, stamp });
      fileStamps.set(folder, [names, stamps]);
    }
  }
  return { folders, fileStamps };
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
  for (const [folder, [names, stamps]] of scan.fileStamps) {
    if (include && !include(folder)) continue;
    const prefix = folder ? `${folder}/` : '';
    names.split('/').forEach((name, i) => out.set(prefix + name, { size: stamps[2 * i], mtimeMs: stamps[2 * i + 1] }));
  }
  return out;
}
