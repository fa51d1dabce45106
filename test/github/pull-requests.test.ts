import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub, type RateLimitEvent } from '../../lib/github/client.ts';
import { MAX_BODY_LENGTH, pullRequestAdapter, truncateBody, type UpsertPullRequest } from '../../lib/github/pull-requests.ts';
import { hangFault, rateLimitFault, secondaryRateLimitFault, startFakeGitHub, type FakeGitHub, type Fault } from './server.ts';

let server: FakeGitHub;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A client as the CLI builds it, with backoff and write spacing shrunk to milliseconds. */
function client(extra: { onRateLimit?: (e: RateLimitEvent) => void; token?: string; requestTimeoutMs?: number; deadline?: number; retryBaseMs?: number } = {}): GitHub {
  return createGitHub({ token: extra.token ?? 'ghs_test', baseUrl: server.url, retryBaseMs: extra.retryBaseMs ?? 1, writeIntervalMs: 0, log: quiet, onRateLimit: extra.onRateLimit, requestTimeoutMs: extra.requestTimeoutMs, deadline: extra.deadline });
}

/** A 403/429 with `retry-after` and nothing else GitHub's rate-limit forms carry. */
function plainRetryAfter(status: 403 | 429, retryAfter: string): Fault {
  return { status, headers: { 'retry-after': retryAfter }, body: { message: 'Too many requests', documentation_url: 'https://docs.github.com/rest' } };
}

const request: UpsertPullRequest = {
  owner: 'acme',
  repo: 'fleet',
  head: 'tenantctl/drift/eu-1',
  base: 'main',
  title: 'Drift on eu-1: 2 objects',
  body: '## Drift\n\n- Deployment/acme/odoo: replicas 3 → 5\n',
  labels: ['drift', 'policy', 'eu-1'],
};

beforeEach(async () => {
  server = await startFakeGitHub({ owner: 'acme', repo: 'fleet' });
});
afterEach(async () => {
  await server.close();
});

