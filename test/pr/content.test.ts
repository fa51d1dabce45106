import { describe, expect, it } from 'vitest';
import type { AdoptionPlan } from '../../lib/adopt/types.ts';
import type { AuditFinding, ClusterReport } from '../../lib/audit/types.ts';
import type { GitOpsEngine } from '../../lib/model/gitops-engine.ts';
import { gitFixable, MAX_BODY_LENGTH, pullRequestBody, pullRequestLabels, pullRequestTitle } from '../../lib/pr/content.ts';
import { links, mentions, renderGfm, visibleText } from './render-gfm.ts';

const NS = 'tenant-acme-production';
const cluster: ClusterReport = {
  name: 'eu-1', status: 'ok', summary: { modified: 1, missing: 0, orphaned: 0, unmanaged: 0, policy: 1, evidence: 0 },
  findings: [
    { type: 'modified', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'odoo-conf' },
      changes: [{ path: 'data.banner', desired: 'hi', live: '@platform-team </details> <img src=x> [x](https://evil.example) https://bare.example www.bare.example', changedBy: { manager: 'kubectl-edit', operation: 'Update' } }] },
    { type: 'policy', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'lb' },
      policy: { id: 'isolation/no-load-balancer', severity: 'error', message: 'ping @everyone <b>now</b>', fix: 'delete it' } },
  ],
};

const body = pullRequestBody({
  cluster,
  plan: { adoptions: [], notAdoptable: [{ finding: cluster.findings[0], path: 'data.banner', reason: 'no tenant setting renders "@platform-team </details> <img src=x>"' }] },
  generatedAt: '2026-11-23T02:17:00.000Z',
  editedFiles: [],
});

/** A cluster with one finding of an env var someone added by hand (Git does not set it). */
function addedEnv(engine: GitOpsEngine | undefined, manager: string): { cluster: ClusterReport; plan: AdoptionPlan } {
  const finding: AuditFinding = { type: 'modified', tenant: 'acme', environment: 'production', resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'odoo-web' },
    changes: [{ path: 'spec.template.spec.containers[name=odoo].env[name=DEBUG]', desired: undefined, live: { name: 'DEBUG', value: '1' }, changedBy: { manager, operation: 'Update' } }] };
  const c: ClusterReport = { name: 'eu-1', status: 'ok', ...(engine ? { engine } : {}), summary: { modified: 1, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 }, findings: [finding] };
  return { cluster: c, plan: { adoptions: [], notAdoptable: [{ finding, path: finding.changes![0].path, reason: 'no tenant setting renders this field' }] } };
}

/** The "closing the PR" cell of the first row of the not-adoptable table, as rendered. */
function closing(markdown: string): string {
  const html = renderGfm(markdown);
  const row = /<tbody>\s*<tr>([\s\S]*?)<\/tr>/.exec(html)![1];
  const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => visibleText(m[1]));
  return cells[cells.length - 1];
}

