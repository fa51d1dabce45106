/**
 * An audit report as GitHub markdown, for job summaries and the bodies of drift pull requests:
 * a clusters × counts table, then per cluster and tenant the findings, with changed fields in a
 * path | desired | live | changed by table.
 *
 * A pull-request body holds at most 65,536 characters, so with `maxLength` the report shrinks
 * until it fits, section by section from the top: a tenant section first loses its change
 * tables, then its finding lines (counts remain), and only then is it left out; a note says
 * what is missing. Every cluster value is escaped: it may hold markdown or HTML.
 */
import { perEngineVerdict } from './sync-verdict.ts';
import type { AuditFinding, AuditReport, ClusterReport } from '../audit/types.ts';
import type { Change } from '../drift/types.ts';
import {
  CONTROLLER_OUTPUT,
  summaryOrder,
  countsText,
  describeManager,
  describeShard,
  describeSource,
  findingsByTenant,
  formatValue,
  plural,
  resourceId,
  summaryLine,
} from './audit-values.ts';
import { code, md } from './markdown-escape.ts';
import { evidenceFindingSuffix, recoverabilityMarkdownLevels } from './audit-recoverability-markdown.ts';

/** First line of the output: lets CI find and update its own comment or pull request. */
export const AUDIT_MARKDOWN_MARKER = '<!-- tenantctl-audit -->';

/** Where the markdown goes decides its limits: a job summary takes ~1 MiB, a PR body 65,536 characters. */
export interface AuditMarkdownOptions {
  /** Longest output in characters (a PR body holds 65,536). @default no limit */
  readonly maxLength?: number;
  /** @default 'tenantctl audit' */
  readonly title?: string;
  /** Ends the shortening note: where the whole report is. @default 'run `npx tenantctl audit` or open the HTML report' */
  readonly fullReportHint?: string;
}

const STATUS_ICON = { ok: '✅ ok', unreachable: '❌ unreachable', error: '❌ error' } as const;

function overviewTable(report: AuditReport): string[] {
  const order = summaryOrder(report.clusters);
  const rows = [`| cluster | status | ${order.join(' | ')} |`, `|---|---|${order.map(() => '--:|').join('')}`];
  for (const c of report.clusters) {
    const counts = order.map((t) => (c.status === 'ok' ? String(c.summary[t]) : '–'));
    rows.push(`| ${md(c.name)} | ${STATUS_ICON[c.status]} | ${counts.join(' | ')} |`);
  }
  return rows;
}

function clusterUnit(c: ClusterReport): string {
  const out = [`### ${md(c.name)}`, ''];
  if (c.status !== 'ok') {
    const d = c.errorDetail;
    const code = d && d.code !== c.status ? ` (${d.code})` : '';
    out.push(`> ❌ **${c.status}**${code}: ${md(d?.message ?? c.error ?? 'no reason given')}`);
    if (d) out.push('>', `> fix: ${md(d.fix)}`);
    out.push('');
  } else if (c.findings.length === 0) {
    out.push(`✅ No findings${c.objects ? ` (${plural(c.objects.desired, 'desired object')}, ${c.objects.live} live)` : ''}.`, '');
  }
  return out.join('\n');
}

function changeTable(changes: readonly Change[], derived = false): string[] {
  const rows = ['| path | desired | live | changed by |', '|---|---|---|---|'];
  for (const ch of changes) {
    const by = ch.changedBy ? md(describeManager(ch.changedBy)) : '';
    rows.push(`| ${code(ch.path)} | ${derived ? CONTROLLER_OUTPUT : code(formatValue(ch.desired))} | ${code(formatValue(ch.live))} | ${by} |`);
  }
  return rows;
}

function findingLine(f: AuditFinding, withChanges: boolean): string[] {
  const env = f.environment ? ` (${md(f.environment)})` : '';
  const verdict = f.confirmError ? `, dry-run refused: ${md(f.confirmError.split('\n')[0])}` : f.confirmed === undefined ? '' : perEngineVerdict(f) ? `, ${f.confirmed ? 'confirmed' : 'not confirmed'}: ${perEngineVerdict(f)}` : f.confirmed ? ', confirmed: a sync reverts it' : ', a sync does not revert it';
  let line = `- **${f.type}** ${code(resourceId(f.resource))}${env}${verdict}`;
  if (f.derivedFrom) line += `, made by a controller from ${md(`${f.derivedFrom.kind}/${f.derivedFrom.name}`)}, edited by hand`;
  else if (f.createdBy) line += `, created by ${md(describeManager(f.createdBy))}`;
  if (f.policy) {
    line += `: ${code(f.policy.id)} (${f.policy.severity}): ${md(f.policy.message)}`;
    if (f.policy.path) line += ` at ${code(f.policy.path)}`;
    if (f.policy.fix) line += `. Fix: ${md(f.policy.fix)}`;
  }
  line += evidenceFindingSuffix(f);
  const changes = f.changes ?? [];
  if (!changes.length) return [line];
  if (!withChanges) return [`${line}: ${plural(changes.length, 'changed field')} (details left out)`];
  return [`${line}:`, '', ...changeTable(changes, Boolean(f.derivedFrom)).map((r) => `  ${r}`), ''];
}