describe('upsertPullRequest', () => {
  it('creates the pull request with its labels, creating missing labels in the repository', async () => {
    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 1, url: `${server.url}/acme/fleet/pull/1`, labelsAdded: ['drift', 'policy', 'eu-1'] });
    expect(server.pulls()).toMatchObject([{ number: 1, head: 'tenantctl/drift/eu-1', base: 'main', title: request.title, body: request.body, state: 'open', labels: ['drift', 'policy', 'eu-1'] }]);
    expect(server.labels().map((l) => [l.name, l.color])).toEqual([
      ['drift', 'd93f0b'],
      ['policy', '5319e7'],
      ['eu-1', '1d76db'],
    ]);
  });

  it('updates the same pull request on a second run instead of opening another', async () => {
    const prs = pullRequestAdapter(client());
    await prs.upsertPullRequest(request);

    const second = await prs.upsertPullRequest({ ...request, title: 'Drift on eu-1: 3 objects', body: 'new body' });

    expect(second).toMatchObject({ action: 'updated', number: 1, labelsAdded: [] });
    expect(server.pulls()).toHaveLength(1);
    expect(server.pulls()[0]).toMatchObject({ title: 'Drift on eu-1: 3 objects', body: 'new body' });
  });

  it('reports unchanged and writes nothing when title, body and labels already match', async () => {
    const prs = pullRequestAdapter(client());
    await prs.upsertPullRequest(request);
    const before = server.requests.length;

    const again = await prs.upsertPullRequest(request);

    expect(again).toMatchObject({ action: 'unchanged', number: 1 });
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('puts back a label someone removed, and keeps labels someone added', async () => {
    const github = client();
    const prs = pullRequestAdapter(github);
    await prs.upsertPullRequest(request);
    await github.rest.issues.addLabels({ owner: 'acme', repo: 'fleet', issue_number: 1, labels: ['needs-review'] });
    server.pulls()[0].labels = ['policy', 'needs-review'];

    const result = await prs.upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'updated', labelsAdded: ['drift', 'eu-1'] });
    expect(server.pulls()[0].labels).toEqual(['policy', 'needs-review', 'drift', 'eu-1']);
  });

  it('opens exactly one pull request when two runs race', async () => {
    // Both runs look for an open pull request before either creates one.
    server.barrier('GET', '/repos/{owner}/{repo}/pulls', 2);

    const results = await Promise.all([pullRequestAdapter(client()).upsertPullRequest(request), pullRequestAdapter(client()).upsertPullRequest({ ...request, body: 'the other run' })]);

    expect(server.pulls()).toHaveLength(1);
    expect(results.map((r) => r.action).sort()).toEqual(expect.arrayContaining(['created']));
    expect(results.filter((r) => r.action === 'created')).toHaveLength(1);
    expect(results.every((r) => r.action !== 'failed' && r.number === 1)).toBe(true);
    expect(server.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/pulls')).map((r) => r.status).sort()).toEqual([201, 422]);
  });

  it('waits out a primary rate limit and then succeeds', async () => {
    const events: RateLimitEvent[] = [];
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', rateLimitFault(0));

    const result = await pullRequestAdapter(client({ onRateLimit: (e) => events.push(e) })).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 1 });
    expect(events).toMatchObject([{ kind: 'primary', retryCount: 0, willRetry: true }]);
    expect(server.requests.filter((r) => r.route.endsWith('/pulls') && r.method === 'POST').map((r) => r.status)).toEqual([403, 201]);
  });

  it('waits out a secondary rate limit (429 with retry-after) and then succeeds', async () => {
    const events: RateLimitEvent[] = [];
    server.failNext('GET', '/repos/{owner}/{repo}/pulls', secondaryRateLimitFault(1, 429));

    const result = await pullRequestAdapter(client({ onRateLimit: (e) => events.push(e) })).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created' });
    expect(events).toMatchObject([{ kind: 'secondary', retryAfterSeconds: 1, willRetry: true }]);
  });

  it.each([
    [429, 'POST', '/repos/{owner}/{repo}/pulls'],
    [403, 'POST', '/repos/{owner}/{repo}/pulls'],
    [429, 'GET', '/repos/{owner}/{repo}/labels'],
    [429, 'POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ] as const)('honours retry-after on a plain %i to %s %s and then succeeds', async (status, method, route) => {
    const events: RateLimitEvent[] = [];
    server.failNext(method, route, plainRetryAfter(status, '2'));
    const started = Date.now();

    const result = await pullRequestAdapter(client({ onRateLimit: (e) => events.push(e), retryBaseMs: 100 })).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 1 });
    expect(events).toMatchObject([{ kind: 'secondary', retryAfterSeconds: 2, retryCount: 0, willRetry: true }]);
    // Two seconds of retry-after at 100 ms per second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(server.requests.filter((r) => r.method === method && r.route === route).map((r) => r.status).slice(0, 2)).toEqual([status, method === 'GET' ? 200 : method === 'POST' && route.endsWith('/pulls') ? 201 : 200]);
  });

  it('gives up on a plain 429 after the rate-limit retries, as data with the status', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', { ...plainRetryAfter(429, '1'), times: Infinity });

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'failed', failure: { status: 429 } });
    expect(server.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/pulls'))).toHaveLength(4);
  });

  it('retries a request that never answers once its timeout passes', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', hangFault());

    const result = await pullRequestAdapter(client({ requestTimeoutMs: 300 })).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 1 });
  }, 30_000);

  it('stops at the deadline when GitHub keeps hanging, as data that says so', async () => {
    server.failNext('GET', '/repos/{owner}/{repo}/labels', hangFault(Infinity));
    const started = Date.now();

    const result = await pullRequestAdapter(client({ requestTimeoutMs: 60_000, deadline: Date.now() + 800 })).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'failed', failure: { deadline: true, message: expect.stringMatching(/deadline passed before GET .*\/labels/) } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.pulls()).toEqual([]);
  }, 30_000);

  it('fails instead of waiting when the rate limit resets later than the client accepts', async () => {
    server.failNext('GET', '/repos/{owner}/{repo}/labels', rateLimitFault(3600));

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'failed', failure: { status: 403, hint: expect.stringMatching(/rate limited/i) } });
    expect(server.pulls()).toEqual([]);
  });

  it('retries a 500 and then succeeds', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', { status: 500 });

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 1 });
    expect(server.pulls()).toHaveLength(1);
  });

  it('reports a persistent 502 as data and leaves no pull request behind', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', { status: 502, times: Infinity });

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toEqual({
      action: 'failed',
      failure: expect.objectContaining({ operation: 'create the pull request acme/fleet tenantctl/drift/eu-1 → main', status: 502, hint: expect.stringMatching(/run again/) }),
    });
    expect(server.pulls()).toEqual([]);
    expect(server.requests.filter((r) => r.method === 'POST' && r.route.endsWith('/pulls'))).toHaveLength(4);
  });

  it('closes the pull request it just created when labelling it fails', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', { status: 500, times: Infinity });

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'failed', failure: { status: 500, message: expect.stringMatching(/closed the new pull request #1 again/) } });
    expect(server.pulls().filter((p) => p.state === 'open')).toEqual([]);
  });

  it('names the token as the problem on 401, and never leaks it', async () => {
    await server.close();
    server = await startFakeGitHub({ token: 'ghs_right' });

    const result = await pullRequestAdapter(client({ token: 'ghs_wrong' })).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'failed', failure: { status: 401, hint: expect.stringMatching(/GITHUB_TOKEN/) } });
    expect(JSON.stringify(result)).not.toContain('ghs_wrong');
  });

  it('says the head branch is missing when GitHub cannot find it', async () => {
    await server.close();
    server = await startFakeGitHub({ bareRepo: '/nonexistent/repo.git' });

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'failed', failure: { status: 422, hint: expect.stringMatching(/push it/) } });
  });

  it('works against a GitHub Enterprise base URL', async () => {
    await server.close();
    server = await startFakeGitHub({ enterprise: true });
    expect(server.url).toMatch(/\/api\/v3$/);

    const result = await pullRequestAdapter(client()).upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 1 });
  });
});

