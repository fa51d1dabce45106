/**
 * The recoverability view in markdown: per tenant environment a check | verdict | promise |
 * evidence | age | source table, and a one-line summary when the report must shrink to fit a
 * pull-request body or job summary. Every live value is escaped.
 */
import type { AuditFinding } from '../audit/types.ts';
import type { EnvironmentEvidence } from '../evidence/types.ts';
import { resourceId } from './audit-values.ts';
import { code, md } from './markdown-escape.ts';
import { ageText, checkId, environmentText, promisesText, verdictCounts, verdictIcon, verdictText } from './audit-recoverability.ts';

/** One environment at each level of detail: the full table, then its counts only. */
export function recoverabilityMarkdownLevels(cluster: string, e: EnvironmentEvidence): string[] {
  const title = `${md(e.tenant)}/${md(e.environment)}`;
  const head = `#### Recoverability: ${title} on ${md(cluster)}`;
  const rows = ['| check | verdict | promise | evidence | age | source |', '|---|---|---|---|---|---|'];
  for (const ch of e.checks) {
    const why = ch.verdict === 'violated' ? `<br>${md(ch.message ?? '')}${ch.waived ? ` (waived until ${md(ch.waived.expires)} by ${md(ch.waived.owner)})` : ch.fix ? ` Fix: ${md(ch.fix)}` : ''}` : '';
    rows.push(`| ${code(checkId(ch))} | ${verdictIcon(ch)} ${verdictText(ch)} | ${md(ch.promise)} | ${md(ch.observed)}${why} | ${md(ageText(ch))} | ${code(resourceId(ch.source.resource))} ${code(ch.source.field)} |`);
  }
  const full = [head, '', `${md(e.tier)} · ${promisesText(e)} · **${environmentText(e)}** (status read at ${md(e.observedAt)})`, '', ...rows, ''].join('\n');
  const counts = `- **${title}** recoverability: ${environmentText(e)} (${verdictCounts(e.checks)}; table left out)`;
  return [full, counts];
}

/** What an `evidence` finding line adds: the check, why, and the fix. */
export function evidenceFindingSuffix(f: AuditFinding): string {
  const e = f.evidence;
  if (!e) return '';
  return `: ${code(checkId(e))}: ${md(e.message ?? e.observed)} (promise: ${md(e.promise)}; observed ${md(e.observed)} at ${code(e.source.field)})${e.fix ? `. Fix: ${md(e.fix)}` : ''}`;
}
