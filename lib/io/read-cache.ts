/**
 * The ReadCache of static-module.ts on disk: one JSON file in tenantctl's cache folder (the
 * control plane's too: `$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME`, else `~/.cache`, plus
 * `/tenantctl`), outside the repository, so a pull request can never bring its own entries along.
 * Entries are keyed by a hash of the file's text and the reader's code, and hold only the data
 * the file was read as; the file starts with a checksum of the rest: a damaged file is read
 * again, never trusted. Two processes may write at once; each renames a whole file into place,
 * so the last one wins.
 *
 * Each entry is kept as two JSON texts, the value and its positions, parsed only when used: the
 * file holds a few fleets' worth of entries (3,000 and more), a re-synth uses one fleet's values,
 * and their positions only when an issue is reported. Parsing all of it into objects cost more
 * than the rest of reading the inputs. Each hit is a fresh parse, so no caller can change another's value.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PositionTable, ReadCache } from './static-module.ts';
import { cacheRoot, writeCacheFile } from './user-cache.ts';

/** The JSON of an entry's value and of its positions table. */
type Entry = [value: string, positions: string];
/** Format 2: entries as JSON texts (read-inputs.json held them as objects); its own file, so older checkouts sharing the cache keep theirs. */
const FILE = 'read-inputs-2.json';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The entries of the cache file's text when it is whole (its first line is the SHA-256 of the rest); empty otherwise. */
function parseCacheFile(text: string): Record<string, Entry> {
  if (text.charCodeAt(64) !== 10) return {};
  const body = text.slice(65);
  if (text.slice(0, 64) !== sha256(body)) return {};
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Entry>) : {};
  } catch {
    return {};
  }
}

const wellFormed = (e: unknown): e is Entry => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'string';

/**
 * Entries kept beyond the ones a run used, newest first: earlier versions of the fleet's files (a
 * branch, an edit undone) and a smaller repository's. Bounded tightly: every run reads the whole
 * file, and one rewrites it; with 4,000 such entries besides a 1,000-tenant fleet's, that was some
 * 30 ms of a re-synth after one tenant changed.
 */
const KEEP_OTHERS = 1000;

/**
 * A cache loaded from disk now; `flush()` writes back what this run used or added (best effort).
 * The file is checked as a whole (one hash, not one per entry): a damaged file is read as empty,
 * so every tenant file is parsed again and the cache rewritten.
 */
export function diskReadCache(dir = cacheRoot()): ReadCache & { flush(): void } {
  const path = join(dir, FILE);
  let stored: Record<string, Entry> = {};
  try {
    stored = parseCacheFile(readFileSync(path, 'utf8'));
  } catch {
    // none yet, or unreadable: start empty
  }
  const used = new Map<string, Entry>();
  let added = false;
  return {
    get(key) {
      const hit = Object.hasOwn(stored, key) && wellFormed(stored[key]) ? stored[key] : undefined;
      if (!hit) return undefined;
      used.set(key, hit);
      return { value: JSON.parse(hit[0]) as unknown, positions: () => JSON.parse(hit[1]) as PositionTable };
    },
    set(key, entry) {
      used.set(key, [JSON.stringify(entry.value), JSON.stringify(entry.positions)]);
      added = true;
    },
    flush() {
      if (!added) return;
      const out: Record<string, Entry> = {};
      for (const [k, e] of used) out[k] = e;
      let kept = used.size;
      for (const [k, e] of Object.entries(stored)) {
        if (kept >= used.size + KEEP_OTHERS) break;
        if (!Object.hasOwn(out, k) && wellFormed(e)) {
          out[k] = e;
          kept++;
        }
      }
      const body = JSON.stringify(out);
      writeCacheFile(path, `${sha256(body)}\n${body}`);
    },
  };
}
