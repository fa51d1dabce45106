/**
 * What every format shows of the recoverability evidence (lib/evidence): the words for verdicts,
 * ages and sources, so text, markdown and HTML say the same thing.
 */
import type { AuditReport } from '../audit/types.ts';
import { formatDuration, formatMinutes } from '../evidence/context.ts';
import { environmentVerdict, evidenceId, type EnvironmentEvidence, type EvidenceCheck, type EvidenceVerdict } from '../evidence/types.ts';
import { resourceId, safeText } from './audit-values.ts';

export { environmentVerdict };

/** Words for a verdict; a waived violation says so. */
export function verdictText(c: Pick<EvidenceCheck, 'verdict' | 'waived'>): string {
  if (c.verdict === 'violated') return c.waived ? 'waived' : 'VIOLATED';
  return c.verdict === 'ok' ? 'ok' : 'no evidence yet';
}

export const VERDICT_ICON: Readonly<Record<EvidenceVerdict | 'waived', string>> = { ok: '✅', violated: '❌', 'no-evidence': '⏳', waived: '⚪' };

export function verdictIcon(c: Pick<EvidenceCheck, 'verdict' | 'waived'>): string {
  return c.verdict === 'violated' && c.waived ? VERDICT_ICON.waived : VERDICT_ICON[c.verdict];
}

/** `3 h 5 min ago`, `in 12 d` (an expiry), or '' when the evidence has no time. */
export function ageText(c: Pick<EvidenceCheck, 'ageSeconds'>): string {
  if (c.ageSeconds === undefined) return '';
  return c.ageSeconds >= 0 ? `${formatDuration(c.ageSeconds)} ago` : `in ${formatDuration(-c.ageSeconds)}`;
}

/** `ObjectStore/tenant-acme-production/pg-backup status.serverRecoveryWindow.pg.lastSuccessfulBackupTime`. */
export function sourceText(c: Pick<EvidenceCheck, 'source'>): string {
  return `${resourceId(c.source.resource)} ${safeText(c.source.field)}`;
}

/** `RPO 15 min, RTO 2 h, retention 30 d`. */
export function promisesText(e: EnvironmentEvidence): string {
  return `RPO ${formatMinutes(e.promises.rpoMinutes)}, RTO ${formatMinutes(e.promises.rtoMinutes)}, retention ${e.promises.retentionDays} d`;
}

/** `evidence/restore-test`: the id a waiver names. */
export const checkId = (c: Pick<EvidenceCheck, 'check'>): string => evidenceId(c.check);

/** Counts of an environment's checks by verdict: `7 ok, 1 violated, 1 no evidence yet`. */
export function verdictCounts(checks: readonly EvidenceCheck[]): string {
  const n = (pred: (c: EvidenceCheck) => boolean) => checks.filter(pred).length;
  return [
    [n((c) => c.verdict === 'ok'), 'ok'],
    [n((c) => c.verdict === 'violated' && !c.waived), 'violated'],
    [n((c) => c.verdict === 'violated' && !!c.waived), 'waived'],
    [n((c) => c.verdict === 'no-evidence'), 'no evidence yet'],
  ].filter(([count]) => (count as number) > 0).map(([count, word]) => `${count} ${word}`).join(', ');
}

/** The environments of every audited cluster, with their cluster, by tenant then environment. */
export function recoverabilityOf(report: AuditReport): Array<{ cluster: string; env: EnvironmentEvidence }> {
  const out = report.clusters.flatMap((c) => (c.recoverability ?? []).map((env) => ({ cluster: c.name, env })));
  return out.sort((a, b) => (a.env.tenant < b.env.tenant ? -1 : a.env.tenant > b.env.tenant ? 1 : a.env.environment < b.env.environment ? -1 : a.env.environment > b.env.environment ? 1 : 0));
}

/** `ok`, `VIOLATED`, `no evidence yet`: an environment as a whole. */
export function environmentText(e: EnvironmentEvidence): string {
  return verdictText({ verdict: environmentVerdict(e) });
}
