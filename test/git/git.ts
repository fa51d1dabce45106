/**
 * Plain git for test setup (bare remotes, clones, commits by a test identity), isolated from the
 * machine's git configuration. The code under test uses simple-git; tests arrange and inspect
 * repositories with the git binary directly.
 */
import { execFileSync } from 'node:child_process';

/** Runs git in `cwd`; stdout without the trailing newline. Throws with stderr on failure. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}
