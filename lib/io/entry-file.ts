/**
 * A bounded, checksummed file of cache entries in the user cache: the way the read cache
 * (read-cache.ts) and the valid tenants (valid-tenants.ts) keep what a run learned for the next.
 *
 * - **Whole file, loaded once:** one JSON object of entries, read at start and rewritten whole by
 *   `flush()`, so a run pays one read, one check and at most one write, however many entries it uses.
 * - **Damage:** the first line is the SHA-256 (hex) of the rest, so the file is checked as a whole
 *   (one hash, not one per entry); a damaged file is read as empty, never trusted in part, and
 *   rewritten by the next run that adds an entry.
 * - **Two processes at once** each rename a whole file into place (writeCacheFile): the last wins.
 * - **Bounded:** a rewrite keeps the entries the run used and at most `KEEP_OTHERS` others.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeCacheFile } from './user-cache.ts';

/** An entry as stored: JSON texts (one, or a tuple), so a cache parses only the entries a run uses. */
export type StoredEntry = string | readonly string[];

/**
 * Entries kept beyond the ones a run used, newest first: earlier versions of the fleet's files (a
 * branch, an edit undone) and a smaller repository's. Bounded tightly: every run reads the whole
 * file, and one rewrites it; with 4,000 such entries besides a 1,000-tenant fleet's, that was some
 * 30 ms of a re-synth after one tenant changed.
 */
const KEEP_OTHERS = 1000;

/** One run's view of an entry file; see the module comment. */
export interface EntryFile<E extends StoredEntry> {
  /** The entry stored under `key`, when of the shape asked for; a hit is kept by the next rewrite. */
  get(key: string): E | undefined;
  set(key: string, entry: E): void;
  /**
   * Rewrites the file when this run added an entry (a run that only read leaves it alone: most
   * re-synths). `afterWrite` runs only then: housekeeping that a rewrite makes due. Best effort.
   */
  flush(afterWrite?: () => void): void;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const isString = (e: unknown): e is string => typeof e === 'string';

/** The entries of a file's text when it is whole (its first line is the SHA-256 of the rest); empty otherwise. */
function parseEntryFile(text: string): Record<string, unknown> {
  if (text.charCodeAt(64) !== 10) return {};
  const body = text.slice(65);
  if (text.slice(0, 64) !== sha256(body)) return {};
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The entry file at `path`, loaded now (none yet, unreadable or damaged: empty). `wellFormed`:
 * what an entry of this cache looks like (strings by default); a stored entry of another shape is
 * neither given out nor kept, so a file need not be trusted entry by entry.
 */
export function openEntryFile(path: string): EntryFile<string>;
export function openEntryFile<E extends StoredEntry>(path: string, wellFormed: (e: unknown) => e is E): EntryFile<E>;
export function openEntryFile(path: string, wellFormed: (e: unknown) => e is StoredEntry = isString): EntryFile<StoredEntry> {
  let stored: Record<string, unknown> = {};
  try {
    stored = parseEntryFile(readFileSync(path, 'utf8'));
  } catch {
    // none yet, or unreadable: start empty
  }
  const used = new Map<string, StoredEntry>();
  let added = false;
  return {
    get(key) {
      const hit = Object.hasOwn(stored, key) ? stored[key] : undefined;
      if (!wellFormed(hit)) return undefined;
      used.set(key, hit);
      return hit;
    },
    set(key, entry) {
      used.set(key, entry);
      added = true;
    },
    flush(afterWrite) {
      if (!added) return;
      const out: Record<string, StoredEntry> = Object.fromEntries(used);
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
      afterWrite?.();
    },
  };
}
