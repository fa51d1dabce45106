/** Findings as terminal text: what, where, why, then how to fix it; a count line at the end. */
import { countFindings } from '../policy/engine.ts';
import type { Finding } from '../policy/types.ts';
import { formatResource } from './rules.ts';

function owner(f: Finding): string {
  const parts = [f.tenant && (f.environment ? `${f.tenant}/${f.environment}` : f.tenant), f.cluster].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderFindingsText(findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    const level = f.waived ? 'waived' : f.severity;
    lines.push(`${level.padEnd(7)} ${f.policy}  ${formatResource(f.resource)}${owner(f)}`);
    const where = [f.file, f.path].filter(Boolean).join(': ');
    if (where) lines.push(`  at ${where}`);
    lines.push(`  ${f.message}`);
    if (f.waived) lines.push(`  waived by ${f.waived.owner} until ${f.waived.expires}: ${f.waived.reason}`);
    else lines.push(`  fix: ${f.fix}`);
  }
  const c = countFindings(findings);
  if (lines.length) lines.push('');
  lines.push(`${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${c.waived} waived`);
  return `${lines.join('\n')}\n`;
}
