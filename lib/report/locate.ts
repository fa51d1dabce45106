/**
 * Finds the line of a tenant file (or fleet.ts) a finding is best pinned to, so code-scanning
 * annotations land where a platform engineer would change something. Heuristic and pure:
 * the text is passed in. Falls back to the `name:` line, then line 1.
 */
import type { SourcePositions } from '../model/issue.ts';
import type { Finding } from '../policy/types.ts';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function find(lines: readonly string[], pattern: RegExp, from = 0): number | undefined {
  for (let i = from; i < lines.length; i++) if (pattern.test(lines[i])) return i;
  return undefined;
}

/** The n-th (0-based) line matching `pattern` from `from`. */
function findNth(lines: readonly string[], pattern: RegExp, n: number, from: number): number | undefined {
  let at = from - 1;
  for (let k = 0; k <= n; k++) {
    const next = find(lines, pattern, at + 1);
    if (next === undefined) return undefined;
    at = next;
  }
  return at;
}

const HOST = /\b([a-z0-9-]+(?:\.[a-z0-9-]+)+)\b/;

function hints(finding: Finding): RegExp[] {
  const category = finding.policy.split('/')[0];
  const out: RegExp[] = [];
  if (finding.policy.startsWith('ingress/')) {
    const host = HOST.exec(finding.message)?.[1];
    if (host) out.push(new RegExp(`['"\`]${escape(host)}['"\`]`));
    out.push(/\bdomains\s*:/);
  }
  if (category === 'backups') out.push(/\bbackup\s*:/);
  if (category === 'residency') out.push(/\bregion\s*:/);
  if (finding.policy === 'security/pinned-image' || finding.policy === 'security/allowed-registries') out.push(/\bimage\s*:/);
  if (finding.environment) out.push(new RegExp(`^\\s*['"]?${escape(finding.environment)}['"]?\\s*:`));
  return out;
}

/** 1-based line of `text` for `finding`. */
export function lineInTenantFile(text: string, finding: Finding): number {
  const lines = text.split(/\r?\n/);
  const waiver = /^waivers\[(\d+)\]\.(\w+)/.exec(finding.path ?? '');
  if (waiver) {
    const list = find(lines, /\bwaivers\s*:/);
    if (list !== undefined) {
      const entry = findNth(lines, /\bpolicy\s*:/, Number(waiver[1]), list);
      if (entry !== undefined) return (find(lines, new RegExp(`\\b${waiver[2]}\\s*:`), entry) ?? entry) + 1;
      return list + 1;
    }
  }
  for (const pattern of hints(finding)) {
    const at = find(lines, pattern);
    if (at !== undefined) return at + 1;
  }
  const name = find(lines, /\bname\s*:/);
  return name === undefined ? 1 : name + 1;
}

/** 1-based line of a cluster's entry in fleet.ts. */
export function lineInFleetFile(text: string, cluster: string): number {
  const lines = text.split(/\r?\n/);
  const at = find(lines, new RegExp(`\\bname\\s*:\\s*['"\`]${escape(cluster)}['"\`]`));
  return at === undefined ? 1 : at + 1;
}

/**
 * The field of the tenant file a finding is about, as the path compile issues use
 * (`waivers[0].expires`, `environments.production`, `odoo.image`), when the policy says which.
 */
export function tenantFieldOf(finding: Finding): string | undefined {
  if (/^waivers\[\d+\]/.test(finding.path ?? '')) return finding.path;
  const category = finding.policy.split('/')[0];
  const env = finding.environment ? `environments.${finding.environment}` : undefined;
  if (finding.policy.startsWith('ingress/')) return env ? `${env}.domains` : undefined;
  if (category === 'backups') return 'backup';
  if (category === 'residency') return 'region';
  if (finding.policy === 'security/pinned-image' || finding.policy === 'security/allowed-registries') return 'odoo.image';
  return env;
}

/**
 * 1-based line of `finding` in its tenant file: from the positions the file was read with (the
 * same mapping compile errors use) when the finding names a field, else by `lineInTenantFile`.
 */
export function locateInTenantFile(finding: Finding, positions: SourcePositions | undefined, text: string | undefined): number {
  const field = tenantFieldOf(finding);
  const at = field !== undefined ? positions?.at(field) : undefined;
  // A field the file does not write resolves to the whole object: the heuristics do better there.
  if (at && at.line !== positions?.at('')?.line) return at.line;
  return text === undefined ? 1 : lineInTenantFile(text, finding);
}
