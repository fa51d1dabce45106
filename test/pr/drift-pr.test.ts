/**
 * `tenantctl pr` end to end: a real bare remote on disk holding a copy of the example fleet, the
 * local GitHub server (test/github/server.ts, typed from @octokit/openapi-types) and the real
 * @octokit/rest client. One pull request per drifted cluster with the tenant file edited in place
 * and generated/ re-synthesized; re-runs update it, a clean audit closes it; faults leave nothing
 * half-made; two runs at once make one pull request.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditReport, ClusterReport } from '../../lib/audit/types.ts';
import { prCommand } from '../../lib/cli/commands/pr.ts';
import { createGitHub } from '../../lib/github/client.ts';
import { pullRequestAdapter } from '../../lib/github/pull-requests.ts';
import { hangFault, rateLimitFault, startFakeGitHub, type FakeGitHub } from '../github/server.ts';
import { EDITED_MARKER } from '../../lib/pr/content.ts';
import { PROJECT } from '../cli/repo.ts';
import { git } from '../git/git.ts';

const BRANCH = 'tenantctl/drift/eu-west-dedicated-1';
let dir: string;
let remote: string;
let clone: string;
let server: FakeGitHub;


/** The fleet repository as the vendor has it: inputs, generated/, and the code linked in. */
let seed: string;
beforeAll(() => {
  seed = mkdtempSync(join(tmpdir(), 'tenantctl-pr-seed-'));
  git(seed, 'init', '--bare', '-q', join(seed, 'remote.git'));
  const work = join(seed, 'work');
  git(seed, 'clone', '-q', join(seed, 'remote.git'), work);
  for (const entry of ['fleet.ts', 'tenants', 'generated', '.gitignore']) cpSync(join(PROJECT, entry), join(work, entry), { recursive: true });
  for (const entry of ['lib', 'tiers', 'vendor', 'bin']) symlinkSync(join(PROJECT, entry), join(work, entry));
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'fleet', private: true, type: 'module' }) + '\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'fleet');
  git(work, 'push', '-q', 'origin', 'main');
});
afterAll(() => rmSync(seed, { recursive: true, force: true }));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tenantctl-pr-'));
  remote = join(dir, 'remote.git');
  cpSync(join(seed, 'remote.git'), remote, { recursive: true });
  clone = join(dir, 'clone');
  git(dir, 'clone', '-q', remote, clone);
  symlinkSync(join(PROJECT, 'node_modules'), join(clone, 'node_modules'));
  server = await startFakeGitHub({ owner: 'odoo-hosting', repo: 'fleet', bareRepo: remote });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const NS = 'tenant-acme-production';
const SUMMARY = { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 };

function drifted(minReplicas: number): ClusterReport {
  return {
    name: 'eu-west-dedicated-1', status: 'ok', summary: { ...SUMMARY, modified: 1, unmanaged: 1, policy: 1, evidence: 0 },
    findings: [
      { type: 'modified', tenant: 'acme', environment: 'production', resource: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace: NS, name: 'odoo-web' },
        changes: [{ path: 'spec.minReplicas', desired: 3, live: minReplicas, changedBy: { manager: 'kubectl-edit', operation: 'Update', time: '2026-11-22T14:03:00Z' } }] },
      { type: 'unmanaged', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'debug-lb' }, createdBy: { manager: 'kubectl-create', operation: 'Update' } },
      { type: 'policy', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'debug-lb' },
        policy: { id: 'isolation/no-load-balancer', severity: 'error', message: 'Service type LoadBalancer exposes the tenant outside Traefik', fix: 'delete it' } },
    ],
  };
}

function report(...clusters: ClusterReport[]): AuditReport {
  return { schemaVersion: 2, generatedAt: '2026-11-23T02:17:00.000Z', gitRef: 'HEAD', gitCommit: git(clone, 'rev-parse', 'HEAD'), clusters };
}

const clean: ClusterReport = { name: 'eu-west-dedicated-1', status: 'ok', summary: SUMMARY, findings: [] };
const unreachable: ClusterReport = { name: 'eu-central-1', status: 'unreachable', error: 'connect ECONNREFUSED', summary: SUMMARY, findings: [] };

