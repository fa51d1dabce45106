/**
 * A git ref of a repository, materialised as plain files in a temporary directory.
 *
 * `git read-tree` into a private index file, then `git checkout-index --prefix`: the same files
 * `git archive` would give, without a tar step, and unlike `git worktree add` it writes nothing
 * into the repository (no `.git/worktrees/` entry, no lock on its index), so it is safe while
 * others use the repository and leaves nothing behind if the process dies. Only this module and
 * the CLI touch git.
 */
import { UserError } from '../model/user-error.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

export interface MaterializedRef {
  /** Directory holding the ref's tracked files (no `.git`). */
  readonly dir: string;
  /** Where the directory passed as `repo` lies in that copy (`dir` itself unless it was a subfolder). */
  readonly root: string;
  /** Full commit id the ref resolved to. */
  readonly commit: string;
  /** Removes the directory. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface MaterializeOptions {
  /** Parent of the temporary directory. @default os.tmpdir() */
  readonly tmpRoot?: string;
  /** Paths (relative to `repo`) left out of the copy: the audit reads generated/ per cluster, and only on a cache miss. */
  readonly exclude?: readonly string[];
}

/** The ref does not name a commit in the repository (not fetched, typo, shallow clone). */
export class UnknownRefError extends UserError {
  constructor(
    readonly ref: string,
    readonly repo: string,
    options?: { cause?: unknown },
  ) {
    super(
      `cannot resolve "${ref}" to a commit in ${repo}. Fetch it first (\`git fetch origin ${ref.replace(/^origin\//, '')}\`); in GitHub Actions check out with \`fetch-depth: 0\`.`,
      options,
    );
    this.name = 'UnknownRefError';
  }
}

/**
 * Environment for our git processes: the caller's, minus variables that would redirect git
 * (GIT_DIR, GIT_INDEX_FILE set by a hook) or that simple-git refuses as unsafe (editors, pagers,
 * askpass, config overrides).
 */
function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(git_.*|editor|pager|prefix|ssh_askpass)$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function git(repo: string, env?: Record<string, string>): SimpleGit {
  return simpleGit({ baseDir: repo }).env(gitEnv(env));
}

/** Full commit id of `ref`, or UnknownRefError. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new UnknownRefError(ref, repo);
  let commit: string;
  try {
    // simple-git resolves a failing command that printed nothing, so check the output too
    commit = (await git(repo).raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch (error) {
    throw new UnknownRefError(ref, repo, { cause: error });
  }
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new UnknownRefError(ref, repo);
  return commit;
}

/**
 * Checks out `treeish` (a commit, or `<commit>:./<path>`) under a new temporary directory, at
 * `prefix(dir)`, through an index file of its own: the repository's index and work tree are never
 * touched. `exclude`: paths left out. The directory is removed again if anything fails.
 */
async function checkOutTree(repo: string, treeish: string, prefix: (dir: string) => string, options: MaterializeOptions, failure: (dir: string) => string): Promise<{ readonly dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'tenantctl-ref-'));
  const index = `${dir}.index`;
  const cleanup = async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(index, { force: true });
  };
  try {
    const g = git(repo, { GIT_INDEX_FILE: index });
    await g.raw(['read-tree', treeish]);
    if (options.exclude?.length) await g.raw(['rm', '-r', '-q', '-f', '--cached', '--ignore-unmatch', '--', ...options.exclude]);
    await g.raw(['checkout-index', '--all', '--force', `--prefix=${prefix(dir)}/`]);
    await rm(index, { force: true });
  } catch (error) {
    await cleanup();
    throw new Error(`${failure(dir)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { dir, cleanup };
}

/** Writes the tree of `ref` into a new temporary directory. */
export async function materializeRef(repo: string, ref: string, options: MaterializeOptions = {}): Promise<MaterializedRef> {
  const commit = await resolveCommit(repo, ref);
  const prefix = (await git(repo).raw(['rev-parse', '--show-prefix'])).trim();
  const { dir, cleanup } = await checkOutTree(repo, commit, (d) => d, options, (d) => `cannot write the files of ${ref} (${commit.slice(0, 12)}) to ${d}`);
  return { dir, root: prefix ? join(dir, prefix) : dir, commit, cleanup };
}

/**
 * Git's tree hash of `path` (relative to `repo`) at `commit`: the same for the same content,
 * whichever commit holds it. Undefined when the commit has no folder there.
 */
export async function treeHashAt(repo: string, commit: string, path: string): Promise<string | undefined> {
  try {
    const hash = (await git(repo).raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${commit}:./${path}`])).trim();
    return /^[0-9a-f]{40,64}$/.test(hash) ? hash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the folder `path` (relative to `repo`) of `commit` into a new temporary directory, at
 * the same relative path: `<dir>/<path>/...`, so files are named as in the repository.
 */
export async function materializeFolder(repo: string, commit: string, path: string, options: Pick<MaterializeOptions, 'tmpRoot'> = {}): Promise<{ readonly dir: string; cleanup(): Promise<void> }> {
  return checkOutTree(repo, `${commit}:./${path}`, (d) => join(d, path), options, (d) => `cannot write ${path} of ${commit.slice(0, 12)} to ${d}`);
}
