/**
 * Publishes the drift branch of one cluster (`tenantctl/drift/<cluster>`) without touching the
 * user's checkout.
 *
 * The commit is built with plumbing in a private index file: `read-tree` of the fetched base,
 * `update-index` with blobs from `hash-object`, `write-tree`, `commit-tree` as the bot. The
 * working tree, the real index, HEAD and local branches are never read or written; only objects
 * and the remote-tracking refs a `git fetch` updates anyway. The branch is always one commit on
 * top of the latest base, so it is pushed with `--force-with-lease` against the commit we saw:
 * when another run pushed first, ours is refused and reported as `conflict` instead of
 * overwriting it. Failures are data; messages never hold credentials from remote URLs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { redactSecrets } from '../model/redact.ts';

export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/** Author and committer of drift commits: GitHub shows it as a bot, not as whoever ran the CLI. */
export const TENANTCTL_BOT: GitIdentity = { name: 'tenantctl[bot]', email: 'tenantctl[bot]@users.noreply.github.com' };

/** A file's new content at a repository-relative path, or `null` to delete it. */
export interface FileChange {
  readonly path: string;
  readonly content: string | null;
}

export interface PublishBranchOptions {
  /** Any directory inside the user's clone. */
  readonly repoDir: string;
  /** Name of a configured remote (not a URL): its tracking refs receive the fetched branches. @default 'origin' */
  readonly remote?: string;
  /** Branch to publish, e.g. `tenantctl/drift/eu-1`. */
  readonly branch: string;
  /** Branch the commit is built on, e.g. `main`. */
  readonly base: string;
  /**
   * Commit of `base` to build on: the one the caller computed `files` from. When the base has
   * moved since, building on its new tip would silently undo the newer changes to the same files.
   * @default the tip of `base` on the remote
   */
  readonly baseCommit?: string;
  /** Changes relative to the base. Files under a `replaceDirs` entry make up that directory's whole new content. */
  readonly files: readonly FileChange[];
  /** Directories (e.g. `generated`) whose content on the branch is exactly the `files` under them. @default [] */
  readonly replaceDirs?: readonly string[];
  readonly message: string;
  /** @default TENANTCTL_BOT */
  readonly author?: GitIdentity;
  /** Parent of the temporary index and blob files. @default os.tmpdir() */
  readonly tmpRoot?: string;
}

export type PublishResult =
  /** Pushed `commit`; `previous` is the branch's commit before (null when created). */
  | { readonly action: 'created' | 'updated'; readonly commit: string; readonly previous: string | null }
  /** The branch already has exactly this content; nothing pushed. */
  | { readonly action: 'unchanged'; readonly commit: string }
  /** The changes leave the base as it is: nothing to propose (close the pull request, delete the branch). */
  | { readonly action: 'same-as-base'; readonly commit: null; readonly remoteCommit: string | null }
  /**
   * The branch holds commits tenantctl did not make (a reviewer's fix): it is left as it is, like
   * Renovate and Dependabot leave a branch someone edited. `authors` name who made them.
   */
  | { readonly action: 'edited'; readonly commit: string; readonly authors: readonly string[] }
  /** Someone pushed the branch after we read it; ours (`commit`) was not pushed. Run again. */
  | { readonly action: 'conflict'; readonly commit: string; readonly expected: string | null; readonly message: string }
  | { readonly action: 'failed'; readonly step: 'read-remote' | 'fetch' | 'build' | 'push'; readonly message: string };

export type DeleteResult =
  | { readonly action: 'deleted'; readonly commit: string }
  /** Not deleted: it holds commits tenantctl did not make. */
  | { readonly action: 'edited'; readonly commit: string; readonly authors: readonly string[] }
  | { readonly action: 'none' }
  | { readonly action: 'conflict'; readonly expected: string; readonly message: string }
  | { readonly action: 'failed'; readonly step: 'read-remote' | 'push'; readonly message: string };

export interface DeleteBranchOptions {
  readonly repoDir: string;
  /** @default 'origin' */
  readonly remote?: string;
  readonly branch: string;
  /** Delete only if the branch is still at this commit. @default the commit the remote reports now */
  readonly expected?: string;
  /** Commits on the branch that are not on this branch (e.g. `main`) must all be by `author`, or nothing is deleted. @default every commit of the branch counts */
  readonly base?: string;
  /** @default TENANTCTL_BOT */
  readonly author?: GitIdentity;
}

