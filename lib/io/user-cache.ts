/**
 * tenantctl's cache on the user's machine: outside the repository, so clones and `git clean` keep
 * what is slow to rebuild (the test binaries, tenant files already read) and a pull request can
 * never bring entries of its own. One root for every cache, and one way to write into it.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userCacheRoot } from './workspace-cache.mjs';

/** `$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME`, else `~/.cache`; plus `/tenantctl` (workspace-cache.mjs, which the entry point reads before the bundle loads). */
export function cacheRoot(): string {
  return userCacheRoot();
}

/**
 * Writes a whole cache file or nothing: to a temporary file renamed into place, so a reader in
 * another process sees the old file or the new one, never half of one. Best effort: a cache that
 * cannot be written (read-only file system) only costs time, so failures are swallowed, and
 * the answer says whether the file is in place. `parts` are written one after the other, so a
 * large entry need not be joined into one buffer first.
 */
export function writeCacheFile(path: string, text: string | Uint8Array | readonly Uint8Array[]): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (Array.isArray(text)) writeParts(tmp, text as readonly Uint8Array[]);
    else writeFileSync(tmp, text as string | Uint8Array);
    renameSync(tmp, path);
    return true;
  } catch {
    // an optimisation only
    removeQuietly(tmp);
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // left for the next write of the same entry to replace
  }
}

function writeParts(path: string, parts: readonly Uint8Array[]): void {
  const fd = openSync(path, 'w');
  try {
    // writev takes at most IOV_MAX (1,024) buffers, and may write fewer bytes than asked.
    for (let at = 0; at < parts.length; at += 1024) {
      let rest = parts.slice(at, at + 1024).filter((p) => p.length > 0);
      while (rest.length) {
        let n = writevSync(fd, rest);
        while (rest.length && n >= rest[0].length) n -= rest.shift()!.length;
        if (rest.length && n > 0) rest = [rest[0].subarray(n), ...rest.slice(1)];
      }
    }
  } finally {
    closeSync(fd);
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
