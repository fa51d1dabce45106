/**
 * The desired state of one cluster (generated/<cluster>/ as the auditor reads it) kept in
 * tenantctl's cache, like Argo CD's repo-server keeps the manifests it rendered per commit: the
 * nightly audit of a commit audited before parses nothing from generated/.
 *
 * - **Key:** the git tree hash of generated/<cluster> at the audited commit (the same content
 *   has the same hash, whichever commit holds it), the cluster's name and the reader's code (this
 *   module and the modules that read and split manifests: a changed reader never reuses what an
 *   older one read). A folder that is not a git repository has no tree hash and is not cached.
 * - **Where:** `cacheRoot()/desired-state/<cluster>-<key>.json`, outside the repository; a few
 *   entries per cluster are kept, older ones removed.
 * - **Form:** one line of header (format, SHA-256 and length of the rest), one line of index (the
 *   segments: kind, folder, count, namespaces, byte length, SHA-256), then each segment's objects
 *   as JSON. A segment's SHA-256 is its digest (DesiredSegment.digest), by which the auditor's
 *   in-sync record (lib/audit/in-sync.ts) knows its objects are the ones compared before.
 *   A segment is parsed only when the auditor compares its kind, so memory follows a kind, not
 *   the cluster. An entry whose checksum or length does not match is read again and rewritten,
 *   never used.
 * - **Read from the file, not held:** a cache hit checks the whole file's checksum as it streams
 *   it, keeps only the index and the open file, and reads a segment's bytes when the auditor
 *   asks for its objects (an entry just written is opened the same way): the nightly audit
 *   parses few segments, and holding each cluster's entry in memory for the whole audit cost
 *   tens of megabytes per cluster at 3,000 tenants.
 *   The open file is the one checked: an entry renamed over it (writeCacheFile) or pruned is
 *   another file, so what is read is what was checked.
 * - **Two processes at once** each write a whole file and rename it into place (writeCacheFile):
 *   a reader sees an old entry or a new one, never half of one.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DesiredCluster, DesiredSegment } from '../audit/desired.ts';
import type { GitOpsEngine } from '../model/gitops-engine.ts';
import type { KubeObject } from '../model/resource.ts';
import { cacheRoot, pruneCacheEntries, writeCacheFile } from '../io/user-cache.ts';

/** Bumped when the file's layout changes. */
const FORMAT = 'tenantctl-desired-state 2';

/** Entries kept per cluster: the commits of a few nights, and a branch or two. */
const KEEP_PER_CLUSTER = 4;

export interface DesiredStateKey {
  /** Git tree hash of generated/<cluster> at the audited commit. */
  readonly tree: string;
  readonly cluster: string;
}

export interface LoadDesiredStateOptions {
  /** What the entry is for; undefined (no git tree): read, not cached. */
  readonly key?: DesiredStateKey;
  /** Reads generated/<cluster> when the cache has no whole entry for the key. */
  readonly read: () => Promise<DesiredCluster> | DesiredCluster;
  /** @default `cacheRoot()/desired-state` */
  readonly dir?: string;
}

export interface LoadedDesiredState {
  readonly desired: DesiredCluster;
  /** `cache`: a whole entry was used; `read`: generated/ was read (and, with a key, cached); `rebuilt`: an entry was damaged, so generated/ was read and the entry written anew. */
  readonly from: 'cache' | 'read' | 'rebuilt';
}

interface IndexEntry {
  readonly engine?: GitOpsEngine;
  readonly apiVersion: string;
  readonly kind: string;
  readonly count: number;
  readonly namespaces: readonly string[];
  /** Bytes of the segment's JSON. */
  readonly length: number;
  /** SHA-256 of the segment's JSON: its DesiredSegment.digest. */
  readonly sha256: string;
}

let codeVersion: string | undefined;

/**
 * The code that turns generated/ into the cached objects. Bundled, this module's file is the
 * bundle, which holds all of it; from sources, the modules read alongside.
 */
function readerCode(): string {
  if (codeVersion) return codeVersion;
  const here = fileURLToPath(import.meta.url);
  const lib = join(dirname(here), '..');
  const hash = createHash('sha256').update(FORMAT);
  for (const file of [here, ...['audit/desired.ts', 'io/read-manifests.ts', 'io/read-manifests-parallel.ts', 'io/kubernetes-yaml.ts'].map((f) => join(lib, f))]) {
    if (existsSync(file)) hash.update(`\n${file === here ? 'self' : file.slice(lib.length)}\n`).update(readFileSync(file));
  }
  codeVersion = hash.digest('hex');
  return codeVersion;
}

