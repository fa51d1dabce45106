/** Findings as JSON for tools: a versioned envelope with counts, findings in their data shape. */
import { countFindings } from '../policy/engine.ts';
import type { Finding } from '../policy/types.ts';

export const FINDINGS_JSON_VERSION = 1;

export function renderFindingsJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ version: FINDINGS_JSON_VERSION, summary: countFindings(findings), findings }, null, 2)}\n`;
}
