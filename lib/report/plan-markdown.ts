/**
 * A plan as a pull-request comment, in the argocd-diff-preview style: heading, a summary block,
 * risky changes first, then one `<details>` per tenant environment with a ```diff block.
 *
 * GitHub caps a comment at 65,536 characters, so the comment is shrunk in steps until it fits
 * `maxLength`: first whole added/removed environments show their object list instead of their
 * YAML, then diffs are cut at a line boundary (`@@ skipped N lines @@`) and the remaining
 * environments are only named, with a note saying so. The first line is a hidden marker CI uses
 * to find and update its own comment.
 */
import type { ChangeGroup, Plan } from '../plan/types.ts';
import { RISK_TITLES } from '../plan/types.ts';
import { describeSide, groupTitle } from './plan-text.ts';

export const PLAN_COMMENT_MARKER = '<!-- tenantctl-plan -->';

export interface PlanMarkdownOptions {
  /** Longest output, in characters (GitHub rejects comments over 65,536). @default 65000 */
  readonly maxLength?: number;
  /** @default 'tenantctl plan' */
  readonly title?: string;
  /** Risks listed before the rest are summarized in one line. @default 50 */
  readonly maxRisks?: number;
  /** Shown in the truncation note: how to see everything. @default 'run `npx tenantctl plan` locally' */
  readonly fullReportHint?: string;
}

const SIGN = { added: '+', changed: '~', removed: '-' } as const;
const STATUS = { added: 'added', changed: 'modified', removed: 'removed', moved: 'moved' } as const;

function fence(body: string, lang: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${body.replace(/\n$/, '')}\n${ticks}`;
}

/** Escapes text for HTML (`<summary>` lines, where markdown is not parsed). */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for inline markdown: cron schedules and selectors are full of `*` and `_`. */
function inline(text: string): string {
  return html(text).replace(/([\\`*_[\]|~])/g, '\\$1');
}

function counts(g: ChangeGroup): string {
  return `(+${g.counts.additions}|-${g.counts.deletions})`;
}

function summaryBlock(plan: Plan): string {
  const lines: string[] = [];
  const o = plan.summary.objects;
  const envs = plan.groups.filter((g) => g.kind === 'environment');
  lines.push(`Total: ${envs.length} tenant environment${envs.length === 1 ? '' : 's'} changed; objects: ${o.added} added, ${o.changed} modified, ${o.removed} removed`);
  const section = (title: string, groups: readonly ChangeGroup[]) => {
    if (!groups.length) return;
    lines.push('', `${title}:`);
    for (const g of groups) lines.push(`- ${g.id}${g.status === 'moved' ? ` (${g.baseClusters.join(', ')} -> ${g.headClusters.join(', ')})` : ''} ${counts(g)}`);
  };
  const byId = [...plan.groups].sort((a, b) => a.id.localeCompare(b.id));
  section('Added', byId.filter((g) => g.kind === 'environment' && g.status === 'added'));
  section('Removed', byId.filter((g) => g.kind === 'environment' && g.status === 'removed'));
  section('Moved', byId.filter((g) => g.status === 'moved'));
  section('Modified', byId.filter((g) => g.kind === 'environment' && g.status === 'changed'));
  section('Cluster objects', byId.filter((g) => g.kind === 'cluster'));
  return fence(lines.join('\n'), 'yaml');
}

function riskSection(plan: Plan, maxRisks: number): string[] {
  if (!plan.risks.length) return [];
  const out = [`### ⚠️ Risky changes (${plan.risks.length})`, ''];
  for (const r of plan.risks.slice(0, maxRisks)) {
    const subject = r.subject !== r.group ? ` \`${r.subject}\`` : '';
    out.push(`- ⚠️ **${RISK_TITLES[r.flag]}**: \`${r.group}\`${subject}: ${inline(r.message)}`);
  }
  if (plan.risks.length > maxRisks) out.push(`- … and ${plan.risks.length - maxRisks} more risky changes (see the full plan)`);
  out.push('');
  return out;
}

