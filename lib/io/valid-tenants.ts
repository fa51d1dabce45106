/**
 * The ValidTenants of compile.ts on disk: tenant values that passed the tenant schema, with what
 * zod made of them, so a re-synth validates only the tenants that are new or changed (zod costs
 * about 0.1 ms per tenant; at 1,000 tenants that is most of compiling). The fleet-wide checks
 * (unique names and domains, placement, capacity) still run over every tenant, on these values.
 *
 * - **Key:** SHA-256 of the value's JSON (input files are plain data: JSON holds them exactly),
 *   in a file named by the validating code: the running bundle's key (every source file and the
 *   lock file) or, from sources, the schema's modules and the lock file; and the Node version
 *   (time zones come from its ICU). Other code never reads these entries.
 * - **Where:** the user cache (`cacheRoot()/valid-tenants-<key>.json`), outside the repository,
 *   so a pull request can never bring an entry saying its tenant passed.
 * - **Damage:** the file starts with the SHA-256 of the rest; a damaged file is read as empty
 *   (every tenant validated again) and rewritten. Invalid values are never entered, so their
 *   errors are always zod's own.
 * - **Two processes at once** each write a whole file and rename it into place; the last one wins.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidTenants } from '../synth/compile.ts';
import { runningBundle } from './bundle-info.ts';
import { cacheRoot, pruneCacheEntries, writeCacheFile } from './user-cache.ts';

const FORMAT = 'tenantctl-valid-tenants 1';
/**
 * Entries kept beyond the ones a run used, newest first: earlier versions of the fleet's files (a
 * branch, an edit undone) and a smaller repository's. Bounded tightly: every run reads the whole
 * file, and one rewrites it; with 4,000 such entries besides a 1,000-tenant fleet's, that was some
 * 30 ms of a re-synth after one tenant changed.
 */
const KEEP_OTHERS = 1000;
const PREFIX = 'valid-tenants-';
const KEEP_FILES = 4;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The code whose verdict the entries are: see the module comment. */
function validatorKey(): string {
  const h = createHash('sha256').update(`${FORMAT}\0${process.version}\0`);
  const bundle = runningBundle();
  if (bundle?.key) return h.update(`bundle\0${bundle.key}`).digest('hex');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const file of ['lib/tenant/schema.ts', 'lib/time/calendar-date.ts', 'lib/io/valid-tenants.ts', 'package-lock.json']) {
    try {
      h.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
    } catch {
      h.update(file).update('\0missing\0');
    }
  }
  return h.digest('hex');
}

/** Entries: the value's digest to the JSON of what zod made of it (parsed per hit, so every hit is a fresh object). */
function parseFile(text: string): Record<string, string> {
  if (text.charCodeAt(64) !== 10) return {};
  const body = text.slice(65);
  if (text.slice(0, 64) !== sha256(body)) return {};
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** A ValidTenants loaded from the user cache now; `flush()` writes back what this run used or added (best effort). */
export function diskValidTenants(dir = cacheRoot()): ValidTenants & { flush(): void } {
  const name = `${PREFIX}${validatorKey().slice(0, 32)}.json`;
  const path = join(dir, name);
  let stored: Record<string, string> = {};
  try {
    stored = parseFile(readFileSync(path, 'utf8'));
  } catch {
    // none yet, or unreadable: start empty
  }
  const used = new Map<string, string>();
  let added = false;
  return {
    get(value) {
      const key = sha256(JSON.stringify(value));
      const entry = Object.hasOwn(stored, key) ? stored[key] : undefined;
      if (typeof entry !== 'string') return undefined;
      used.set(key, entry);
      return JSON.parse(entry) as unknown;
    },
    set(value, parsed) {
      used.set(sha256(JSON.stringify(value)), JSON.stringify(parsed));
      added = true;
    },
    flush() {
      if (!added) return;
      const out: Record<string, string> = Object.fromEntries(used);
      let kept = used.size;
      for (const [k, e] of Object.entries(stored)) {
        if (kept >= used.size + KEEP_OTHERS) break;
        if (!Object.hasOwn(out, k) && typeof e === 'string') {
          out[k] = e;
          kept++;
        }
      }
      const body = JSON.stringify(out);
      writeCacheFile(path, `${sha256(body)}\n${body}`);
      // The files of the KEEP_FILES code versions used last (a few checkouts or branches); older ones are never read again.
      pruneCacheEntries(dir, PREFIX, KEEP_FILES);
    },
  };
}
