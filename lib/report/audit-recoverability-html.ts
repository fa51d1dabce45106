/**
 * The recoverability view of the HTML report: a column in the fleet overview (environments of the
 * cluster by verdict, coloured by the worst), a table per tenant environment (check, verdict,
 * promise, evidence, age, source field), and the details of an `evidence` finding. Every value
 * is escaped: statuses come from live clusters.
 */
import type { AuditFinding, ClusterReport } from '../audit/types.ts';
import { environmentVerdict, type EnvironmentEvidence } from '../evidence/types.ts';
import { escapeHtml } from './audit-html.ts';
import { resourceId } from './audit-values.ts';
import { ageText, checkId, promisesText, verdictIcon, verdictText } from './audit-recoverability.ts';

export { RECOVERABILITY_STYLE, VERDICT_COLOURS } from './audit-recoverability-style.ts';

interface IdSource {
  of(key: string, base: string): string;
}

const sectionId = (ids: IdSource, cluster: string) => ids.of(`r\u0000${cluster}`, `recoverability-${cluster}`);

/** The overview cell of one cluster: `✅ 5 ❌ 2 ⏳ 1` environments, linking to its tables. */
export function recoverabilityCell(c: ClusterReport, ids: IdSource): string {
  const envs = c.recoverability;
  if (c.status !== 'ok' || !envs) return '<td class="recoverability" data-testid="recoverability-cell" data-verdict="none">–</td>';
  const verdicts = envs.map(environmentVerdict);
  const n = (v: string) => verdicts.filter((x) => x === v).length;
  const worst = n('violated') ? 'violated' : n('no-evidence') ? 'no-evidence' : 'ok';
  const parts = [n('ok') && `✅ ${n('ok')}`, n('violated') && `❌ ${n('violated')}`, n('no-evidence') && `⏳ ${n('no-evidence')}`].filter(Boolean).join(' ');
  const title = `${envs.length} tenant environments: ${n('ok')} proven, ${n('violated')} violated, ${n('no-evidence')} without evidence yet`;
  return `<td class="recoverability rec-${worst}" data-testid="recoverability-cell" data-cluster="${escapeHtml(c.name)}" data-verdict="${worst}" data-violated="${n('violated')}" title="${escapeHtml(title)}"><a href="#${sectionId(ids, c.name)}">${parts || '–'}</a></td>`;
}

function environmentTable(e: EnvironmentEvidence): string {
  const rows = e.checks.map((ch) => {
    const cls = ch.verdict === 'violated' && ch.waived ? 'waived' : ch.verdict;
    const why = ch.verdict === 'violated'
      ? `<span class="why">${escapeHtml(ch.message ?? '')}${ch.waived ? ` (waived until ${escapeHtml(ch.waived.expires)} by ${escapeHtml(ch.waived.owner)}: ${escapeHtml(ch.waived.reason)})` : ch.fix ? ` Fix: ${escapeHtml(ch.fix)}` : ''}</span>`
      : '';
    return `<tr class="rec-${cls}" data-testid="evidence-row" data-check="${ch.check}" data-verdict="${ch.verdict}"${ch.waived ? ' data-waived="true"' : ''}>
<th scope="row"><code>${escapeHtml(checkId(ch))}</code></th><td class="verdict">${verdictIcon(ch)} ${escapeHtml(verdictText(ch))}</td><td class="promise">${escapeHtml(ch.promise)}</td><td class="observed" data-testid="evidence-observed">${escapeHtml(ch.observed)}${why}</td><td class="age" data-testid="evidence-age">${escapeHtml(ageText(ch))}</td><td class="source"><code>${escapeHtml(resourceId(ch.source.resource))}</code> <code>${escapeHtml(ch.source.field)}</code></td>
</tr>`;
  });
  const verdict = environmentVerdict(e);
  return `<h4 class="rec-env" data-verdict="${verdict}">${escapeHtml(e.tenant)}/${escapeHtml(e.environment)} <span class="counts">${escapeHtml(e.tier)} · ${escapeHtml(promisesText(e))} · ${escapeHtml(verdictText({ verdict }))}</span></h4>
<table class="evidence" data-testid="evidence-table" data-tenant="${escapeHtml(e.tenant)}" data-environment="${escapeHtml(e.environment)}" data-verdict="${verdict}">
<thead><tr><th scope="col">check</th><th scope="col">verdict</th><th scope="col">promise</th><th scope="col">evidence</th><th scope="col">age</th><th scope="col">source field</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** One cluster's recoverability section, or '' when evidence was not evaluated. */
export function recoverabilitySection(c: ClusterReport, ids: IdSource): string {
  const envs = c.recoverability;
  if (c.status !== 'ok' || !envs?.length) return '';
  return `<section class="recoverability" id="${sectionId(ids, c.name)}" data-testid="recoverability-section" data-cluster="${escapeHtml(c.name)}">
<h3>Recoverability <span class="counts">status read at ${escapeHtml(envs[0].observedAt)}</span></h3>
${envs.map(environmentTable).join('\n')}
</section>`;
}

/** The details of an `evidence` finding: check, promise, what the status shows, where, and the fix. */
export function evidenceDetails(f: AuditFinding): string {
  const e = f.evidence;
  if (!e) return '';
  const rows: Array<[string, string]> = [
    ['check', `<code>${escapeHtml(checkId(e))}</code>`],
    ['promise', escapeHtml(e.promise)],
    ['observed', `${escapeHtml(e.observed)}${e.at ? ` (${escapeHtml(ageText(e))})` : ''}`],
    ['source', `<code>${escapeHtml(e.source.field)}</code>`],
    ['message', escapeHtml(e.message ?? '')],
    ...(e.fix ? [['fix', escapeHtml(e.fix)] as [string, string]] : []),
  ];
  return `<dl class="policy" data-testid="evidence">${rows.map(([k, v]) => `<dt>${k}</dt><dd data-field="${k}">${v}</dd>`).join('')}</dl>`;
}