describe('drift pull request content', () => {
  it('names the counts in the title and labels policy findings', () => {
    expect(pullRequestTitle(cluster)).toBe('Drift on eu-1: 1 modified, 1 policy');
    expect(pullRequestLabels(cluster)).toEqual(['drift', 'policy', 'eu-1']);
  });

  it('explains both choices and accounts for a finding it cannot adopt, with what closing does', () => {
    expect(body).toContain('**Merge**');
    expect(body).toContain('**Close**');
    expect(closing(body)).toBe('Argo CD or Flux puts the Git value back on the next sync');
  });

  it('escapes cluster text: rendered by CommonMark + GFM, no mention, link or HTML from the cluster, the text as it was', () => {
    const html = renderGfm(body);
    expect(links(html)).toEqual([]);
    expect(mentions(html)).toEqual([]);
    expect(html).not.toMatch(/<(img|b)\b/);
    expect(html.match(/<\/details>/g)).toBeNull();
    expect(visibleText(html)).toContain('@platform-team </details> <img src=x> [x](https://evil.example) https://bare.ex');
    expect(visibleText(html)).toContain('ping @everyone <b>now</b>');
    expect(body).not.toContain('&#64;');
  });

  it('says Flux removes a field Git does not set when a kubectl manager wrote it', () => {
    const { cluster: c, plan } = addedEnv('flux', 'kubectl-edit');
    expect(closing(pullRequestBody({ cluster: c, plan, generatedAt: 't', editedFiles: [] }))).toBe('Git does not set this field: Flux removes it on its next sync (it drops fields written by kubectl-edit)');
  });

  it('says Flux leaves a field Git does not set when another manager wrote it', () => {
    const { cluster: c, plan } = addedEnv('flux', 'k9s');
    expect(closing(pullRequestBody({ cluster: c, plan, generatedAt: 't', editedFiles: [] }))).toBe('Git does not set this field and Flux leaves it (written by k9s): undo it by hand');
  });

  it('says Argo CD leaves a field Git does not set, whoever wrote it', () => {
    const { cluster: c, plan } = addedEnv('argocd', 'kubectl-edit');
    expect(closing(pullRequestBody({ cluster: c, plan, generatedAt: 't', editedFiles: [] }))).toBe('Git does not set this field and Argo CD leaves it (written by kubectl-edit): undo it by hand');
  });

  it('says it cannot know what a sync does to a field Git does not set when the report names no engine', () => {
    const { cluster: c, plan } = addedEnv(undefined, 'kubectl-edit');
    const text = closing(pullRequestBody({ cluster: c, plan, generatedAt: 't', editedFiles: [] }));
    expect(text).toMatch(/depends on the GitOps engine, which the audit report does not name/);
    expect(text).not.toMatch(/puts the Git value back/);
  });

  it('names each changed field once per finding', () => {
    const { cluster: c, plan } = addedEnv('flux', 'kubectl-edit');
    const text = visibleText(renderGfm(pullRequestBody({ cluster: c, plan, generatedAt: 't', editedFiles: [] })));
    expect(text.split('env[name=DEBUG]').length - 1).toBe(1);
  });

  it('shows the lines of odoo.conf that changed, not both values cut at the same width', () => {
    const conf = (workers: string, limit: string) => `[options]\naddons_path = /mnt/extra-addons,/usr/lib/python3/dist-packages/odoo/addons,/opt/odoo/enterprise\nworkers = ${workers}\nlimit_time_real = ${limit}\n`;
    const finding: AuditFinding = { type: 'modified', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'odoo-conf' },
      changes: [{ path: 'data["odoo.conf"]', desired: conf('4', '120'), live: conf('4', '600') }] };
    const c: ClusterReport = { ...cluster, findings: [finding] };
    const text = visibleText(renderGfm(pullRequestBody({ cluster: c, plan: { adoptions: [], notAdoptable: [{ finding, path: 'data["odoo.conf"]', reason: 'fixed by the tier template' }] }, generatedAt: 't', editedFiles: [] })));
    expect(text).toContain('- limit_time_real = 120 + limit_time_real = 600');
    expect(text).not.toContain('workers = 4');
  });

  it('cuts a body over the limit between findings and points to the report on the branch', () => {
    const findings: AuditFinding[] = Array.from({ length: 2000 }, (_, i) => ({
      type: 'unmanaged', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: `debug-${String(i).padStart(4, '0')}` } }));
    const c: ClusterReport = { ...cluster, summary: { ...cluster.summary, unmanaged: 2000 }, findings };
    const plan: AdoptionPlan = { adoptions: [], notAdoptable: findings.map((finding) => ({ finding, reason: 'an unmanaged object cannot be adopted' })) };
    const long = pullRequestBody({ cluster: c, plan, generatedAt: 't', editedFiles: [] });
    expect(long.length).toBeLessThanOrEqual(MAX_BODY_LENGTH);
    const rows = long.split('\n').filter((l) => l.startsWith('| unmanaged |'));
    expect(rows.length).toBeGreaterThan(100);
    // Every row is whole (six cells) and they are the first findings, in order.
    expect(rows.every((r) => r.endsWith(' |') && r.split(/(?<!\\)\|/).length === 8)).toBe(true);
    expect(rows.at(-1)).toContain(`debug-${String(rows.length - 1).padStart(4, '0')}`);
    const text = visibleText(renderGfm(long));
    expect(text).toContain(`${2000 - rows.length} of 2000 findings are not shown here`);
    expect(text).toContain('reports/drift/eu-1.md on this branch');
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