describe('closePullRequest', () => {
  it('closes the open pull request of the branch, then comments, so a failed close never leaves a second comment on the next run', async () => {
    const prs = pullRequestAdapter(client());
    await prs.upsertPullRequest(request);

    const result = await prs.closePullRequest({ owner: 'acme', repo: 'fleet', head: request.head, comment: 'eu-1 is clean again.' });

    expect(result).toEqual({ action: 'closed', number: 1, url: `${server.url}/acme/fleet/pull/1` });
    expect(server.pulls()[0]).toMatchObject({ state: 'closed', comments: [{ body: 'eu-1 is clean again.' }] });
    const writes = server.requests.filter((r) => r.method !== 'GET').slice(-2);
    expect(writes.map((r) => `${r.method} ${r.route}`)).toEqual(['PATCH /repos/{owner}/{repo}/pulls/{pull_number}', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments']);
  });

  it('does nothing when no pull request is open', async () => {
    const result = await pullRequestAdapter(client()).closePullRequest({ owner: 'acme', repo: 'fleet', head: request.head, comment: 'clean' });

    expect(result).toEqual({ action: 'none' });
  });

  it('opens a new pull request after the old one was closed', async () => {
    const prs = pullRequestAdapter(client());
    await prs.upsertPullRequest(request);
    await prs.closePullRequest({ owner: 'acme', repo: 'fleet', head: request.head, comment: 'clean' });

    const result = await prs.upsertPullRequest(request);

    expect(result).toMatchObject({ action: 'created', number: 2 });
  });
});

describe('truncateBody', () => {
  it('keeps bodies within the limit as they are', () => {
    expect(truncateBody('short')).toBe('short');
  });

  it('cuts long bodies to the limit and says so', () => {
    const body = truncateBody('x'.repeat(MAX_BODY_LENGTH + 10));

    expect(body).toHaveLength(MAX_BODY_LENGTH);
    expect(body).toMatch(/Truncated: the full report has 65,546 characters/);
  });

  it('never splits a character outside the basic plane', () => {
    for (const limit of [1001, 1002]) {
      const body = truncateBody('😀'.repeat(1000), limit);

      expect(body.length).toBeLessThanOrEqual(limit);
      expect(body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  it('is what upsert sends for an over-long report', async () => {
    await pullRequestAdapter(client()).upsertPullRequest({ ...request, body: 'y'.repeat(70_000) });

    expect(server.pulls()[0].body).toHaveLength(MAX_BODY_LENGTH);
  });
});
