import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../lib/audit/types.ts';
import { emptySummary } from '../../lib/audit/types.ts';
import { renderAuditText } from '../../lib/report/audit-text.ts';
import { formatValue, summaryLine } from '../../lib/report/audit-values.ts';
import { MALICIOUS, auditReport } from './fixtures/audit-report.ts';

describe('renderAuditText', () => {
  const text = renderAuditText(auditReport);
  const lines = text.split('\n');

  it('says which controller made an object a person edited, instead of who created it', () => {
    const derived: AuditReport = {
      ...auditReport,
      clusters: [{ name: 'eu-1', status: 'ok', summary: { ...emptySummary(), modified: 1 }, findings: [{
        type: 'modified', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'Secret', namespace: 'tenant-acme-production', name: 'odoo-db' },
        changes: [{ path: 'data.password', desired: undefined, live: 'sha256:0a1b2c3d4e5f', changedBy: { manager: 'kubectl-patch', operation: 'Update' } }],
        createdBy: { manager: 'external-secrets', operation: 'Update' }, derivedFrom: { kind: 'ExternalSecret', name: 'odoo-db' },
      }] }],
    };
    const out = renderAuditText(derived).split('\n');
    expect(out).toContain('      data.password: (controller output) → sha256:0a1b2c3d4e5f  (by kubectl-patch, Update)');
    expect(out).toContain('      made by a controller from ExternalSecret/odoo-db; the changes above were written over its output');
    expect(out.join('\n')).not.toContain('created by external-secrets');
  });

  it('starts with the ref, commit and time the audit compared against', () => {
    expect(lines[0]).toBe('tenantctl audit: generated/ at origin/main @ 0123456789ab, 2025-11-12T03:00:00Z');
  });

  it('gives each cluster a header line with its status and counts', () => {
    expect(lines).toContain(
      'cluster eu-1 (context eu-1-admin): ok, 6 findings (2 modified, 1 missing, 1 orphaned, 1 unmanaged, 1 policy); 120 desired objects, 131 live',
    );
    expect(lines).toContain('cluster us-1 (context us-1-admin): unreachable');
  });

  it('prints why a cluster could not be audited and how to fix it', () => {
    const at = lines.indexOf('cluster us-1 (context us-1-admin): unreachable');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '  error (unreachable): dial tcp 10.20.0.1:6443: connect: connection refused',
      '  fix: check the VPN to us-1 and that its API server is running',
    ]);
  });

  it('prints a modified finding with its changes, values and who changed them', () => {
    const at = lines.indexOf('  MODIFIED   Deployment/tenant-acme-production/odoo (acme/production)  [confirmed: a sync reverts it]');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '      spec.replicas: 3 → 1  (by kubectl-edit, Update, 2025-11-10T08:15:00Z)',
      `      spec.template.spec.containers[name=odoo].env[name=BANNER].value: a|b\`c → ${MALICIOUS}  (by kubectl-edit, Update, 2025-11-10T08:15:00Z)`,
      '      spec.template.spec.containers[name=odoo].resources.limits: {"cpu":"2","memory":"4Gi"} → (absent)',
    ]);
  });

  it('prints secret changes only as the hashes the engine left', () => {
    expect(lines).toContain('      data.admin_passwd: sha256:0a1b2c3d4e5f → sha256:9f8e7d6c5b4a  (by kubectl-edit, Update, 2025-11-10T08:15:00Z)');
  });

  it('prints policy findings with id, severity, message, field and fix', () => {
    const at = lines.indexOf('  POLICY     Deployment/tenant-beta-staging/odoo (beta/staging)');
    expect(lines.slice(at + 1, at + 4)).toEqual([
      '      security/run-as-non-root (error): container "odoo" runs as root </script><script>alert(2)</script>',
      '      at spec.template.spec.securityContext.runAsNonRoot',
      '      fix: remove the securityContext override; tenantctl sets runAsNonRoot: true',
    ]);
  });

  it('prints cluster-scoped findings without an owner and names who created unmanaged objects', () => {
    expect(lines).toContain('  ORPHANED   ClusterRole/tenantctl-old-reader');
    expect(lines).toContain('  UNMANAGED  ConfigMap/tenant-gamma-production/debug-notes (gamma/production)');
    expect(lines).toContain('      created by kubectl-create, Update, 2025-11-09T17:02:00Z');
  });

  it('ends with a summary line over the whole fleet', () => {
    expect(text.endsWith('\n2 of 3 clusters audited (not audited: 1 unreachable): 2 modified, 1 missing, 1 orphaned, 1 unmanaged, 2 policy\n')).toBe(true);
  });

  it('colours only when asked', () => {
    expect(text).not.toContain('\u001b[');
    const coloured = renderAuditText(auditReport, { color: true });
    expect(coloured).toContain('\u001b[33mMODIFIED');
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text);
  });

  it('never lets a cluster value send terminal escape sequences or newlines', () => {
    const hostile: AuditReport = {
      ...auditReport,
      clusters: [
        {
          ...auditReport.clusters[0],
          findings: [
            {
              type: 'modified',
              tenant: 'acme',
              resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'tenant-acme-production', name: 'x' },
              changes: [{ path: 'data.motd', desired: 'hello', live: 'hi\u001b[2J\nfake: line\u202e' }],
            },
          ],
        },
      ],
    };
    const out = renderAuditText(hostile, { color: false });
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u202e');
    expect(out).toContain('      data.motd: hello → "hi\\u001b[2J\\nfake: line\\u202e"');
  });

  it('says how many clusters failed, by kind, in the summary line', () => {
    const failed: AuditReport = {
      ...auditReport,
      clusters: [
        ...auditReport.clusters,
        { name: 'zz-1', status: 'error', error: 'forbidden', errorDetail: { code: 'forbidden', message: 'cannot list pods', fix: 'grant list' }, summary: emptySummary(), findings: [] },
      ],
    };
    expect(summaryLine(failed)).toBe('2 of 4 clusters audited (not audited: 1 unreachable, 1 failed): 2 modified, 1 missing, 1 orphaned, 1 unmanaged, 2 policy');
    expect(summaryLine(auditReport.clusters.length ? { ...auditReport, clusters: auditReport.clusters.filter((c) => c.status === 'ok') } : auditReport)).toMatch(/^2 clusters audited: /);
  });
});

