import { describe, expect, it } from 'vitest';
import { AUDIT_MARKDOWN_MARKER, renderAuditMarkdown } from '../../lib/report/audit-markdown.ts';
import { auditReport, largeReport } from './fixtures/audit-report.ts';

/** Cell separators of a table row: pipes not escaped by a backslash. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('renderAuditMarkdown', () => {
  const md = renderAuditMarkdown(auditReport);
  const lines = md.split('\n');

  it('starts with the marker CI uses to find its own comment', () => {
    expect(lines[0]).toBe(AUDIT_MARKDOWN_MARKER);
    expect(lines).toContain('**2 of 3 clusters audited (not audited: 1 unreachable): 2 modified, 1 missing, 1 orphaned, 1 unmanaged, 2 policy**');
  });

  it('tabulates every cluster with its status and counts', () => {
    expect(lines).toContain('| cluster | status | modified | missing | orphaned | unmanaged | policy |');
    expect(lines).toContain('| eu-1 | ✅ ok | 2 | 1 | 1 | 1 | 1 |');
    expect(lines).toContain('| eu-2 | ✅ ok | 0 | 0 | 0 | 0 | 1 |');
    expect(lines).toContain('| us-1 | ❌ unreachable | – | – | – | – | – |');
  });

  it('gives each cluster and tenant a section, cluster-scoped findings last', () => {
    const headings = lines.filter((l) => l.startsWith('### ') || l.startsWith('#### '));
    expect(headings).toEqual(['### eu-1', '#### acme', '#### beta', '#### gamma', '#### (cluster)', '### eu-2', '#### gamma', '### us-1']);
    expect(md).toContain('> ❌ **unreachable**: dial tcp 10.20.0.1:6443: connect: connection refused\n>\n> fix: check the VPN to us-1');
  });

  it('puts changes in a path | desired | live | changed by table', () => {
    const row = lines.find((l) => l.includes('spec.replicas'));
    expect(cells(row!)).toEqual(['<code>spec.replicas</code>', '<code>3</code>', '<code>1</code>', 'kubectl-edit, Update, 2025-11-10T08:15:00Z']);
    const secret = lines.find((l) => l.includes('admin\\_passwd'));
    expect(cells(secret!)).toEqual(['<code>data.admin\\_passwd</code>', '<code>sha256:0a1b2c3d4e5f</code>', '<code>sha256:9f8e7d6c5b4a</code>', 'kubectl-edit, Update, 2025-11-10T08:15:00Z']);
  });

  it('escapes pipes, backticks and HTML in cells so a value cannot break the table', () => {
    const row = lines.find((l) => l.includes('BANNER'))!;
    expect(cells(row)).toHaveLength(4);
    expect(cells(row)[1]).toBe('<code>a\\|b\\`c</code>');
    expect(cells(row)[2]).toBe('<code>&lt;img src=x onerror=alert(1)&gt;</code>');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('<script>');
  });

  it('lists policy findings with id, severity, message and fix', () => {
    expect(md).toContain('- **policy** <code>Deployment/tenant-beta-staging/odoo</code> (staging): <code>security/run-as-non-root</code> (error): container "odoo" runs as root');
    expect(md).toContain('. Fix: remove the securityContext override; tenantctl sets runAsNonRoot: true');
  });

  it('is not shortened without maxLength or when it fits', () => {
    expect(md).not.toContain('Shortened');
    expect(renderAuditMarkdown(auditReport, { maxLength: md.length })).toBe(md);
  });
});

describe('renderAuditMarkdown with maxLength', () => {
  const big = largeReport(50, 10);
  const whole = renderAuditMarkdown(big);

  it('never exceeds maxLength', () => {
    for (const maxLength of [whole.length - 1, 20_000, 8_000, 3_000, 900, 300, 120]) {
      expect(renderAuditMarkdown(big, { maxLength }).length).toBeLessThanOrEqual(maxLength);
    }
  });

  it('drops change details before it drops finding lines', () => {
    const out = renderAuditMarkdown(big, { maxLength: whole.length - 500 });
    expect(out).toMatch(/Shortened\*\* to fit [\d,]+ characters: change details left out for \d+ findings?\. For the whole report/);
    expect(out).toContain('10 changed fields (details left out)');
    expect(out).not.toContain('finding lines left out');
    // The first tenants keep their details; the budget runs out further down.
    expect(out).toContain('#### tenant000\n\n- **modified** <code>Deployment/tenant-tenant000-production/odoo</code> (production):\n\n  | path |');
  });

  it('keeps counts per tenant when finding lines do not fit, and says so', () => {
    const out = renderAuditMarkdown(big, { maxLength: 8_000 });
    expect(out).toMatch(/finding lines left out for \d+ tenant sections/);
    expect(out).toContain('- **tenant049**: 1 modified, 1 missing (finding lines left out)');
    expect(out).toContain('| eu-1 | ✅ ok | 50 | 50 | 0 | 0 | 0 |');
  });

  it('leaves out whole sections last and counts them in the note', () => {
    const out = renderAuditMarkdown(big, { maxLength: 2_000 });
    expect(out).toMatch(/\d+ tenant sections not shown/);
    expect(out).not.toContain('tenant049');
    expect(out).toContain('run `npx tenantctl audit` or open the HTML report');
  });

  it('fits a pull-request body even for a fleet whose full report is far larger', () => {
    const huge = largeReport(400, 30);
    expect(renderAuditMarkdown(huge).length).toBeGreaterThan(65_536);
    const out = renderAuditMarkdown(huge, { maxLength: 65_536, fullReportHint: 'download the audit-report artifact' });
    expect(out.length).toBeLessThanOrEqual(65_536);
    expect(out).toContain('download the audit-report artifact');
  });
});
