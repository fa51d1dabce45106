/**
 * The ReadCache of static-module.ts on disk: one entry file (entry-file.ts) in tenantctl's cache
 * folder (the control plane's too: `$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME`, else
 * `~/.cache`, plus `/tenantctl`), outside the repository, so a pull request can never bring its
 * own entries along. Entries are keyed by a hash of the file's text and the reader's code, and hold
 * only the data the file was read as.
 *
 * Each entry is kept as two JSON texts, the value and its positions, parsed only when used: the
 * file holds a few fleets' worth of entries (3,000 and more), a re-synth uses one fleet's values,
 * and their positions only when an issue is reported. Parsing all of it into objects cost more
 * than the rest of reading the inputs. Each hit is a fresh parse, so no caller can change another's value.
 *
 * With them, the SHA-256 of the value's JSON, hashed once when the entry is stored: it is the
 * value's key in valid-tenants.ts, where every run looks every tenant up, and serializing and
 * hashing 1,000 values again on each run cost some 10 ms.
 */
import { join } from 'node:path';
import { openEntryFile } from './entry-file.ts';
import type { PositionTable, ReadCache } from './static-module.ts';
import { cacheRoot } from './user-cache.ts';
import { valueDigestOf } from './valid-tenants.ts';

/** The JSON of an entry's value and of its positions table, and the SHA-256 (hex) of the former. */
type Entry = readonly [value: string, positions: string, valueDigest: string];
/**
 * Format 3: with the value's digest (read-inputs-2.json held the two JSON texts only, and
 * read-inputs.json objects); its own file, so older checkouts sharing the cache keep theirs.
 */
const FILE = 'read-inputs-3.json';

const wellFormed = (e: unknown): e is Entry => Array.isArray(e) && e.length === 3 && e.every((s) => typeof s === 'string');

/** A cache loaded from disk now; `flush()` writes back what this run used or added (best effort). */
export function diskReadCache(dir = cacheRoot()): ReadCache & { flush(): void } {
  const file = openEntryFile(join(dir, FILE), wellFormed);
  return {
    get(key) {
      const hit = file.get(key);
      if (!hit) return undefined;
      return { value: JSON.parse(hit[0]) as unknown, positions: () => JSON.parse(hit[1]) as PositionTable, valueDigest: hit[2] };
    },
    set(key, entry) {
      const value = JSON.stringify(entry.value);
      const valueDigest = valueDigestOf(value);
      file.set(key, [value, JSON.stringify(entry.positions), valueDigest]);
      return valueDigest;
    },
    flush: () => file.flush(),
  };
}
