import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteBranch, publishBranch, type PublishBranchOptions, type PublishResult } from '../../lib/git/drift-branch.ts';
import { redactSecrets } from '../../lib/model/redact.ts';
import { git } from './git.ts';

/** git with a throwaway identity and no user or system config, for the test's own setup commands. */

let root: string;
let remote: string;
let clone: string;
const BRANCH = 'tenantctl/drift/eu-1';

/** A bare "GitHub" repository and a user's clone with tenants/ and generated/ on main. */
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'tenantctl-drift-branch-'));
  remote = join(root, 'remote.git');
  clone = join(root, 'clone');
  git(root, 'init', '--bare', '-q', remote);
  git(root, 'clone', '-q', remote, clone);
  mkdirSync(join(clone, 'tenants'));
  mkdirSync(join(clone, 'generated/eu-1'), { recursive: true });
  writeFileSync(join(clone, 'tenants/acme.ts'), 'export default { replicas: 3 };\n');
  writeFileSync(join(clone, 'generated/eu-1/acme.yaml'), 'replicas: 3\n');
  writeFileSync(join(clone, 'generated/eu-1/old.yaml'), 'kind: Old\n');
  git(clone, 'add', '.');
  git(clone, 'commit', '-q', '-m', 'initial');
  git(clone, 'push', '-q', 'origin', 'main');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const publish = (extra: Partial<PublishBranchOptions> = {}) =>
  publishBranch({
    repoDir: clone,
    branch: BRANCH,
    base: 'main',
    files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 5 };\n' }],
    message: 'Adopt drift on eu-1',
    ...extra,
  });

/** The commit a publish pushed; fails the test when it pushed nothing. */
function pushed(result: PublishResult): string {
  if (result.action !== 'created' && result.action !== 'updated') throw new Error(`expected a push, got ${JSON.stringify(result)}`);
  return result.commit;
}

const remoteFile = (ref: string, path: string) => git(remote, 'show', `${ref}:${path}`);

