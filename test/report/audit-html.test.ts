import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditFinding, AuditReport } from '../../lib/audit/types.ts';
import { SEVERITY_OF_TYPE, summarize } from '../../lib/audit/types.ts';
import { escapeHtml, renderAuditHtml } from '../../lib/report/audit-html.ts';
import { worstType } from '../../lib/report/audit-values.ts';
import { MALICIOUS, auditReport } from './fixtures/audit-report.ts';

const html = renderAuditHtml(auditReport);

/** Attributes of the overview cells, in document order. */
function overviewCells(page: string): Array<{ cluster: string; tenant: string; worst: string }> {
  return [...page.matchAll(/data-testid="overview-cell" data-cluster="([^"]*)" data-tenant="([^"]*)" data-worst="([^"]*)"/g)].map((m) => ({
    cluster: m[1],
    tenant: m[2],
    worst: m[3],
  }));
}

describe('renderAuditHtml', () => {
  it('escapes every value from the cluster, in text and attributes', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(MALICIOUS));
    expect(escapeHtml(MALICIOUS)).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
    // The policy message tries to close the script element and open another.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('is the same bytes for the same report', () => {
    expect(renderAuditHtml(structuredClone(auditReport) as AuditReport)).toBe(html);
  });

  it('references nothing outside the file', () => {
    const links = [...html.matchAll(/\s(?:src|href|action)="([^"]*)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !l.startsWith('#') && l !== 'data:,')).toEqual([]);
    expect(html).not.toMatch(/@import|url\(|@font-face/);
  });

  it('allows only its own style and script, by hash, in its Content-Security-Policy', () => {
    const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)![1];
    const style = html.match(/<style>([\s\S]*?)<\/style>/)![1];
    const script = html.match(/<script>([\s\S]*?)<\/script>/)![1];
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src ${sha(style)}`);
    expect(csp).toContain(`script-src ${sha(script)}`);
  });

  it('shows the git ref, short commit and time in the header', () => {
    expect(html).toContain('<code data-testid="git-ref">origin/main</code>');
    expect(html).toContain('>0123456789ab</code>');
    expect(html).toContain('datetime="2025-11-12T03:00:00Z"');
    expect(renderAuditHtml({ ...auditReport, shard: { index: 2, count: 3 } })).toContain('<span data-testid="shard">shard 2/3</span>');
  });

  it('colours each overview cell by the worst finding type in it', () => {
    expect(overviewCells(html)).toEqual([
      { cluster: 'eu-1', tenant: 'acme', worst: 'modified' },
      { cluster: 'eu-1', tenant: 'beta', worst: 'missing' },
      { cluster: 'eu-1', tenant: 'gamma', worst: 'unmanaged' },
      { cluster: 'eu-1', tenant: '(cluster)', worst: 'orphaned' },
      { cluster: 'eu-2', tenant: 'acme', worst: 'clean' },
      { cluster: 'eu-2', tenant: 'beta', worst: 'clean' },
      { cluster: 'eu-2', tenant: 'gamma', worst: 'policy' },
      { cluster: 'eu-2', tenant: '(cluster)', worst: 'clean' },
    ]);
    expect(html).toMatch(/<td class="cell worst-missing" data-testid="overview-cell" data-cluster="eu-1" data-tenant="beta"/);
  });

  it('shows the count of each finding type in an overview cell, not the total under the worst type\'s name', () => {
    const many: AuditFinding[] = [
      { type: 'missing', tenant: 'acme', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'tenant-acme', name: 'gone' } },
      ...Array.from({ length: 13 }, (_, i): AuditFinding => ({ type: 'policy', tenant: 'acme', resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'tenant-acme', name: `p${i}` }, policy: { id: 'x/y', severity: 'warning', message: 'm' } })),
    ];
    const page = renderAuditHtml({ ...auditReport, clusters: [{ name: 'c1', status: 'ok', tenants: ['acme'], summary: summarize(many), findings: many }] });
    const cell = /<td class="cell worst-missing" data-testid="overview-cell"[^>]*>(.*?)<\/td>/.exec(page)?.[1] ?? '';
    const text = cell.replace(/<[^>]+>/g, '');
    expect(text).toBe('1 missing13 policy');
    expect(text).not.toContain('14');
  });

  it('ranks finding types by SEVERITY_OF_TYPE', () => {
    const of = (type: AuditFinding['type']): AuditFinding => ({ type, resource: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' } });
    expect(worstType([])).toBeUndefined();
    for (let i = 0; i < SEVERITY_OF_TYPE.length; i++) {
      const types = SEVERITY_OF_TYPE.slice(i);
      expect(worstType([...types].reverse().map(of))).toBe(SEVERITY_OF_TYPE[i]);
    }
  });

  it('shows an unreachable cluster as one row with its error', () => {
    expect(html).toMatch(/<tr class="status-unreachable" data-testid="overview-row" data-cluster="us-1"[^>]*>.*<td class="cluster-error" colspan="4" data-testid="overview-error" data-cluster="us-1">dial tcp 10\.20\.0\.1:6443: connect: connection refused \(fix: check the VPN/);
  });

  it('links cells to detail sections with stable ids', () => {
    expect(html).toContain('<a href="#tenant-eu-1-acme">');
    expect(html).toContain('id="tenant-eu-1-acme"');
    expect(html).toContain('<a href="#tenant-eu-1-_cluster">');
    expect(html).toContain('id="tenant-eu-1-_cluster"');
    // Clean cells link to their cluster's section.
    expect(html).toContain('data-cluster="eu-2" data-tenant="acme" data-worst="clean" data-findings="0" data-target="cluster-eu-2"');
  });

  it('keeps ids unique when names run into each other', () => {
    const finding = (tenant: string): AuditFinding => ({ type: 'missing', tenant, resource: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x' } });
    const cluster = (name: string, findings: AuditFinding[]) => ({ name, status: 'ok' as const, summary: summarize(findings), findings });
    const page = renderAuditHtml({ ...auditReport, clusters: [cluster('a', [finding('b-c')]), cluster('a-b', [finding('c')])] });
    const ids = [...page.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('tenant-a-b-c');
    expect(ids).toContain('tenant-a-b-c-2');
  });

  it('renders changes side by side, desired left and live right, with who changed them', () => {
    const row = html.match(/<tr data-testid="diff-row" data-path="spec.replicas">(.*)<\/tr>/)![1];
    expect(row).toBe('<td class="desired" data-testid="diff-desired"><pre>3</pre></td><td class="live" data-testid="diff-live"><pre>1</pre></td>');
    expect(html).toContain('<span class="by" data-testid="changed-by">changed by kubectl-edit, Update, 2025-11-10T08:15:00Z</span>');
    expect(html).toContain('<td class="live" data-testid="diff-live"><span class="absent">(absent)</span></td>');
  });

  it('shows policy id, severity, message and fix', () => {
    expect(html).toContain('<dt>policy</dt><dd data-field="policy"><code>security/run-as-non-root</code></dd>');
    expect(html).toContain('<dt>severity</dt><dd data-field="severity"><span class="sev-error">error</span></dd>');
    expect(html).toContain('<dt>fix</dt><dd data-field="fix">remove the securityContext override; tenantctl sets runAsNonRoot: true</dd>');
  });

  it('renders an empty fleet without failing', () => {
    const page = renderAuditHtml({ ...auditReport, clusters: [] });
    expect(page).toContain('0 clusters audited: 0 modified');
    expect(overviewCells(page)).toEqual([]);
  });
});
