/** The report's one order for findings: tenant, environment, namespace, kind, name, group, type, policy. */
import { FINDING_TYPES } from '../drift/types.ts';
import { groupOf } from '../model/resource.ts';
import type { AuditFinding } from './types.ts';

function sortKey(f: AuditFinding): string[] {
  return [f.tenant ?? '', f.environment ?? '', f.resource.namespace ?? '', f.resource.kind, f.resource.name, groupOf(f.resource.apiVersion),
    String(FINDING_TYPES.indexOf(f.type)), f.policy?.id ?? '', f.policy?.path ?? '', f.policy?.message ?? ''];
}

export function compareAuditFindings(a: AuditFinding, b: AuditFinding): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

export function sortFindings(findings: AuditFinding[]): AuditFinding[] {
  return findings.sort(compareAuditFindings);
}
