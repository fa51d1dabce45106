import { describe, expect, it } from 'vitest';
import type { ClusterReport } from '../../lib/audit/types.ts';
import { gitFixable, pullRequestBody, pullRequestLabels, pullRequestTitle } from '../../lib/pr/content.ts';

const cluster: ClusterReport = {
  name: 'eu-1', status: 'ok', summary: { modified: 1, missing: 0, orphaned: 0, unmanaged: 0, policy: 1, evidence: 0 },
  findings: [
    { type: 'modified', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'tenant-acme-production', name: 'odoo-conf' },
      changes: [{ path: 'data.banner', desired: 'hi', live: '@platform-team </details> <img src=x> [x](https://evil.example)', changedBy: { manager: 'kubectl-edit', operation: 'Update' } }] },
    { type: 'policy', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'tenant-acme-production', name: 'lb' },
      policy: { id: 'isolation/no-load-balancer', severity: 'error', message: 'ping @everyone <b>now</b>', fix: 'delete it' } },
  ],
};

describe('drift pull request content', () => {
  const body = pullRequestBody({
    cluster,
    plan: { adoptions: [], notAdoptable: [{ finding: cluster.findings[0], path: 'data.banner', reason: 'no tenant setting renders "@platform-team </details> <img src=x>"' }] },
    generatedAt: '2026-11-23T02:17:00.000Z',
    editedFiles: [],
    reportMarkdown: '(report)',
  });

  it('names the counts in the title and labels policy findings', () => {
    expect(pullRequestTitle(cluster)).toBe('Drift on eu-1: 1 modified, 1 policy');
    expect(pullRequestLabels(cluster)).toEqual(['drift', 'policy', 'eu-1']);
  });

  it('explains both choices and accounts for a finding it cannot adopt, with what closing does', () => {
    expect(body).toContain('**Merge**');
    expect(body).toContain('**Close**');
    expect(body).toContain('Argo CD or Flux puts the Git value back on the next sync');
  });

  it('escapes cluster text: no mentions, no HTML, no links reach the pull request', () => {
    expect(body).not.toMatch(/(^|[^;])@platform-team/);
    expect(body).not.toContain('@everyone');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('<b>');
    expect(body.match(/<\/details>/g)).toHaveLength(1);
  });
});

describe('gitFixable', () => {
  it('leaves evidence findings and the recoverability view out of what a drift pull request sees', () => {
    const evidence = { type: 'evidence' as const, tenant: 't', resource: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'n', name: 'j' } };
    const policy = { type: 'policy' as const, tenant: 't', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'n', name: 's' } };
    const cluster = { name: 'c', status: 'ok' as const, summary: { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 1, evidence: 1 }, findings: [policy, evidence], recoverability: [] };
    expect(gitFixable(cluster)).toEqual({ name: 'c', status: 'ok', summary: { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 1, evidence: 0 }, findings: [policy] });
    expect(gitFixable({ ...cluster, findings: [evidence] }).findings).toEqual([]);
  });
});
