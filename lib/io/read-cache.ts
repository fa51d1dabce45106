/**
 * The ReadCache of static-module.ts on disk: one JSON file in tenantctl's cache folder (the
 * control plane's too: `$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME`, else `~/.cache`, plus
 * `/tenantctl`), outside the repository, so a pull request can never bring its own entries along.
 * Entries are keyed by a hash of the file's text and the reader's code, and hold only the data
 * the file was read as, with a checksum: a damaged entry is read again, never trusted. Two
 * processes may write at once; each renames a whole file into place, so the last one wins.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PositionTable, ReadCache } from './static-module.ts';
import { cacheRoot, writeCacheFile } from './user-cache.ts';

type Entry = { value: unknown; positions: PositionTable };
type StoredEntry = Entry & { sum: string };

function checksum(entry: Entry): string {
  return createHash('sha256').update(JSON.stringify([entry.value, entry.positions])).digest('hex');
}

/** The entry when it is whole (its checksum matches); undefined for anything else. */
function intact(stored: unknown): Entry | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const e = stored as Partial<StoredEntry>;
  if (!('value' in e) || !e.positions || typeof e.sum !== 'string') return undefined;
  try {
    return checksum(e as Entry) === e.sum ? { value: e.value, positions: e.positions } : undefined;
  } catch {
    return undefined;
  }
}

/** Entries kept beyond the ones a run used: enough for a few repositories, bounded. */
const KEEP = 5000;

/** A cache loaded from disk now; `flush()` writes back what this run used or added (best effort). */
export function diskReadCache(dir = cacheRoot()): ReadCache & { flush(): void } {
  const path = join(dir, 'read-inputs.json');
  let stored: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    // none yet, or unreadable: start empty
  }
  const used = new Map<string, Entry>();
  let added = false;
  return {
    get(key) {
      const hit = Object.hasOwn(stored, key) ? intact(stored[key]) : undefined;
      if (hit) used.set(key, hit);
      return hit && { value: structuredClone(hit.value), positions: hit.positions };
    },
    set(key, entry) {
      used.set(key, entry);
      added = true;
    },
    flush() {
      if (!added) return;
      const out: Record<string, StoredEntry> = {};
      for (const [k, e] of used) out[k] = { ...e, sum: checksum(e) };
      let kept = used.size;
      for (const [k, v] of Object.entries(stored)) {
        if (kept >= KEEP) break;
        const e = Object.hasOwn(out, k) ? undefined : intact(v);
        if (e) {
          out[k] = { ...e, sum: checksum(e) };
          kept++;
        }
      }
      writeCacheFile(path, JSON.stringify(out));
    },
  };
}
