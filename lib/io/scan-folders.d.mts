// Types of scan-folders.mjs (plain JavaScript: bin/tenantctl.mjs runs it before the bundle loads).
import type * as fs from 'node:fs';
import type { InputFile } from './inputs-digest.mjs';

/** A folder to scan: `files`, its manifest files listed already; or, without, all of it, listed here, with its subfolders. */
export interface FolderJob {
  /** Relative to the scanned folder ('' for itself). */
  readonly dir: string;
  readonly files?: readonly string[];
}

/**
 * What one folder job found: per folder holding manifests, `[folder, files, folderStamp, names,
 * stamps]`, where `names` are its files' names, sorted, joined by '/', and `stamps` each one's
 * size and mtime, in that order. The files' stamps stay in one string and one array per folder
 * until a caller asks for them (scan-tree.ts stampMap): a re-synth with nothing to do needs the
 * digests only, and 50,000 objects that live to the end of the scan cost more in garbage
 * collection than the stat calls themselves.
 */
export type FolderScan = Array<[string, number, string, string, Float64Array]>;

/** The jobs of a tree and the shared counter the threads take them from. */
export interface Listed {
  readonly jobs: readonly FolderJob[];
  readonly next: Int32Array;
}

/** A folder's listing as a scan used it: `[folder, ino, mtimeMs, ctimeMs, files as stored (scanFolders), subfolders, reused from the record, templated]`. */
export type Listing = [string, number, number, number, string, string[], boolean, number];
/** Listings recorded by the last scan, by folder: `[ino, mtimeMs, ctimeMs, files (as stored), subfolders, templated]`. */
export type KnownListings = Map<string, [number, number, number, string, string[], number]>;

export interface ScanWorker {
  /** The folder it scans. */
  readonly root: string;
  /** The jobs it works on; undefined when it failed before listing them. */
  readonly listed: Promise<Listed | undefined>;
  /** What it found, by job index, with the listings it used; undefined when it failed. */
  readonly found: Promise<Array<[number, FolderScan, Listing[]?]> | undefined>;
  /** The inputs key (lib/io/inputs-digest.mjs) of the repository whose generated/ it scans, when the entry point computed it already. */
  readonly inputs?: string;
  /** The input files that key was computed from (hash, and bytes when read), by repository-relative path. */
  readonly inputFiles?: ReadonlyMap<string, InputFile>;
  take(): void;
  stop(): void;
}

export function folderJobs(io: { readdirSync: typeof fs.readdirSync }, root: string): FolderJob[];
/** Puts a path's size, mtimeMs, inode and ctimeMs (lstat) into `into[0]` to `into[3]`; false when the path is gone. */
export type StampReader = (path: string, into: Float64Array) => boolean;
export function stampReader(io: { lstatSync: typeof fs.lstatSync }, fast: { lstat: Function } | undefined, probe: string): StampReader;
export function nodeBinding(): { lstat: Function } | undefined;
export function scanFolders(
  io: { readdirSync: typeof fs.readdirSync },
  stamp: StampReader,
  sha256Base64: (data: string | Float64Array) => string,
  root: string,
  jobs: readonly FolderJob[],
  next: Int32Array,
  known?: KnownListings,
): Array<[number, FolderScan, Listing[]]>;
type Hasher = typeof import('node:crypto').createHash;
type ListingsIo = { readFileSync: typeof fs.readFileSync; writeFileSync: typeof fs.writeFileSync; mkdirSync: typeof fs.mkdirSync; renameSync: typeof fs.renameSync };
export function readListings(io: ListingsIo, createHash: Hasher, file: string | undefined): KnownListings | undefined;
export function writeListings(io: ListingsIo, createHash: Hasher, file: string | undefined, listings: readonly Listing[]): void;
/** A folder's digest: of its files' names (sorted, joined by '/') and the digest of their sizes and mtimes as doubles, in that order. */
export function folderDigest(sha256Base64: (data: string | Float64Array) => string, names: string, stamps: Float64Array): string;
export function sha256Base64Of(createHash: Hasher, hash: ((algorithm: string, data: string | Float64Array, encoding: 'base64') => string) | undefined): (data: string | Float64Array) => string;
export function joinScan(
  io: typeof fs,
  crypto: { createHash: Hasher; hash?: (algorithm: string, data: string | Float64Array, encoding: 'base64') => string },
  root: string,
  listed: Listed,
  worker: ScanWorker | undefined,
  listings: string | undefined,
): Promise<FolderScan[]>;
export function startScanWorker(root: string, listed?: Listed, listings?: string): ScanWorker | undefined;
export function publishEarlyScan(scan: ScanWorker | undefined): void;
export function takeEarlyScan(root: string): ScanWorker | undefined;
