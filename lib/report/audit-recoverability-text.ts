/**
 * The recoverability view in terminal text: per tenant environment its promises and verdict, then
 * one line per check (verdict, check, what the status shows and its age), the promise and source
 * field indented under each, and for a violation why and what to do.
 */
import type { ClusterReport } from '../audit/types.ts';
import { safeText } from './audit-values.ts';
import { ageText, checkId, environmentText, promisesText, sourceText, verdictText } from './audit-recoverability.ts';

type Paint = (code: string, text: string) => string;

const VERDICT_COLOR: Readonly<Record<string, string>> = { ok: '32', VIOLATED: '1;31', waived: '2', 'no evidence yet': '33' };
const VERDICT_WIDTH = 'no evidence yet'.length;

export function recoverabilityTextLines(c: ClusterReport, paint: Paint): string[] {
  const envs = c.recoverability ?? [];
  if (!envs.length) return [];
  const out = ['', `  ${paint('1', 'recoverability')} (status read at ${safeText(envs[0].observedAt)})`];
  for (const e of envs) {
    const verdict = environmentText(e);
    out.push(`  ${paint('1', `${safeText(e.tenant)}/${safeText(e.environment)}`)} (${safeText(e.tier)}; ${promisesText(e)}): ${paint(VERDICT_COLOR[verdict], verdict)}`);
    for (const ch of e.checks) {
      const v = verdictText(ch);
      const age = ageText(ch);
      out.push(`    ${paint(VERDICT_COLOR[v], v.padEnd(VERDICT_WIDTH))}  ${ch.check.padEnd(16)}  ${safeText(ch.observed)}${age ? ` (${age})` : ''}`);
      out.push(`    ${' '.repeat(VERDICT_WIDTH)}  ${' '.repeat(16)}  ${paint('2', `promise: ${safeText(ch.promise)}; from ${sourceText(ch)}`)}`);
      if (ch.verdict === 'violated') {
        if (ch.message) out.push(`    ${' '.repeat(VERDICT_WIDTH + 18)}  ${checkId(ch)}: ${safeText(ch.message)}`);
        if (ch.waived) out.push(`    ${' '.repeat(VERDICT_WIDTH + 18)}  waived until ${safeText(ch.waived.expires)} by ${safeText(ch.waived.owner)}: ${safeText(ch.waived.reason)}`);
        else if (ch.fix) out.push(`    ${' '.repeat(VERDICT_WIDTH + 18)}  fix: ${safeText(ch.fix)}`);
      }
    }
  }
  return out;
}
