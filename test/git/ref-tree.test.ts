import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderAtRef, treeAtRef } from '../../lib/git/ref-tree.ts';
import { treeHashAt } from '../../lib/git/worktree.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ref-tree-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'generated'));
  writeFileSync(join(dir, 'generated', 'a.yaml'), 'v: 1\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  writeFileSync(join(dir, 'generated', 'a.yaml'), 'v: 2\n');
  git('commit', '-qam', 'two');
  return dir;
}

describe('treeAtRef', () => {
  it('reads the working tree in place when the ref is the checked-out commit and nothing that matters changed', async () => {
    const dir = repo();
    const tree = await treeAtRef(dir, 'HEAD', { paths: ['generated'] });
    expect(tree).toMatchObject({ root: dir, from: 'working-tree', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
  });

  it('reads an older ref from a temporary copy, and removes it afterwards', async () => {
    const dir = repo();
    const tree = await treeAtRef(dir, 'HEAD~1', { paths: ['generated'] });
    expect(tree.from).toBe('materialized');
    expect(readFileSync(join(tree.root, 'generated', 'a.yaml'), 'utf8')).toBe('v: 1\n');
    await tree.cleanup();
    expect(existsSync(tree.root)).toBe(false);
  });

  it('reads HEAD from a copy when the working tree has uncommitted changes, so the audit compares with Git', async () => {
    const dir = repo();
    writeFileSync(join(dir, 'generated', 'a.yaml'), 'v: edited\n');
    const tree = await treeAtRef(dir, 'HEAD', { paths: ['generated'] });
    expect(readFileSync(join(tree.root, 'generated', 'a.yaml'), 'utf8')).toBe('v: 2\n');
    await tree.cleanup();
  });

  it('refuses a ref other than HEAD outside a git repository, saying what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-git-'));
    dirs.push(dir);
    await expect(treeAtRef(dir, 'HEAD', { paths: [] })).resolves.toMatchObject({ root: dir, from: 'working-tree' });
    await expect(treeAtRef(dir, 'origin/main', { paths: [] })).rejects.toThrow(/not a git repository.*leave out --ref/);
  });

  it('leaves excluded paths out of a materialized ref, and writes one folder of the commit on demand, named as in the repository', async () => {
    const dir = repo();
    const tree = await treeAtRef(dir, 'HEAD~1', { paths: ['generated'], exclude: ['generated'] });
    expect(tree.from).toBe('materialized');
    expect(existsSync(join(tree.root, 'generated'))).toBe(false);
    const folder = await folderAtRef(tree, dir, 'generated');
    expect(readFileSync(join(folder.dir, 'a.yaml'), 'utf8')).toBe('v: 1\n');
    expect(join(folder.base, 'generated')).toBe(folder.dir);
    await folder.cleanup();
    expect(existsSync(folder.base)).toBe(false);
    await tree.cleanup();
  });

  it('reads a folder in place when the working tree has it as committed, and from the commit when it was changed', async () => {
    const dir = repo();
    const tree = await treeAtRef(dir, 'HEAD', { paths: [] });
    expect((await folderAtRef(tree, dir, 'generated')).dir).toBe(join(dir, 'generated'));
    writeFileSync(join(dir, 'generated', 'a.yaml'), 'v: edited\n');
    const copy = await folderAtRef(tree, dir, 'generated');
    expect(readFileSync(join(copy.dir, 'a.yaml'), 'utf8')).toBe('v: 2\n');
    await copy.cleanup();
  });

  it('names a folder\'s content by its git tree hash: the same content has the same hash, changed content another, no folder none', async () => {
    const dir = repo();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    const two = await treeHashAt(dir, 'HEAD', 'generated');
    git('commit', '-q', '--allow-empty', '-m', 'unrelated');
    expect(await treeHashAt(dir, 'HEAD', 'generated')).toBe(two);
    expect(await treeHashAt(dir, 'HEAD~2', 'generated')).toMatch(/^[0-9a-f]{40}$/);
    expect(await treeHashAt(dir, 'HEAD~2', 'generated')).not.toBe(two);
    expect(await treeHashAt(dir, 'HEAD', 'generated/missing')).toBeUndefined();
  });
});