describe('renderAuditText: kinds not scanned', () => {
  it('names the kinds the server refused to list, so a reader knows what was not looked for', () => {
    const ok = auditReport.clusters.find((c) => c.status === 'ok')!;
    const text = renderAuditText({ ...auditReport, clusters: [{ ...ok, unscanned: ['example.com/Tunnel'] }] });
    expect(text).toContain('  not scanned: example.com/Tunnel (the server refused to list them');
  });
});

describe('formatValue', () => {
  it('says a secret value is there without a digest when the audit had no digest key', () => {
    expect(formatValue('<hidden>')).toBe('(secret, no digest)');
    expect(formatValue('hmac-sha256:0123456789abcdef')).toBe('hmac-sha256:0123456789abcdef');
  });

  it('prints scalars compactly and quotes strings that would read as another type', () => {
    expect([3, true, null, 'odoo:18.0', '3', '', ' padded', 'true'].map((v) => formatValue(v))).toEqual([
      '3',
      'true',
      'null',
      'odoo:18.0',
      '"3"',
      '""',
      '" padded"',
      '"true"',
    ]);
  });

  it('prints objects as short JSON, cut with an ellipsis, and absent values as (absent)', () => {
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue({ long: 'x'.repeat(200) }, 20)).toBe(`{"long":"${'x'.repeat(10)}…`);
    expect(formatValue(undefined)).toBe('(absent)');
    expect(formatValue('<absent>')).toBe('(absent)');
  });
});