/** Paths per git invocation, to stay far below the argument-length limit. */
const CHUNK = 200;

/**
 * Makes `branch` on the remote one commit on top of the remote `base` with `files` applied, unless
 * it already has exactly that content. Never clobbers a branch that moved after we fetched it.
 */
export async function publishBranch(options: PublishBranchOptions): Promise<PublishResult> {
  const remote = options.remote ?? 'origin';
  checkRef(remote);
  checkRef(options.branch);
  checkRef(options.base);
  const files = options.files.map((f) => ({ ...f, path: repoPath(f.path) }));
  const replaceDirs = (options.replaceDirs ?? []).map(repoPath);
  const author = options.author ?? TENANTCTL_BOT;
  const top = await topLevel(options.repoDir);
  if (top === undefined) return { action: 'failed', step: 'read-remote', message: `${options.repoDir} is not inside a git clone; run tenantctl from the repository.` };
  const g = git(top);

  let heads: Map<string, string>;
  try {
    heads = await remoteHeads(g, remote, [options.base, options.branch]);
  } catch (error) {
    return { action: 'failed', step: 'read-remote', message: `cannot read branches of remote "${remote}": ${describe(error)}` };
  }
  if (!heads.has(options.base)) {
    return { action: 'failed', step: 'read-remote', message: `the remote "${remote}" has no branch "${options.base}" to build on; check --base.` };
  }
  const expected = heads.get(options.branch) ?? null;
  try {
    const refspecs = [options.base, ...(expected ? [options.branch] : [])].map((b) => `+refs/heads/${b}:refs/remotes/${remote}/${b}`);
    await g.raw(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, ...refspecs]);
  } catch (error) {
    return { action: 'failed', step: 'fetch', message: `cannot fetch ${options.base} from "${remote}": ${describe(error)}` };
  }

  let built: { commit: string; lease: string };
  try {
    const baseCommit = options.baseCommit ?? (await revParse(g, `refs/remotes/${remote}/${options.base}`));
    const branchCommit = expected ? await revParse(g, `refs/remotes/${remote}/${options.branch}`) : null;
    if (branchCommit) {
      const authors = await foreignAuthors(g, branchCommit, `refs/remotes/${remote}/${options.base}`, author);
      if (authors.length > 0) return { action: 'edited', commit: branchCommit, authors };
    }
    const tree = await buildTree(top, baseCommit, files, replaceDirs, options.tmpRoot);
    const baseTree = await revParse(g, `${baseCommit}^{tree}`);
    const branchTree = branchCommit ? await revParse(g, `${branchCommit}^{tree}`) : null;
    if (tree === baseTree) return { action: 'same-as-base', commit: null, remoteCommit: branchCommit };
    if (branchCommit && tree === branchTree) return { action: 'unchanged', commit: branchCommit };
    const commit = (await git(top, identityEnv(author)).raw(['commit-tree', tree, '-p', baseCommit, '-m', options.message])).trim();
    // Lease against the commit we fetched (not ls-remote's answer, in case it moved in between).
    built = { commit, lease: branchCommit ?? '' };
  } catch (error) {
    return { action: 'failed', step: 'build', message: `cannot build the commit for ${options.branch}: ${describe(error)}` };
  }

  const { lease } = built;
  const pushed = await push(g, remote, [`--force-with-lease=refs/heads/${options.branch}:${lease}`, `${built.commit}:refs/heads/${options.branch}`]);
  if (pushed === 'ok') return { action: expected ? 'updated' : 'created', commit: built.commit, previous: lease || null };
  if (pushed.conflict) {
    return {
      action: 'conflict',
      commit: built.commit,
      expected: lease || null,
      message: `${options.branch} on "${remote}" changed while we built our commit (another tenantctl run?); it was left as is. Run again to update it. ${pushed.message}`,
    };
  }
  return { action: 'failed', step: 'push', message: `cannot push ${options.branch} to "${remote}": ${pushed.message}` };
}

