/**
 * The ValidTenants of compile.ts on disk: tenant values that passed the tenant schema, with what
 * zod made of them, so a re-synth validates only the tenants that are new or changed (zod costs
 * about 0.1 ms per tenant; at 1,000 tenants that is most of compiling). The fleet-wide checks
 * (unique names and domains, placement, capacity) still run over every tenant, on these values.
 *
 * - **Key:** SHA-256 of the value's JSON (input files are plain data: JSON holds them exactly),
 *   as the read cache gives it (LoadedFile.valueDigest) or computed here, in an entry file
 *   (entry-file.ts) named by the validating code: the running bundle's key (every source file and
 *   the lock file) or, from sources, the schema's modules, the file's format and the lock file;
 *   and the Node version (time zones come from its ICU). Other code never reads these entries.
 * - **Where:** the user cache (`cacheRoot()/valid-tenants-<key>.json`), outside the repository,
 *   so a pull request can never bring an entry saying its tenant passed.
 * - **Damage:** a damaged file is read as empty (entry-file.ts): every tenant is validated again.
 *   Invalid values are never entered, so their errors are always zod's own.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidTenants } from '../synth/compile.ts';
import { runningBundle } from './bundle-info.ts';
import { openEntryFile } from './entry-file.ts';
import { cacheRoot, pruneCacheEntries } from './user-cache.ts';

const FORMAT = 'tenantctl-valid-tenants 1';
const PREFIX = 'valid-tenants-';
const KEEP_FILES = 4;

/**
 * A tenant value's key: the SHA-256 (hex) of its JSON text. The read cache stores it with the
 * value (LoadedFile.valueDigest), so both must make it alike: this is the one definition.
 */
export function valueDigestOf(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

/** The code whose verdict the entries are: see the module comment. */
function validatorKey(): string {
  const h = createHash('sha256').update(`${FORMAT}\0${process.version}\0`);
  const bundle = runningBundle();
  if (bundle?.key) return h.update(`bundle\0${bundle.key}`).digest('hex');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  for (const file of ['lib/tenant/schema.ts', 'lib/time/calendar-date.ts', 'lib/io/valid-tenants.ts', 'lib/io/entry-file.ts', 'package-lock.json']) {
    try {
      h.update(file).update('\0').update(readFileSync(join(root, file))).update('\0');
    } catch {
      h.update(file).update('\0missing\0');
    }
  }
  return h.digest('hex');
}

/** A ValidTenants loaded from the user cache now; `flush()` writes back what this run used or added (best effort). */
export function diskValidTenants(dir = cacheRoot()): ValidTenants & { flush(): void } {
  // Entries: the value's key to the JSON of what zod made of it (parsed per hit, so every hit is a fresh object).
  const file = openEntryFile(join(dir, `${PREFIX}${validatorKey().slice(0, 32)}.json`));
  const keyOf = (value: unknown, digest: string | undefined) => digest ?? valueDigestOf(JSON.stringify(value));
  return {
    get(value, digest) {
      const entry = file.get(keyOf(value, digest));
      return entry === undefined ? undefined : (JSON.parse(entry) as unknown);
    },
    set(value, parsed, digest) {
      file.set(keyOf(value, digest), JSON.stringify(parsed));
    },
    // The files of the KEEP_FILES code versions used last (a few checkouts or branches); older ones are never read again.
    flush: () => file.flush(() => pruneCacheEntries(dir, PREFIX, KEEP_FILES)),
  };
}
