/**
 * The branch and the pull request together, as `tenantctl audit --open-pr` will chain them:
 * publish the drift branch to a real bare remote, then upsert the pull request on the local
 * GitHub server, which checks that the head branch exists in that same bare repository.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGitHub } from '../../lib/github/client.ts';
import { pullRequestAdapter, type PullRequestAdapter } from '../../lib/github/pull-requests.ts';
import { deleteBranch, publishBranch } from '../../lib/git/drift-branch.ts';
import { startFakeGitHub, type FakeGitHub } from './server.ts';
import { git } from '../git/git.ts';

const BRANCH = 'tenantctl/drift/eu-1';
let root: string;
let clone: string;
let server: FakeGitHub;
let prs: PullRequestAdapter;


beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'tenantctl-pr-flow-'));
  const remote = join(root, 'remote.git');
  clone = join(root, 'clone');
  git(root, 'init', '--bare', '-q', remote);
  git(root, 'clone', '-q', remote, clone);
  writeFileSync(join(clone, 'acme.ts'), 'replicas: 3\n');
  git(clone, 'add', '.');
  git(clone, 'commit', '-q', '-m', 'initial');
  git(clone, 'push', '-q', 'origin', 'main');
  server = await startFakeGitHub({ owner: 'acme', repo: 'fleet', bareRepo: remote });
  prs = pullRequestAdapter(createGitHub({ token: 'ghs_test', baseUrl: server.url, retryBaseMs: 1, writeIntervalMs: 0 }));
});
afterEach(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

async function openPr(replicas: number) {
  const branch = await publishBranch({ repoDir: clone, branch: BRANCH, base: 'main', files: [{ path: 'acme.ts', content: `replicas: ${replicas}\n` }], message: 'Drift on eu-1' });
  if (branch.action === 'failed' || branch.action === 'conflict' || branch.action === 'same-as-base') return { branch, pr: undefined };
  const pr = await prs.upsertPullRequest({ owner: 'acme', repo: 'fleet', head: BRANCH, base: 'main', title: 'Drift on eu-1', body: `replicas ${replicas}`, labels: ['drift', 'eu-1'] });
  return { branch, pr };
}

it('opens one pull request, updates it on later runs and closes it when the cluster is clean', async () => {
  expect(await openPr(5)).toMatchObject({ branch: { action: 'created' }, pr: { action: 'created', number: 1 } });
  expect(await openPr(5)).toMatchObject({ branch: { action: 'unchanged' }, pr: { action: 'unchanged', number: 1 } });
  expect(await openPr(6)).toMatchObject({ branch: { action: 'updated' }, pr: { action: 'updated', number: 1 } });

  const closed = await prs.closePullRequest({ owner: 'acme', repo: 'fleet', head: BRANCH, comment: 'eu-1 matches the repository again.' });
  const deleted = await deleteBranch({ repoDir: clone, branch: BRANCH });

  expect(closed).toMatchObject({ action: 'closed', number: 1 });
  expect(deleted.action).toBe('deleted');
  expect(server.pulls()).toHaveLength(1);
});

it('opens no pull request when the branch could not be pushed', async () => {
  git(clone, 'remote', 'set-url', '--push', 'origin', join(root, 'missing.git'));

  const { branch, pr } = await openPr(5);

  expect(branch).toMatchObject({ action: 'failed', step: 'push' });
  expect(pr).toBeUndefined();
  expect(server.pulls()).toEqual([]);
});

it('is refused by GitHub when the head branch was never pushed', async () => {
  const pr = await prs.upsertPullRequest({ owner: 'acme', repo: 'fleet', head: BRANCH, base: 'main', title: 't', body: 'b', labels: [] });

  expect(pr).toMatchObject({ action: 'failed', failure: { status: 422 } });
});