/** A name for a file: the cluster's name as far as it is safe, then the key's hash. */
function entryPath(dir: string, key: DesiredStateKey): { path: string; prefix: string } {
  const prefix = `${key.cluster.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
  const hash = createHash('sha256').update(`${readerCode()}\n${key.tree}\n${key.cluster}`).digest('hex').slice(0, 32);
  return { path: join(dir, `${prefix}${hash}.json`), prefix };
}

/** Segments of an entry's index, each parsed when asked for, from the JSON `body` gives for its place in the index. */
function lazySegments(index: readonly IndexEntry[], body: (i: number) => string): DesiredSegment[] {
  return index.map((entry, i) => ({
    ...(entry.engine ? { engine: entry.engine } : {}),
    apiVersion: entry.apiVersion,
    kind: entry.kind,
    count: entry.count,
    namespaces: entry.namespaces,
    digest: entry.sha256,
    objects: () => JSON.parse(body(i)) as KubeObject[],
  }));
}

/** `length` bytes of the open file at `position`. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) throw new Error(`desired-state cache entry ended ${length - done} bytes early`);
    done += n;
  }
  return buffer;
}

function closedEntry(): never {
  throw new Error('desired-state cache entry read after the audit of its cluster closed it');
}

/** Bytes streamed at a time while checking an entry. */
const CHUNK = 1 << 20;

/**
 * The open entry's segments, reading each from the file when asked for, when the file is whole
 * (header, length and checksum match, streamed in chunks); undefined otherwise.
 */
function openEntryFile(fd: number): DesiredSegment[] | undefined {
  const size = fstatSync(fd).size;
  const first = readAt(fd, 0, Math.min(size, CHUNK));
  const headerEnd = first.indexOf(0x0a);
  if (headerEnd < 0) return undefined;
  const header = first.toString('utf8', 0, headerEnd).split(' ');
  const [sum, length] = [header.at(-2), Number(header.at(-1))];
  if (header.slice(0, -2).join(' ') !== FORMAT || length !== size - headerEnd - 1) return undefined;
  const base = headerEnd + 1;
  const hash = createHash('sha256').update(first.subarray(base));
  // The index line, gathered while the file is streamed (it may be longer than one chunk).
  const indexParts: Buffer[] = [];
  let indexEnd = first.indexOf(0x0a, base);
  indexParts.push(first.subarray(base, indexEnd < 0 ? first.length : indexEnd));
  for (let at = first.length; at < size; at += CHUNK) {
    const chunk = readAt(fd, at, Math.min(CHUNK, size - at));
    hash.update(chunk);
    if (indexEnd < 0) {
      const end = chunk.indexOf(0x0a);
      indexParts.push(end < 0 ? chunk : chunk.subarray(0, end));
      if (end >= 0) indexEnd = at + end;
    }
  }
  if (indexEnd < 0 || hash.digest('hex') !== sum) return undefined;
  try {
    const index = JSON.parse(Buffer.concat(indexParts).toString('utf8')) as IndexEntry[];
    if (!Array.isArray(index) || index.reduce((n, e) => n + e.length, indexEnd + 1) !== size) return undefined;
    const offsets: number[] = [];
    let at = indexEnd + 1;
    for (const e of index) {
      offsets.push(at);
      at += e.length;
    }
    return lazySegments(index, (i) => readAt(fd, offsets[i], index[i].length).toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The objects of the cache's entry for the key, from its header and index line only (the rest of
 * the file is not read, nor its checksum checked); undefined when there is no entry or its header
 * or index is damaged. What the audit of the cluster will hold, known before the audit starts it:
 * the object budget begins at once the clusters whose counts fit together (ObjectBudget.begin).
 * A count read from an entry damaged further on is an estimate still: the audit admits the
 * cluster by the objects it then reads.
 */
export function cachedObjectCount(key: DesiredStateKey, dir: string = join(cacheRoot(), 'desired-state')): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(entryPath(dir, key).path, 'r');
    const size = fstatSync(fd).size;
    const parts: Buffer[] = [];
    let headerEnd = -1;
    for (let at = 0; at < size; at += CHUNK) {
      const chunk = readAt(fd, at, Math.min(CHUNK, size - at));
      parts.push(chunk);
      const seen = Buffer.concat(parts);
      if (headerEnd < 0) headerEnd = seen.indexOf(0x0a);
      const indexEnd = headerEnd < 0 ? -1 : seen.indexOf(0x0a, headerEnd + 1);
      if (indexEnd < 0) continue;
      const header = seen.toString('utf8', 0, headerEnd).split(' ');
      if (header.slice(0, -2).join(' ') !== FORMAT || Number(header.at(-1)) !== size - headerEnd - 1) return undefined;
      const index = JSON.parse(seen.toString('utf8', headerEnd + 1, indexEnd)) as IndexEntry[];
      if (!Array.isArray(index) || index.reduce((n, e) => n + e.length, indexEnd + 1) !== size) return undefined;
      const count = index.reduce((n, e) => n + e.count, 0);
      return Number.isSafeInteger(count) && count >= 0 ? count : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The entry's parts after the header: the index line, then each segment's JSON. */
function serialize(desired: DesiredCluster): { parts: Buffer[]; index: IndexEntry[] } {
  const bodies: Buffer[] = [];
  const index: IndexEntry[] = [];
  for (const s of desired.segments) {
    const json = s.json?.() ?? Buffer.from(JSON.stringify(s.objects()));
    bodies.push(json);
    const sha256 = createHash('sha256').update(json).digest('hex');
    index.push({ ...(s.engine ? { engine: s.engine } : {}), apiVersion: s.apiVersion, kind: s.kind, count: s.count, namespaces: s.namespaces, length: json.length, sha256 });
  }
  return { parts: [Buffer.from(`${JSON.stringify(index)}\n`), ...bodies], index };
}

/**
 * The entry at `path` when it is whole: its segments read from the open file when asked for
 * (openEntryFile). `found`: whether a file was there, whole or not (a damaged one is rebuilt).
 */
function openEntry(path: string): { desired?: DesiredCluster; found: boolean } {
  if (!existsSync(path)) return { found: false };
  let fd: number | undefined;
  let segments: DesiredSegment[] | undefined;
  try {
    fd = openSync(path, 'r');
    segments = openEntryFile(fd);
  } catch {
    // unreadable: read generated/ instead
  }
  if (fd === undefined || !segments) {
    if (fd !== undefined) closeSync(fd);
    return { found: true };
  }
  const file = fd;
  let open = true;
  const close = () => {
    if (open) closeSync(file);
    open = false;
  };
  // A closed descriptor's number may be another file's by then: never read through it.
  const guarded = segments.map((s) => ({ ...s, objects: () => (open ? s.objects() : closedEntry()) }));
  return { desired: { segments: guarded, close }, found: true };
}

/**
 * The cluster's desired state: from the cache when it holds a whole entry for the key, else read
 * (`read`) and cached. Either way its segments are then parsed one kind at a time, so the objects
 * `read` returned are not held past this call. A fresh entry is then used as a cached one is,
 * from the file: nothing of it stays in memory while the cluster is audited (at 3,000 tenants, a
 * cluster's entry is about 75 MB), unless the cache could not be written.
 */
export async function loadDesiredState(options: LoadDesiredStateOptions): Promise<LoadedDesiredState> {
  if (!options.key) return { desired: await options.read(), from: 'read' };
  const dir = options.dir ?? join(cacheRoot(), 'desired-state');
  const { path, prefix } = entryPath(dir, options.key);
  const cached = openEntry(path);
  if (cached.desired) return { desired: cached.desired, from: 'cache' };
  const from = cached.found ? 'rebuilt' : 'read';
  const { parts, index } = serialize(await options.read());
  const hash = createHash('sha256');
  let length = 0;
  for (const part of parts) {
    hash.update(part);
    length += part.length;
  }
  const written = writeCacheFile(path, [Buffer.from(`${FORMAT} ${hash.digest('hex')} ${length}\n`), ...parts]);
  pruneCacheEntries(dir, prefix, KEEP_PER_CLUSTER);
  const reopened = written ? openEntry(path).desired : undefined;
  if (reopened) return { desired: reopened, from };
  // Not written (or replaced and pruned since by another process): the segments read from memory.
  return { desired: { segments: lazySegments(index, (i) => parts[i + 1].toString('utf8')) }, from };
}
