import { describe, expect, it } from 'vitest';
import type { AuditFinding } from '../../lib/audit/types.ts';
import { perEngineVerdict } from '../../lib/report/sync-verdict.ts';

const finding = (confirmed: boolean, confirmedBy: { flux: boolean; argocd: boolean }): AuditFinding => ({
  type: 'modified', resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tenant-acme-production', name: 'odoo-web' },
  changes: [{ path: 'spec.template.spec.containers[name=odoo].env[name=DEBUG_SQL].value', desired: undefined, live: '1', changedBy: { manager: 'kubectl-set', operation: 'Update' } }],
  confirmed, confirmedBy,
});

describe('what a sync does, per engine', () => {
  it('names the engines when they disagree: Flux removes a kubectl field, Argo CD does not', () => {
    expect(perEngineVerdict(finding(true, { flux: true, argocd: false }))).toBe("Flux's sync reverts it, Argo CD's does not");
  });

  it('says nothing extra when both engines agree', () => {
    expect(perEngineVerdict(finding(true, { flux: true, argocd: true }))).toBeUndefined();
  });
});
