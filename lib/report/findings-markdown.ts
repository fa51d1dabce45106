/**
 * Findings as a GitHub job summary: counts, then one table per severity (waived apart).
 * GitHub rejects a step summary over 1 MiB, so tables stop at `maxRows` with a note.
 */
import { countFindings } from '../policy/engine.ts';
import type { Finding } from '../policy/types.ts';
import { formatResource } from './rules.ts';

export interface MarkdownOptions {
  /** @default 'tenantctl validate' */
  readonly title?: string;
  /** Rows per table. @default 300 */
  readonly maxRows?: number;
}

function cell(text: string | undefined): string {
  return (text ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>').replace(/`/g, "'");
}

function table(title: string, rows: readonly Finding[], maxRows: number, waived: boolean): string[] {
  if (rows.length === 0) return [];
  const out = [`### ${title} (${rows.length})`, ''];
  out.push(waived ? '| Policy | Resource | Tenant | Message | Waiver |' : '| Policy | Resource | Tenant | Where | Message | Fix |');
  out.push(waived ? '| --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- | --- | --- |');
  for (const f of rows.slice(0, maxRows)) {
    const tenant = f.tenant ? (f.environment ? `${f.tenant}/${f.environment}` : f.tenant) : '';
    const resource = `\`${cell(formatResource(f.resource))}\``;
    if (waived) {
      out.push(`| ${cell(f.policy)} | ${resource} | ${cell(tenant)} | ${cell(f.message)} | ${cell(`${f.waived!.owner} until ${f.waived!.expires}: ${f.waived!.reason}`)} |`);
    } else {
      const where = [f.file, f.path].filter(Boolean).join(': ');
      out.push(`| ${cell(f.policy)} | ${resource} | ${cell(tenant)} | ${where ? `\`${cell(where)}\`` : ''} | ${cell(f.message)} | ${cell(f.fix)} |`);
    }
  }
  if (rows.length > maxRows) out.push('', `_${rows.length - maxRows} more not shown; see the JSON or SARIF report._`);
  out.push('');
  return out;
}

export function renderFindingsMarkdown(findings: readonly Finding[], options: MarkdownOptions = {}): string {
  const maxRows = options.maxRows ?? 300;
  const c = countFindings(findings);
  const status = c.errors > 0 ? ':x:' : c.warnings > 0 ? ':warning:' : ':white_check_mark:';
  const out = [`## ${options.title ?? 'tenantctl validate'}`, '', `${status} **${c.errors}** error(s), **${c.warnings}** warning(s), **${c.waived}** waived`, ''];
  out.push(...table('Errors', findings.filter((f) => !f.waived && f.severity === 'error'), maxRows, false));
  out.push(...table('Warnings', findings.filter((f) => !f.waived && f.severity === 'warning'), maxRows, false));
  out.push(...table('Waived', findings.filter((f) => f.waived), maxRows, true));
  return `${out.join('\n').trimEnd()}\n`;
}
