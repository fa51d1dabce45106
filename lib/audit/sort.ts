/** The report's findings in the one finding order (lib/drift/order.ts). */
import { compareDriftFindings } from '../drift/order.ts';
import type { AuditFinding } from './types.ts';

export function sortFindings(findings: AuditFinding[]): AuditFinding[] {
  return findings.sort(compareDriftFindings);
}
