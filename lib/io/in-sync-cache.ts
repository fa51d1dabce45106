/**
 * Where the auditor keeps each cluster's in-sync record (lib/audit/in-sync.ts) between runs:
 * `cacheRoot()/in-sync/<cluster>-<key>.json`, outside the repository. The key is the caller's
 * hash of everything a verdict depends on besides the objects (the auditor's code, CRD schemas,
 * rules, the cluster's name and server), so one file holds one cluster's last verdicts under one
 * set of rules; a few files per cluster are kept, older ones removed.
 *
 * The file starts with a header line (format, SHA-256 and length of the rest): a damaged or cut
 * file is never used (the audit then compares everything, and writes a whole record again).
 * Two processes at once each write a whole file and rename it into place (writeCacheFile).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecord, serializeRecord, type InSyncRecord } from '../audit/in-sync.ts';
import { cacheRoot, pruneCacheEntries, writeCacheFile } from './user-cache.ts';

const FORMAT = 'tenantctl-in-sync 1';
const KEEP_PER_CLUSTER = 4;

export interface InSyncCacheOptions {
  readonly cluster: string;
  /** Hash of everything the verdicts depend on besides the objects. */
  readonly key: string;
  /** @default `cacheRoot()/in-sync` */
  readonly dir?: string;
}

function entryPath(o: InSyncCacheOptions): { dir: string; prefix: string; path: string } {
  const dir = o.dir ?? join(cacheRoot(), 'in-sync');
  const prefix = `${o.cluster.replace(/[^A-Za-z0-9._-]/g, '_')}-`;
  const hash = createHash('sha256').update(`${FORMAT}\n${o.cluster}\n${o.key}`).digest('hex').slice(0, 32);
  return { dir, prefix, path: join(dir, `${prefix}${hash}.json`) };
}

/** The cluster's record under the key; undefined when there is none or it is damaged. */
export function readInSync(o: InSyncCacheOptions): InSyncRecord | undefined {
  let file: Buffer;
  try {
    file = readFileSync(entryPath(o).path);
  } catch {
    return undefined;
  }
  const headerEnd = file.indexOf(0x0a);
  if (headerEnd < 0) return undefined;
  const header = file.toString('utf8', 0, headerEnd).split(' ');
  const [sum, length] = [header.at(-2), Number(header.at(-1))];
  const rest = file.subarray(headerEnd + 1);
  if (header.slice(0, -2).join(' ') !== FORMAT || length !== rest.length) return undefined;
  if (createHash('sha256').update(rest).digest('hex') !== sum) return undefined;
  return parseRecord(rest.toString('utf8'));
}

/** Stores the record for the next audit (best effort: a cache that cannot be written only costs time). */
export function writeInSync(o: InSyncCacheOptions, record: InSyncRecord): void {
  const { dir, prefix, path } = entryPath(o);
  const rest = Buffer.from(serializeRecord(record));
  const sum = createHash('sha256').update(rest).digest('hex');
  writeCacheFile(path, Buffer.concat([Buffer.from(`${FORMAT} ${sum} ${rest.length}\n`), rest]));
  pruneCacheEntries(dir, prefix, KEEP_PER_CLUSTER);
}
