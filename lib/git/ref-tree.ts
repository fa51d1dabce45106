/**
 * The repository's files as of a git ref, for commands that read (the audit compares the cluster
 * with generated/ at a ref). When the ref is the checked-out commit and the paths that matter are
 * unchanged in the working tree, the working tree itself is used: same bytes, no copy of a
 * 50,000-file tree. Otherwise the ref is materialized into a temporary directory.
 */
import { UserError } from '../model/user-error.ts';
import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { materializeFolder, materializeRef, resolveCommit } from './worktree.ts';

export interface RefTree {
  /** Directory holding the ref's files (fleet.ts, tenants/, generated/). */
  readonly root: string;
  /** Commit the ref resolved to; undefined when `repo` is not a git repository. */
  readonly commit?: string;
  /** `working-tree` when the files are read in place. */
  readonly from: 'working-tree' | 'materialized';
  cleanup(): Promise<void>;
}

export interface RefTreeOptions {
  /** Paths whose working-tree changes would make the working tree differ from the ref. */
  readonly paths: readonly string[];
  /** Paths left out when the ref is materialized (read later with folderAtRef, if at all). */
  readonly exclude?: readonly string[];
  /** node_modules to link into a materialized tree, so its TypeScript inputs can be loaded. */
  readonly nodeModules?: string;
}

/** `--ref` names a commit, but the folder is not a git repository: a usage error. */
export class NotARepositoryError extends UserError {
  override name = 'NotARepositoryError';
}

async function isRepository(dir: string): Promise<boolean> {
  try {
    return (await simpleGit({ baseDir: dir }).raw(['rev-parse', '--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

/**
 * The files of `ref` in `repo`. A directory that is not a git repository is read as it is when
 * the ref is `HEAD` (nothing else could be meant) and refused otherwise.
 */
export async function treeAtRef(repo: string, ref: string, options: RefTreeOptions): Promise<RefTree> {
  const none = async () => {};
  if (!(await isRepository(repo))) {
    if (ref === 'HEAD') return { root: repo, from: 'working-tree', cleanup: none };
    throw new NotARepositoryError(`${repo} is not a git repository, so --ref ${ref} cannot be read; run in a clone of the GitOps repository or leave out --ref`);
  }
  const commit = await resolveCommit(repo, ref);
  const head = await resolveCommit(repo, 'HEAD').catch(() => undefined);
  if (commit === head) {
    const status = await simpleGit({ baseDir: repo }).raw(['status', '--porcelain', '--untracked-files=all', '--', ...options.paths]);
    if (status.trim() === '') return { root: repo, commit, from: 'working-tree', cleanup: none };
  }
  const tree = await materializeRef(repo, commit, { exclude: options.exclude });
  try {
    if (options.nodeModules) await linkNodeModules(tree.root, options.nodeModules);
  } catch (error) {
    await tree.cleanup();
    throw error;
  }
  return { root: tree.root, commit, from: 'materialized', cleanup: tree.cleanup };
}

/**
 * Links `nodeModules` into a materialized tree, so its TypeScript inputs (tenant files importing
 * `../lib/...`) can be loaded and its CLI run. Nothing when it is already there or missing.
 */
export async function linkNodeModules(dir: string, nodeModules: string): Promise<void> {
  if (existsSync(nodeModules) && !existsSync(join(dir, 'node_modules'))) await symlink(nodeModules, join(dir, 'node_modules'), 'junction');
}

/**
 * One folder (`path`, relative to the repository root) of a RefTree: in place when the tree is
 * the working tree and the folder is unchanged there, else the folder of the tree's commit
 * written to a temporary directory. `base` is what file names are relative to.
 */
export async function folderAtRef(tree: RefTree, repo: string, path: string): Promise<{ readonly base: string; readonly dir: string; cleanup(): Promise<void> }> {
  const none = async () => {};
  if (!tree.commit) return { base: tree.root, dir: join(tree.root, path), cleanup: none };
  if (tree.from === 'working-tree') {
    const status = await simpleGit({ baseDir: repo }).raw(['status', '--porcelain', '--untracked-files=all', '--', path]);
    if (status.trim() === '') return { base: tree.root, dir: join(tree.root, path), cleanup: none };
  }
  const copy = await materializeFolder(repo, tree.commit, path);
  return { base: copy.dir, dir: join(copy.dir, path), cleanup: copy.cleanup };
}