/** Deletes the branch on the remote if it is still where we last saw it (after closing its pull request). */
export async function deleteBranch(options: DeleteBranchOptions): Promise<DeleteResult> {
  const remote = options.remote ?? 'origin';
  checkRef(remote);
  checkRef(options.branch);
  const top = await topLevel(options.repoDir);
  if (top === undefined) return { action: 'failed', step: 'read-remote', message: `${options.repoDir} is not inside a git clone; run tenantctl from the repository.` };
  const g = git(top);
  let expected = options.expected;
  if (expected === undefined) {
    try {
      expected = (await remoteHeads(g, remote, [options.branch])).get(options.branch);
    } catch (error) {
      return { action: 'failed', step: 'read-remote', message: `cannot read branches of remote "${remote}": ${describe(error)}` };
    }
    if (!expected) return { action: 'none' };
  }
  try {
    await g.raw(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+refs/heads/${options.branch}:refs/remotes/${remote}/${options.branch}`]);
    const fetched = await revParse(g, `refs/remotes/${remote}/${options.branch}`);
    const base = options.base ? [`refs/remotes/${remote}/${options.base}`] : [];
    const authors = await foreignAuthors(g, fetched, base[0], options.author ?? TENANTCTL_BOT);
    if (authors.length > 0) return { action: 'edited', commit: fetched, authors };
    // Lease against what we inspected, so a commit pushed after the check is never deleted.
    if (fetched !== expected && options.expected !== undefined) return { action: 'conflict', expected, message: `${options.branch} on "${remote}" moved since ${expected.slice(0, 12)}; it was not deleted.` };
    expected = fetched;
  } catch (error) {
    // A branch already gone on the remote: nothing to delete.
    if (/couldn't find remote ref|cannot resolve/i.test(describe(error))) return { action: 'none' };
    return { action: 'failed', step: 'read-remote', message: `cannot fetch ${options.branch} from "${remote}": ${describe(error)}` };
  }
  const pushed = await push(g, remote, [`--force-with-lease=refs/heads/${options.branch}:${expected}`, `:refs/heads/${options.branch}`]);
  if (pushed === 'ok') return { action: 'deleted', commit: expected };
  if (pushed.conflict) return { action: 'conflict', expected, message: `${options.branch} on "${remote}" moved since ${expected.slice(0, 12)}; it was not deleted. ${pushed.message}` };
  return { action: 'failed', step: 'push', message: `cannot delete ${options.branch} on "${remote}": ${pushed.message}` };
}

/**
 * Who, besides tenantctl, committed to `branch` as last fetched from `remote` (its remote-tracking
 * ref), on top of `base`; empty when nobody did or the branch was not fetched.
 */
export async function foreignCommitAuthors(options: { repoDir: string; remote?: string; branch: string; base: string; author?: GitIdentity }): Promise<string[]> {
  const remote = options.remote ?? 'origin';
  checkRef(remote);
  checkRef(options.branch);
  checkRef(options.base);
  const top = await topLevel(options.repoDir);
  if (top === undefined) return [];
  const g = git(top);
  let branch: string;
  try {
    branch = await revParse(g, `refs/remotes/${remote}/${options.branch}`);
  } catch {
    return [];
  }
  return foreignAuthors(g, branch, `refs/remotes/${remote}/${options.base}`, options.author ?? TENANTCTL_BOT);
}

/**
 * Authors and committers (`Name <email>`) of commits on `branch` but not on `base` that are not
 * `own`: a person's commit, a merge from GitHub's "Update branch" button. Without `base`, only the
 * branch's tip is inspected.
 */
async function foreignAuthors(g: SimpleGit, branch: string, base: string | undefined, own: GitIdentity): Promise<string[]> {
  const range = base ? [branch, '--not', base] : ['-1', branch];
  const out = await g.raw(['log', '--format=%an <%ae>%x09%cn <%ce>', ...range, '--']);
  const mine = `${own.name} <${own.email}>`;
  const people = out.split('\n').filter(Boolean).flatMap((line) => line.split('\t')).filter((who) => who !== mine);
  return [...new Set(people)].sort();
}

/** Writes the blobs and the tree into the repository's object store, through a private index. */
async function buildTree(top: string, baseCommit: string, files: readonly FileChange[], replaceDirs: readonly string[], tmpRoot?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpRoot ?? tmpdir(), 'tenantctl-publish-'));
  try {
    const g = git(top, { GIT_INDEX_FILE: join(dir, 'index') });
    await g.raw(['read-tree', baseCommit]);
    for (const d of replaceDirs) await g.raw(['rm', '--cached', '-r', '-f', '-q', '--ignore-unmatch', '--', d]);

    const removed = files.filter((f) => f.content === null).map((f) => f.path);
    for (const part of chunks(removed)) await g.raw(['update-index', '--force-remove', '--', ...part]);

    const written = files.filter((f): f is FileChange & { content: string } => f.content !== null);
    for (const [n, part] of chunks(written).entries()) {
      const blobFiles = part.map((_, i) => join(dir, `blob-${n}-${i}`));
      await Promise.all(part.map((f, i) => writeFile(blobFiles[i], f.content)));
      const shas = (await g.raw(['hash-object', '-w', '--no-filters', '--', ...blobFiles])).trim().split('\n');
      if (shas.length !== part.length) throw new Error(`hash-object returned ${shas.length} ids for ${part.length} files`);
      await g.raw(['update-index', '--add', ...part.flatMap((f, i) => ['--cacheinfo', `100644,${shas[i]},${f.path}`])]);
    }
    return (await g.raw(['write-tree'])).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Commit ids of the given branches on the remote (absent branches are missing from the map). */
async function remoteHeads(g: SimpleGit, remote: string, branches: readonly string[]): Promise<Map<string, string>> {
  const refs = branches.map((b) => `refs/heads/${b}`);
  const out = await g.raw(['ls-remote', '--heads', remote, ...refs]);
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t');
    // ls-remote matches ref tails; keep exact names only.
    if (sha && ref && refs.includes(ref)) heads.set(ref.slice('refs/heads/'.length), sha);
  }
  return heads;
}

async function push(g: SimpleGit, remote: string, args: readonly string[]): Promise<'ok' | { conflict: boolean; message: string }> {
  try {
    // --no-verify: a user's pre-push hook (tests, lint) is not meant for bot pushes.
    await g.raw(['push', '--porcelain', '--no-verify', remote, ...args]);
    return 'ok';
  } catch (error) {
    const full = describe(error);
    // Porcelain output lists every ref and "Done"; keep the lines that say what went wrong.
    const message = full.split('\n').filter((l) => /\[rejected\]|\[remote rejected\]|^(error|fatal|remote):/.test(l)).join('\n') || full;
    return { conflict: /stale info|\[rejected\]|fetch first|non-fast-forward|already exists/i.test(message), message };
  }
}

async function revParse(g: SimpleGit, rev: string): Promise<string> {
  const sha = (await g.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', rev])).trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error(`cannot resolve ${rev}`);
  return sha;
}

/** Root of the clone holding `dir`, or undefined when there is none. */
async function topLevel(dir: string): Promise<string | undefined> {
  try {
    return (await git(dir).raw(['rev-parse', '--show-toplevel'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Our git processes get the caller's environment minus variables that would redirect git to
 * another repository or identity, or open an editor or pager; credential helpers and SSH
 * settings stay, since fetch and push need them. Prompts are off so CI fails instead of hanging.
 */
function git(dir: string, extra: Record<string, string> = {}): SimpleGit {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(git_(dir|work_tree|index_file|object_directory|alternate_object_directories|common_dir|namespace|prefix|author_.*|committer_.*|editor|sequence_editor|pager|external_diff|exec_path|template_dir|proxy_command)|editor|pager|prefix)$/i.test(k)) continue;
    env[k] = v;
  }
  return simpleGit({
    baseDir: dir,
    unsafe: { allowUnsafeSshCommand: true, allowUnsafeAskPass: true, allowUnsafeConfigEnvCount: true, allowUnsafeConfigPaths: true },
  }).env({ ...env, GIT_TERMINAL_PROMPT: '0', ...extra });
}

function identityEnv(who: GitIdentity): Record<string, string> {
  return { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
}

/** A repository-relative POSIX path; refuses paths that would leave the repository or touch `.git`. */
function repoPath(path: string): string {
  const normal = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (!normal || normal === '.' || normal.startsWith('/') || normal.split('/').some((p) => p === '..' || p.toLowerCase() === '.git')) {
    throw new Error(`"${path}" is not a path inside the repository (expected e.g. generated/eu-1/acme.yaml)`);
  }
  return normal;
}

/** Branch and remote names come from flags and cluster names: refuse what git would misread as an option or a bad ref. */
function checkRef(name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(name) || name.includes('..') || name.includes('//') || name.endsWith('.lock') || name.endsWith('/')) {
    throw new Error(`"${name}" is not a valid branch or remote name for tenantctl (letters, digits, . _ - /)`);
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}


function describe(error: unknown): string {
  return redactSecrets((error instanceof Error ? error.message : String(error)).trim());
}
