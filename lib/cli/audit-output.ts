/**
 * How an audit report leaves the CLI: its formats, the renderer for each (loaded on demand, so
 * that other commands do not pay for them at start-up) and the exit code it maps to. Shared by
 * `tenantctl audit` and `tenantctl report`; kept apart from the audit itself, which loads the
 * drift engine and the policies.
 */
import type { AuditReport, ClusterReport } from '../audit/types.ts';

export type AuditFormat = 'text' | 'json' | 'markdown' | 'html';
export const AUDIT_FORMATS: readonly AuditFormat[] = ['text', 'json', 'markdown', 'html'];

/** The report in one format; renderers are loaded on demand, so other commands start faster. */
export async function renderAudit(report: AuditReport, format: AuditFormat, options: { color?: boolean } = {}): Promise<string> {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'markdown':
      return (await import('../report/audit-markdown.ts')).renderAuditMarkdown(report);
    case 'html':
      return (await import('../report/audit-html.ts')).renderAuditHtml(report);
    default:
      return (await import('../report/audit-text.ts')).renderAuditText(report, { color: options.color });
  }
}

/** 3 when a cluster could not be audited (its findings are unknown), else 1 on findings, else 0. */
export function auditExitCode(clusters: readonly ClusterReport[]): 0 | 1 | 3 {
  if (clusters.some((c) => c.status !== 'ok')) return 3;
  return clusters.some((c) => c.findings.length > 0) ? 1 : 0;
}