function run(r: AuditReport, limits: { requestTimeoutMs?: number; deadlineMs?: number } = {}) {
  const deadline = limits.deadlineMs === undefined ? undefined : Date.now() + limits.deadlineMs;
  const github = pullRequestAdapter(createGitHub({ token: 'test-token', baseUrl: server.url, retryBaseMs: 1, writeIntervalMs: 0, requestTimeoutMs: limits.requestTimeoutMs, deadline, log: { debug() {}, info() {}, warn() {}, error() {} } }));
  return prCommand({ root: clone, packageRoot: PROJECT, report: r, owner: 'odoo-hosting', repo: 'fleet', base: 'main', github, deadline });
}

/** The drift branch's commit on the remote, or '' when it has none. */
function branchHead(): string {
  return git(remote, 'for-each-ref', '--format=%(objectname)', `refs/heads/${BRANCH}`);
}

/** Requests that changed something on GitHub (POST, PATCH, PUT, DELETE) since `from`. */
function writesSince(from: number) {
  return server.requests.slice(from).filter((r) => r.method !== 'GET');
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A file as committed on the drift branch, byte for byte. */
function showBranch(path: string): string {
  return execFileSync('git', ['show', `refs/heads/${BRANCH}:${path}`], { cwd: remote, encoding: 'utf8' });
}

describe('tenantctl pr', () => {
  it('opens one pull request for the drifted cluster that adopts the live value in the tenant file, and leaves the others alone', async () => {
    const headBefore = git(clone, 'rev-parse', 'HEAD');
    const shared: ClusterReport = { name: 'eu-west-shared-1', status: 'ok', summary: { ...SUMMARY, unmanaged: 1 }, findings: [
      { type: 'unmanaged', tenant: 'beta', environment: 'production', resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'tenant-beta-production', name: 'debug' } }] };
    const result = await run(report(drifted(4), shared, unreachable));
    expect(result.outcomes.map((o) => [o.cluster, o.action])).toEqual([['eu-west-dedicated-1', 'created'], ['eu-west-shared-1', 'created'], ['eu-central-1', 'skipped']]);
    expect(result.exitCode).toBe(0);

    // One pull request per drifted cluster; the shared one has nothing to adopt, only its report.
    expect(server.pulls().map((p) => p.head).sort()).toEqual([BRANCH, 'tenantctl/drift/eu-west-shared-1']);
    const [pr] = server.pulls().filter((p) => p.head === BRANCH);
    expect(git(remote, 'diff', '--name-only', 'main', 'tenantctl/drift/eu-west-shared-1')).toBe('reports/drift/eu-west-shared-1.json\nreports/drift/eu-west-shared-1.md');
    expect(pr).toMatchObject({ head: BRANCH, base: 'main', state: 'open', title: 'Drift on eu-west-dedicated-1: 1 modified, 1 unmanaged, 1 policy' });
    expect([...pr.labels].sort()).toEqual(['drift', 'eu-west-dedicated-1', 'policy']);
    expect(pr.body).toContain('**Merge** to adopt');
    expect(pr.body).toContain('<code>tenants/acme.ts</code>');
    expect(pr.body).toMatch(/Service\/tenant-acme-production\/debug-lb/);

    // The tenant file is edited in place: the production override, everything else byte-identical.
    const before = readFileSync(join(PROJECT, 'tenants/acme.ts'), 'utf8');
    const after = showBranch('tenants/acme.ts');
    expect(after).toBe(before.replace("replicas: 3, maxReplicas: 6", "replicas: 4, maxReplicas: 6"));
    expect(showBranch('generated/eu-west-dedicated-1/tenants/acme-production/horizontalpodautoscaler-odoo-web.yaml')).toMatch(/minReplicas: 4/);
    expect(JSON.parse(showBranch('reports/drift/eu-west-dedicated-1.json')).clusters[0].name).toBe('eu-west-dedicated-1');
    expect(showBranch('reports/drift/eu-west-dedicated-1.md')).toContain('debug-lb');
    expect(git(remote, 'log', '-1', '--format=%an <%ae>', `refs/heads/${BRANCH}`)).toBe('tenantctl[bot] <tenantctl[bot]@users.noreply.github.com>');

    // The user's clone is untouched; on the branch, generated/ is what the sources produce.
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(headBefore);
    expect(git(clone, 'status', '--porcelain', '--', '.', ':(exclude)node_modules')).toBe('');
    const check = join(dir, 'check');
    git(dir, 'clone', '-q', '--branch', BRANCH, remote, check);
    symlinkSync(join(PROJECT, 'node_modules'), join(check, 'node_modules'));
    const synth = spawnSync(process.execPath, [join(PROJECT, 'bin/tenantctl.mjs'), '-C', check, 'synth', '--check'], { encoding: 'utf8' });
    expect(synth.status, synth.stdout + synth.stderr).toBe(0);
  }, 120_000);

  it('updates the same branch and pull request on later runs, never a second one, and closes it when the audit is clean', async () => {
    expect((await run(report(drifted(4)))).outcomes[0].action).toBe('created');
    expect((await run(report(drifted(4)))).outcomes[0]).toMatchObject({ action: 'unchanged', number: 1 });
    expect((await run(report(drifted(5)))).outcomes[0]).toMatchObject({ action: 'updated', number: 1 });
    expect(showBranch('tenants/acme.ts')).toContain('replicas: 5, maxReplicas: 6');
    expect(server.pulls()).toHaveLength(1);

    const closed = await run(report(clean));
    expect(closed.outcomes[0]).toMatchObject({ action: 'closed', number: 1 });
    expect(server.pulls()[0].state).toBe('closed');
    expect(server.requests.some((r) => r.method === 'POST' && r.route.endsWith('/comments') && JSON.stringify(r.body).includes('is clean'))).toBe(true);
    expect(git(remote, 'branch', '--list', BRANCH)).toBe('');
    expect((await run(report(clean))).outcomes[0].action).toBe('none');
  }, 180_000);

  it('runs from the command line with a saved report, the token from GITHUB_TOKEN and the API URL of GitHub Enterprise', async () => {
    const file = join(dir, 'drift.json');
    writeFileSync(file, JSON.stringify(report(drifted(4))));
    const args = [join(PROJECT, 'bin/tenantctl.mjs'), '-C', clone, 'pr', '--report', file, '--base', 'main', '--repo', 'odoo-hosting/fleet', '--github-api-url', server.url];
    // Asynchronous: the local GitHub server runs in this process and must keep answering.
    const missing = await cli(args, { GITHUB_TOKEN: '' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('GITHUB_TOKEN is not set');
    const run = await cli(args, { GITHUB_TOKEN: 'test-token' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/eu-west-dedicated-1: created #1/);
    expect(run.stderr + run.stdout).not.toContain('test-token');
    expect(server.pulls()).toHaveLength(1);
  }, 120_000);

  it('retries a rate limit and a server error, then opens the pull request', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', rateLimitFault(0));
    server.failNext('GET', '/repos/{owner}/{repo}/pulls', { status: 500 });
    const result = await run(report(drifted(4)));
    expect(result.outcomes[0].action).toBe('created');
    expect(server.pulls()).toHaveLength(1);
  }, 120_000);

  it('reports a GitHub failure with exit 3 and leaves no branch without its pull request', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', { status: 500, times: 20 });
    const result = await run(report(drifted(4)));
    expect(result.outcomes[0].action).toBe('failed');
    expect(result.outcomes[0].message).toMatch(/500/);
    expect(result.exitCode).toBe(3);
    expect(server.pulls()).toHaveLength(0);
    expect(git(remote, 'branch', '--list', BRANCH)).toBe('');
  }, 120_000);

  it('makes one pull request when two runs race', async () => {
    const results = await Promise.all([run(report(drifted(4))), run(report(drifted(4)))]);
    expect(server.pulls()).toHaveLength(1);
    const actions = results.map((r) => r.outcomes[0].action).sort();
    // The loser of the push race reports it (exit 3) or finds the winner's branch and pull request.
    expect(['created', 'failed', 'unchanged', 'updated']).toEqual(expect.arrayContaining(actions));
    expect(actions).toContain('created');
  }, 180_000);

  it('changes nothing, branch or body, when a later audit finds the same drift', async () => {
    expect((await run(report(drifted(4)))).outcomes[0].action).toBe('created');
    const head = branchHead();
    const body = server.pulls()[0].body;
    const requests = server.requests.length;

    // The next night: a newer audit, other live-object counts, the same findings.
    const later: AuditReport = { ...report({ ...drifted(4), objects: { desired: 120, live: 131 } }), generatedAt: '2026-11-24T02:17:00.000Z' };
    const again = await run(later);

    expect(again.outcomes[0]).toMatchObject({ action: 'unchanged', number: 1 });
    expect(branchHead()).toBe(head);
    expect(writesSince(requests)).toEqual([]);
    expect(server.pulls()[0].body).toBe(body);
    // New findings do change both.
    expect((await run({ ...report(drifted(5)), generatedAt: '2026-11-25T02:17:00.000Z' })).outcomes[0].action).toBe('updated');
    expect(branchHead()).not.toBe(head);
    expect(server.pulls()[0].body).toContain('2026-11-25T02:17:00.000Z');
  }, 240_000);

  it('stops rewriting a branch a person committed to, says so on the pull request once, and reports it', async () => {
    expect((await run(report(drifted(4)))).outcomes[0].action).toBe('created');
    // A reviewer fixes the adoption by hand on the drift branch.
    const work = join(dir, 'reviewer');
    git(dir, 'clone', '-q', '--branch', BRANCH, remote, work);
    writeFileSync(join(work, 'NOTE.md'), 'keep 4 replicas until the migration is done\n');
    git(work, 'add', 'NOTE.md');
    git(work, '-c', 'user.name=Jane Reviewer', '-c', 'user.email=jane@example.com', 'commit', '-q', '-m', 'note');
    git(work, 'push', '-q', 'origin', BRANCH);
    const head = branchHead();

    const first = await run(report(drifted(5)));
    expect(first.outcomes[0]).toMatchObject({ action: 'edited', number: 1 });
    expect(first.output).toMatch(/eu-west-dedicated-1: edited #1 .*Jane Reviewer <jane@example\.com>/);
    expect(first.exitCode).toBe(0);
    expect(branchHead()).toBe(head);
    const second = await run(report(drifted(6)));
    expect(second.outcomes[0].action).toBe('edited');
    // A clean audit neither closes the pull request nor deletes the person's work.
    expect((await run(report(clean))).outcomes[0].action).toBe('edited');
    expect(branchHead()).toBe(head);
    expect(server.pulls()[0].state).toBe('open');
    expect(server.pulls()[0].comments.filter((c) => c.body.includes(EDITED_MARKER))).toHaveLength(1);
    expect(server.pulls()[0].body).not.toContain('replicas: 6');
  }, 300_000);

  it('stops at the GitHub deadline when a request hangs, lists what was left undone, exits 3 and leaves no branch without a pull request', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', hangFault(Infinity));
    const other: ClusterReport = { name: 'eu-west-shared-1', status: 'ok', summary: { ...SUMMARY, unmanaged: 1 }, findings: [
      { type: 'unmanaged', tenant: 'beta', environment: 'production', resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'tenant-beta-production', name: 'debug' } }] };
    const started = Date.now();
    const result = await run(report(drifted(4), other), { requestTimeoutMs: 60_000, deadlineMs: 20_000 });

    expect(Date.now() - started).toBeLessThan(90_000);
    expect(result.exitCode).toBe(3);
    expect(result.outcomes.map((o) => [o.cluster, o.action])).toEqual([['eu-west-dedicated-1', 'failed'], ['eu-west-shared-1', 'undone']]);
    expect(result.outcomes[0].message).toMatch(/deadline passed before POST .*\/pulls.*deleted the branch/);
    expect(result.output).toMatch(/left undone: eu-west-dedicated-1, eu-west-shared-1/);
    expect(server.pulls()).toHaveLength(0);
    expect(git(remote, 'branch', '--list', 'tenantctl/drift/*')).toBe('');
  }, 240_000);

  it('says created, not updated, for a pull request whose creation answer was lost and retried', async () => {
    server.failNext('POST', '/repos/{owner}/{repo}/pulls', { status: 502, afterHandling: true });
    const result = await run(report(drifted(4)));
    expect(result.outcomes[0]).toMatchObject({ action: 'created', number: 1 });
    expect(result.output).toMatch(/eu-west-dedicated-1: created #1/);
    expect(server.pulls()).toHaveLength(1);
  }, 120_000);
});
