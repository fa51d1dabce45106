// Where synth keeps what it knows of one working copy (the render cache, generated/'s recorded
// state and listings, the input files' stamps): in the user cache, outside the repository. Kept in
// the working copy (`.tenantctl/cache/`, git-ignored), a pull request could commit entries there
// (`git add -f`) that CI's `synth --check` would take for its own: a render entry is keyed by
// content and checksummed, both of which anyone can compute, so a forged entry beside a forged
// generated/ passed the check. Plain JavaScript (types in workspace-cache.d.mts): the CLI's entry
// point reads the state before the bundle loads.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** tenantctl's user cache: `$TENANTCTL_CACHE_DIR`, else `$XDG_CACHE_HOME`, else `~/.cache`; plus `/tenantctl`. */
export function userCacheRoot() {
  return join(process.env.TENANTCTL_CACHE_DIR || process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tenantctl');
}

const dirs = new Map();

/**
 * The folder of the working copy at `root`: named by a hash of its real path, so two checkouts (a
 * clone, a `git worktree`) never share a recorded state, and a link to a checkout is that checkout.
 */
export function workspaceCacheDir(root) {
  const cacheRoot = userCacheRoot();
  const key = `${cacheRoot}\0${root}`;
  let dir = dirs.get(key);
  if (dir === undefined) {
    let real;
    try {
      real = realpathSync(root);
    } catch {
      real = resolve(root);
    }
    dir = join(cacheRoot, 'workspaces', createHash('sha256').update(real).digest('hex').slice(0, 32));
    dirs.set(key, dir);
  }
  return dir;
}