/** A tenant section at each level of detail: full, without change tables, counts only. */
function tenantLevels(tenant: string, findings: readonly AuditFinding[]): string[] {
  const section = (withChanges: boolean) => {
    const lines = [`#### ${md(tenant)}`, '', ...findings.flatMap((f) => findingLine(f, withChanges))];
    while (lines[lines.length - 1] === '') lines.pop();
    return `${lines.join('\n')}\n`;
  };
  // No trailing newline: consecutive count lines form one tight list.
  const countsOnly = `- **${md(tenant)}**: ${countsText(findings)} (finding lines left out)`;
  return [section(true), section(false), countsOnly];
}

interface Unit {
  /** Renderings from most to least detailed. */
  readonly levels: readonly string[];
  /** Findings with changes in the section (for the note). */
  readonly changed: number;
}

function shorteningNote(maxLength: number, dropped: readonly [number, number, number], hint: string): string {
  const parts = [
    dropped[0] && `change details left out for ${plural(dropped[0], 'finding')}`,
    dropped[1] && `finding lines left out for ${plural(dropped[1], 'tenant section')}`,
    dropped[2] && `${plural(dropped[2], 'tenant section')} not shown`,
  ].filter(Boolean);
  return `> ⚠️ **Shortened** to fit ${maxLength.toLocaleString('en-US')} characters: ${parts.join('; ')}. For the whole report, ${hint}.\n`;
}

/** Picks the most detailed level per unit that still lets every later unit fit at its least. */
function fit(units: readonly Unit[], budget: number): Array<number | undefined> {
  const min = units.map((u) => u.levels[u.levels.length - 1].length + 1);
  // The longest prefix that fits at least detail; the rest is left out.
  let kept = 0;
  for (let used = 0; kept < units.length && used + min[kept] <= budget; kept++) used += min[kept];
  let left = budget;
  let reserved = min.slice(0, kept).reduce((a, b) => a + b, 0);
  return units.map((u, i) => {
    if (i >= kept) return undefined;
    reserved -= min[i];
    const level = u.levels.findIndex((text) => text.length + 1 <= left - reserved);
    const chosen = level < 0 ? u.levels.length - 1 : level;
    left -= u.levels[chosen].length + 1;
    return chosen;
  });
}

/** Markdown of an audit report, shortened to `maxLength` when given (never longer). */
export function renderAuditMarkdown(report: AuditReport, options: AuditMarkdownOptions = {}): string {
  const shard = describeShard(report);
  const head = [
    AUDIT_MARKDOWN_MARKER,
    `## ${md(options.title ?? 'tenantctl audit')}`,
    '',
    `generated/ at ${code(describeSource(report))}, ${md(report.generatedAt)}${shard ? `, ${shard}` : ''}`,
    '',
    `**${summaryLine(report)}**`,
    '',
    ...overviewTable(report),
    '',
  ].join('\n');
  const units: Unit[] = [];
  for (const c of report.clusters) {
    units.push({ levels: [clusterUnit(c)], changed: 0 });
    for (const [tenant, findings] of findingsByTenant(c)) {
      units.push({ levels: tenantLevels(tenant, findings), changed: findings.filter((f) => f.changes?.length).length });
    }
    if (c.status === 'ok') for (const e of c.recoverability ?? []) units.push({ levels: recoverabilityMarkdownLevels(c.name, e), changed: 0 });
  }
  const assemble = (sections: readonly string[], note = '') => `${[head, note, ...sections].filter(Boolean).join('\n').replace(/\n*$/, '')}\n`;
  const whole = assemble(units.map((u) => u.levels[0]));
  const maxLength = options.maxLength;
  if (maxLength === undefined || whole.length <= maxLength) return whole;

  const hint = options.fullReportHint ?? 'run `npx tenantctl audit` or open the HTML report';
  const sections = units.filter((u) => u.levels.length > 1);
  const longestNote = shorteningNote(maxLength, [sections.reduce((n, u) => n + u.changed, 0), sections.length, sections.length], hint);
  const levels = fit(units, maxLength - assemble([], longestNote).length - 1);
  const dropped: [number, number, number] = [0, 0, 0];
  const kept: string[] = [];
  units.forEach((u, i) => {
    const level = levels[i];
    if (u.levels.length === 1) {
      if (level !== undefined) kept.push(u.levels[0]);
      return;
    }
    if (level === undefined) dropped[2]++;
    else if (level === 2) dropped[1]++;
    else if (level === 1) dropped[0] += u.changed;
    if (level !== undefined) kept.push(u.levels[level]);
  });
  const shortened = assemble(kept, shorteningNote(maxLength, dropped, hint));
  if (shortened.length <= maxLength) return shortened;
  // Even the cluster table is too long: cut it at a line.
  const note = `\n> ⚠️ **Truncated** to fit ${maxLength.toLocaleString('en-US')} characters. For the whole report, ${hint}.\n`;
  const lines = shortened.slice(0, Math.max(0, maxLength - note.length)).split('\n');
  lines.pop();
  return `${lines.join('\n')}${note}`;
}
