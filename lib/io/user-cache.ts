/**
 * tenantctl's cache on the user's machine: outside the repository, so clones and `git clean` keep
 * what is slow to rebuild (the test binaries, tenant files already read) and a pull request can
 * never bring entries of its own. One root for every cache, and one way to write into it.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userCacheRoot } from './workspace-cache.mjs';

/** `$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME`, else `~/.cache`; plus `/tenantctl` (workspace-cache.mjs, which the entry point reads before the bundle loads). */
export function cacheRoot(): string {
  return userCacheRoot();
}

/**
 * Writes a whole cache file or nothing: to a temporary file renamed into place, so a reader in
 * another process sees the old file or the new one, never half of one. Best effort: a cache that
 * cannot be written (read-only file system) only costs time, so failures are swallowed.
 */
export function writeCacheFile(path: string, text: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch {
    // an optimisation only
  }
}

/**
 * Removes all but the `keep` newest files `<prefix><32 hex>.json` of `dir` (a cluster's entries:
 * never those of a cluster whose name merely starts alike, `eu-west-…` when pruning `eu-`). Best
 * effort: another process may be at it too.
 */
export function pruneCacheEntries(dir: string, prefix: string, keep: number): void {
  try {
    const entries = readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && /^[0-9a-f]{32}\.json$/.test(f.slice(prefix.length)))
      .map((f) => ({ path: join(dir, f), at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const e of entries.slice(keep)) rmSync(e.path, { force: true });
  } catch {
    // pruning is housekeeping only
  }
}