/** Diff body of a group: full diffs, or for whole added/removed groups optionally just the object list. */
function groupBody(g: ChangeGroup, listOnly: boolean): string {
  if (listOnly) {
    const lines = g.changes.map((c) => `${SIGN[c.action]} ${c.resource}`);
    return `@@ ${STATUS[g.status]}: ${g.changes.length} objects (contents not shown to fit the comment) @@\n${lines.join('\n')}`;
  }
  return g.changes
    .map((c) => `@@ ${c.resource} ${STATUS[c.action]}${c.risks.length ? ` ⚠️ ${c.risks.map((r) => RISK_TITLES[r.flag]).join(', ')}` : ''} @@\n${c.diff.replace(/\n$/, '')}`)
    .join('\n');
}

function details(g: ChangeGroup, body: string): string {
  const flag = g.risks.length ? '⚠️ ' : '';
  return [`<details><summary>${flag}${html(groupTitle(g))}: ${STATUS[g.status]} ${counts(g)}</summary>`, '', fence(body, 'diff'), '', '</details>', ''].join('\n');
}

/** Cuts a diff body at a line boundary so the rendered details fit `budget` characters. */
function cutBody(g: ChangeGroup, body: string, budget: number): string | undefined {
  const overhead = details(g, '').length + 60;
  if (budget - overhead < 200) return undefined;
  const lines = body.split('\n');
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > budget - overhead) break;
    kept.push(line);
    size += line.length + 1;
  }
  return `${kept.join('\n')}\n@@ skipped ${lines.length - kept.length} lines @@`;
}

export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? 65_000;
  const head = [PLAN_COMMENT_MARKER, `## ${options.title ?? 'tenantctl plan'}`, ''];
  head.push(`Base: ${inline(describeSide(plan.base))}; head: ${inline(describeSide(plan.head))}`, '');
  for (const note of plan.notes) head.push(`> **Note:** ${inline(note)}`, '');
  for (const p of plan.problems.slice(0, 20)) head.push(`> **Problem:** ${inline(p)}`, '');
  const o = plan.summary.objects;
  const footer = ['', `_Stats_: ${o.added + o.changed + o.removed + o.unchanged} objects compared, ${o.unchanged} unchanged, ${plan.risks.length} risky change${plan.risks.length === 1 ? '' : 's'}.`, ''];
  if (plan.groups.length === 0) {
    return [...head, 'No changes: the generated manifests are the same on both sides.', ...footer].join('\n');
  }
  head.push(summaryBlock(plan), '', ...riskSection(plan, options.maxRisks ?? 50));

  const assemble = (sections: readonly string[], note?: string) => [...head, ...sections, ...(note ? [note] : []), ...footer].join('\n');
  const listWhole = (g: ChangeGroup) => g.status === 'added' || g.status === 'removed';
  const full = plan.groups.map((g) => details(g, groupBody(g, false)));
  const whole = assemble(full);
  if (whole.length <= maxLength) return whole;

  const listed = plan.groups.map((g) => (listWhole(g) ? details(g, groupBody(g, true)) : details(g, groupBody(g, false))));
  const listedNote = '> Whole added or removed environments list their objects without contents to fit the comment.\n';
  const shrunk = assemble(listed, listedNote);
  if (shrunk.length <= maxLength) return shrunk;

  const hint = options.fullReportHint ?? 'run `npx tenantctl plan` locally';
  const noteFor = (names: readonly string[]) =>
    `> ⚠️ **Truncated** to fit a ${maxLength.toLocaleString('en-US')}-character comment${names.length ? `; not shown in full: ${names.map((n) => `\`${n}\``).join(', ')}` : ''}. To see the full plan, ${hint}.\n`;
  // every section costs its length plus one newline; the note is reserved at its longest
  let budget = maxLength - assemble([], noteFor(plan.groups.map((g) => g.id))).length;
  const kept: string[] = [];
  const hidden: string[] = [];
  plan.groups.forEach((g, i) => {
    if (hidden.length === 0 && listed[i].length + 1 <= budget) {
      kept.push(listed[i]);
      budget -= listed[i].length + 1;
      return;
    }
    const body = hidden.length === 0 ? cutBody(g, groupBody(g, listWhole(g)), budget - 1) : undefined;
    if (body !== undefined) {
      const cut = details(g, body);
      kept.push(cut);
      budget -= cut.length + 1;
    }
    hidden.push(g.id);
  });
  return assemble(kept, noteFor(hidden));
}
