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
 */
import { join } from 'node:path';
import { openEntryFile } from './entry-file.ts';
import type { PositionTable, ReadCache } from './static-module.ts';
import { cacheRoot } from './user-cache.ts';

/** The JSON of an entry's value and of its positions table. */
type Entry = readonly [value: string, positions: string];
/** Format 2: entries as JSON texts (read-inputs.json held them as objects); its own file, so older checkouts sharing the cache keep theirs. */
const FILE = 'read-inputs-2.json';

const wellFormed = (e: unknown): e is Entry => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'string';

/** A cache loaded from disk now; `flush()` writes back what this run used or added (best effort). */
export function diskReadCache(dir = cacheRoot()): ReadCache & { flush(): void } {
  const file = openEntryFile(join(dir, FILE), wellFormed);
  return {
    get(key) {
      const hit = file.get(key);
      if (!hit) return undefined;
      return { value: JSON.parse(hit[0]) as unknown, positions: () => JSON.parse(hit[1]) as PositionTable };
    },
    set(key, entry) {
      file.set(key, [JSON.stringify(entry.value), JSON.stringify(entry.positions)]);
    },
    flush: () => file.flush(),
  };
}
