/**
 * The ReadCache of static-module.ts on disk: one JSON file in the user's cache folder
 * (`$XDG_CACHE_HOME/tenantctl` or `~/.cache/tenantctl`), outside the repository, so a pull
 * request can never bring its own entries along. Entries are keyed by a hash of the file's text
 * and the reader's code, and hold only the data the file was read as.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PositionTable, ReadCache } from './static-module.ts';

type Entry = { value: unknown; positions: PositionTable };

/** Entries kept beyond the ones a run used: enough for a few repositories, bounded. */
const KEEP = 5000;

export function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tenantctl');
}

/** A cache loaded from disk now; `flush()` writes back what this run used or added (best effort). */
export function diskReadCache(dir = cacheDir()): ReadCache & { flush(): void } {
  const path = join(dir, 'read-inputs.json');
  let stored: Record<string, Entry> = {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, Entry>;
  } catch {
    // none yet, or unreadable: start empty
  }
  const used = new Map<string, Entry>();
  let added = false;
  return {
    get(key) {
      const hit = Object.hasOwn(stored, key) ? stored[key] : undefined;
      if (hit) used.set(key, hit);
      return hit && { value: structuredClone(hit.value), positions: hit.positions };
    },
    set(key, entry) {
      used.set(key, entry);
      added = true;
    },
    flush() {
      if (!added) return;
      const out: Record<string, Entry> = Object.fromEntries(used);
      for (const [k, v] of Object.entries(stored)) {
        if (Object.keys(out).length >= KEEP) break;
        if (!Object.hasOwn(out, k)) out[k] = v;
      }
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(out));
        renameSync(tmp, path);
      } catch {
        // a cache that cannot be written only costs time
      }
    },
  };
}
