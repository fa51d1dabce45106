/**
 * A Git ref as a workspace: its files checked out in a temporary folder (never the user's working
 * tree), and its generated/ synthesized there. Its tiers/ and lib/ are code, so a ref's synthesis runs
 * tenantctl in a child process: a long-running process would keep the first version of a module
 * it imported, and the child never sees the GitHub token. plan (the base's own CLI) and pr (the
 * running CLI, on edited tenant files) both synthesize a ref here; the audit reads a ref's
 * committed generated/ (lib/git/ref-tree.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { linkNodeModules } from '../git/ref-tree.ts';
import { materializeRef, type MaterializedRef } from '../git/worktree.ts';
import { readTree } from '../io/generated-tree.ts';

const exec = promisify(execFile);

/** Checks `ref` of the repository at `root` out into a temporary folder, with node_modules linked for its tiers/ and lib/ code. */
export async function checkoutRef(root: string, ref: string, nodeModules: string): Promise<MaterializedRef> {
  const tree = await materializeRef(root, ref);
  await linkNodeModules(tree.root, nodeModules);
  return tree;
}

export interface SynthesizeDirOptions {
  /** The tenantctl entry point to run (`bin/tenantctl.mjs` of the checkout, or of the running package). */
  readonly bin: string;
  /** @default 300000 */
  readonly timeoutMs?: number;
  /** Pass `--no-cache`: render every environment again. @default false */
  readonly noCache?: boolean;
}

/** generated/ of `dir` after its synthesis, or why it failed (the first lines of the CLI's output). */
export type DirSynthesis = { readonly tree: Map<string, string> } | { readonly error: string };

/** Runs `tenantctl synth` with `bin` in `dir`, in a child process, without GitHub tokens in its environment. */
export async function synthesizeDir(dir: string, options: SynthesizeDirOptions): Promise<DirSynthesis> {
  const { GITHUB_TOKEN: _token, GH_TOKEN: _gh, ...env } = process.env;
  try {
    await exec(process.execPath, [options.bin, 'synth', ...(options.noCache ? ['--no-cache'] : [])], {
      cwd: dir, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 << 20, env: { ...env, NO_COLOR: '1' },
    });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message?: string };
    return { error: (e.stderr || e.stdout || e.message || String(error)).trim().split('\n').slice(0, 5).join(' | ') };
  }
  return { tree: readTree(join(dir, 'generated')) };
}