describe('publishBranch', () => {
  it('creates the branch on the remote as one bot commit on top of the base', async () => {
    const result = await publish();

    expect(result).toMatchObject({ action: 'created', previous: null });
    const commit = pushed(result);
    expect(git(remote, 'rev-parse', BRANCH)).toBe(commit);
    expect(git(remote, 'rev-parse', `${BRANCH}^`)).toBe(git(remote, 'rev-parse', 'main'));
    expect(remoteFile(BRANCH, 'tenants/acme.ts')).toBe('export default { replicas: 5 };');
    expect(git(remote, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', BRANCH)).toBe(
      'tenantctl[bot] <tenantctl[bot]@users.noreply.github.com>|tenantctl[bot] <tenantctl[bot]@users.noreply.github.com>|Adopt drift on eu-1',
    );
  });

  it('pushes nothing when the branch already has the same content', async () => {
    const first = await publish();

    const again = await publish({ message: 'another message' });

    expect(again).toEqual({ action: 'unchanged', commit: pushed(first) });
    expect(git(remote, 'rev-parse', BRANCH)).toBe(pushed(first));
  });

  it('replaces the branch commit when the content differs', async () => {
    const first = await publish();

    const second = await publish({ files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 7 };\n' }] });

    expect(second).toMatchObject({ action: 'updated', previous: pushed(first) });
    expect(remoteFile(BRANCH, 'tenants/acme.ts')).toBe('export default { replicas: 7 };');
    expect(git(remote, 'rev-list', '--count', BRANCH)).toBe('2');
  });

  it('rebuilds on the latest base when main moved on', async () => {
    await publish();
    writeFileSync(join(clone, 'README.md'), 'hello\n');
    git(clone, 'add', 'README.md');
    git(clone, 'commit', '-q', '-m', 'readme');
    git(clone, 'push', '-q', 'origin', 'main');

    const result = await publish();

    expect(result.action).toBe('updated');
    expect(git(remote, 'rev-parse', `${BRANCH}^`)).toBe(git(remote, 'rev-parse', 'main'));
  });

  it('makes a replaced directory exactly the given files, deleting the rest', async () => {
    const result = await publish({
      replaceDirs: ['generated'],
      files: [
        { path: 'tenants/acme.ts', content: 'export default { replicas: 5 };\n' },
        { path: 'generated/eu-1/acme.yaml', content: 'replicas: 5\n' },
        { path: 'generated/eu-1/new.yaml', content: 'kind: New\n' },
      ],
    });

    expect(result.action).toBe('created');
    expect(git(remote, 'ls-tree', '-r', '--name-only', BRANCH).split('\n')).toEqual(['generated/eu-1/acme.yaml', 'generated/eu-1/new.yaml', 'tenants/acme.ts']);
  });

  it('deletes files whose content is null', async () => {
    await publish({ files: [{ path: 'generated/eu-1/old.yaml', content: null }] });

    expect(git(remote, 'ls-tree', '-r', '--name-only', BRANCH)).not.toContain('old.yaml');
  });

  it('says the changes are the base itself instead of pushing an empty commit', async () => {
    const result = await publish({ files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 3 };\n' }] });

    expect(result).toEqual({ action: 'same-as-base', commit: null, remoteCommit: null });
    expect(git(remote, 'branch', '--list', BRANCH)).toBe('');
  });

  it('leaves the user’s working tree, index, HEAD and branches alone', async () => {
    git(clone, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(clone, 'tenants/acme.ts'), 'export default { replicas: 4 }; // local edit\n');
    writeFileSync(join(clone, 'staged.txt'), 'staged\n');
    git(clone, 'add', 'staged.txt');
    const before = { head: git(clone, 'rev-parse', 'HEAD'), branch: git(clone, 'symbolic-ref', 'HEAD'), status: git(clone, 'status', '--porcelain'), branches: git(clone, 'branch', '--list') };

    await publish({ replaceDirs: ['generated'], files: [{ path: 'generated/eu-1/acme.yaml', content: 'replicas: 5\n' }] });

    expect({ head: git(clone, 'rev-parse', 'HEAD'), branch: git(clone, 'symbolic-ref', 'HEAD'), status: git(clone, 'status', '--porcelain'), branches: git(clone, 'branch', '--list') }).toEqual(before);
    expect(readFileSync(join(clone, 'tenants/acme.ts'), 'utf8')).toContain('local edit');
  });

  it('reports a conflict and keeps the other run’s commit when the branch moved after we read it', async () => {
    // Reads go to a stale mirror, the push to the real remote: another run pushed in between.
    const mirror = join(root, 'mirror.git');
    git(root, 'clone', '-q', '--mirror', remote, mirror);
    const other = await publish({ files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 9 };\n' }] });
    git(clone, 'remote', 'set-url', 'origin', mirror);
    git(clone, 'remote', 'set-url', '--push', 'origin', remote);

    const ours = await publish();

    expect(ours).toMatchObject({ action: 'conflict', expected: null, message: expect.stringMatching(/Run again/) });
    expect(git(remote, 'rev-parse', BRANCH)).toBe(pushed(other));
  });

  it('reports a conflict when updating a branch another run replaced meanwhile', async () => {
    await publish();
    const mirror = join(root, 'mirror.git');
    git(root, 'clone', '-q', '--mirror', remote, mirror);
    const other = await publish({ files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 9 };\n' }] });
    git(clone, 'remote', 'set-url', 'origin', mirror);
    git(clone, 'remote', 'set-url', '--push', 'origin', remote);

    const ours = await publish({ files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 8 };\n' }] });

    expect(ours.action).toBe('conflict');
    expect(git(remote, 'rev-parse', BRANCH)).toBe(pushed(other));
  });

  it('fails with a readable message, without credentials, when the remote is unreachable', async () => {
    git(clone, 'remote', 'set-url', 'origin', 'https://x-access-token:ghs_abcdefghijklmnopqrstuvwxyz@127.0.0.1:9/acme/fleet.git');

    const result = await publish();

    expect(result).toMatchObject({ action: 'failed', step: 'read-remote' });
    expect(JSON.stringify(result)).not.toContain('ghs_abcdefghijklmnopqrstuvwxyz');
  });

  it('fails when the base branch is not on the remote', async () => {
    expect(await publish({ base: 'develop' })).toMatchObject({ action: 'failed', step: 'read-remote', message: expect.stringMatching(/no branch "develop"/) });
  });

  it('fails when the directory is not a git clone', async () => {
    expect(await publish({ repoDir: root })).toMatchObject({ action: 'failed', message: expect.stringMatching(/not inside a git clone/) });
  });

  it('works from a shallow clone, as CI checks out', async () => {
    writeFileSync(join(clone, 'README.md'), 'hello\n');
    git(clone, 'add', 'README.md');
    git(clone, 'commit', '-q', '-m', 'second');
    git(clone, 'push', '-q', 'origin', 'main');
    const shallow = join(root, 'shallow');
    git(root, 'clone', '-q', '--depth', '1', `file://${remote}`, shallow);
    git(shallow, 'remote', 'set-url', 'origin', remote);

    const result = await publish({ repoDir: shallow });

    expect(git(shallow, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(result.action).toBe('created');
    expect(remoteFile(BRANCH, 'tenants/acme.ts')).toBe('export default { replicas: 5 };');
  });

  it('refuses paths outside the repository', async () => {
    await expect(publish({ files: [{ path: '../escape.txt', content: 'x' }] })).rejects.toThrow(/not a path inside the repository/);
    await expect(publish({ files: [{ path: '.git/config', content: 'x' }] })).rejects.toThrow(/not a path inside the repository/);
  });
});

describe('deleteBranch', () => {
  it('deletes the branch when it is where we saw it', async () => {
    const published = await publish();

    const result = await deleteBranch({ repoDir: clone, branch: BRANCH });

    expect(result).toEqual({ action: 'deleted', commit: pushed(published) });
    expect(git(remote, 'branch', '--list', BRANCH)).toBe('');
  });

  it('does nothing when the branch does not exist', async () => {
    expect(await deleteBranch({ repoDir: clone, branch: BRANCH })).toEqual({ action: 'none' });
  });

  it('keeps the branch when it moved since the expected commit', async () => {
    const first = await publish();
    await publish({ files: [{ path: 'tenants/acme.ts', content: 'export default { replicas: 9 };\n' }] });

    const result = await deleteBranch({ repoDir: clone, branch: BRANCH, expected: pushed(first) });

    expect(result.action).toBe('conflict');
    expect(git(remote, 'branch', '--list', BRANCH)).toContain(BRANCH);
  });
});

describe('redactSecrets', () => {
  it('removes URL credentials, GitHub tokens and authorization headers', () => {
    expect(redactSecrets('https://u:p@h/x ghp_0123456789abcdefABCD Authorization: basic abc=')).toBe('https://***@h/x *** Authorization: basic ***');
  });
});
