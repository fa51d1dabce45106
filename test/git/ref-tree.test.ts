import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { treeAtRef } from '../../lib/git/ref-tree.ts';

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
});
