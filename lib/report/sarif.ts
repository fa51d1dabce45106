/**
 * Findings as SARIF 2.1.0 for GitHub code scanning. Rules come from the policy registry; each
 * result points first at the tenant file that declares the tenant (where a fix or a waiver goes),
 * then at the generated manifest. Waived findings carry an accepted external suppression.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../policy/types.ts';
import type { SourcePositions } from '../model/issue.ts';
import { lineInFleetFile, locateInTenantFile } from './locate.ts';
import { allRules, formatResource, type Rule } from './rules.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** tenantctl's version, for tool.driver.version. */
  readonly toolVersion?: string;
  /** Contents of tenant files and fleet.ts by repository-relative path, to find line numbers. */
  readonly sources?: ReadonlyMap<string, string>;
  /** Where each field of each tenant file is written (lib/io/static-module.ts), by file. */
  readonly positions?: ReadonlyMap<string, SourcePositions>;
  /** @default 'fleet.ts' */
  readonly fleetFile?: string;
  /** Extra rules (e.g. custom policies) beyond the registry. */
  readonly rules?: readonly Rule[];
}

interface Location {
  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
}

function location(uri: string, startLine: number): Location {
  return { physicalLocation: { artifactLocation: { uri }, region: { startLine: Math.max(1, startLine) } } };
}

function locationsOf(f: Finding, options: SarifOptions): Location[] {
  const out: Location[] = [];
  if (f.tenantFile) {
    const text = options.sources?.get(f.tenantFile);
    out.push(location(f.tenantFile, locateInTenantFile(f, options.positions?.get(f.tenantFile), text)));
  } else if (f.resource.apiVersion === 'tenantctl.io/v1' && f.resource.kind === 'Cluster' && !f.file) {
    const fleet = options.fleetFile ?? 'fleet.ts';
    const text = options.sources?.get(fleet);
    out.push(location(fleet, text === undefined ? 1 : lineInFleetFile(text, f.resource.name)));
  }
  if (f.file && f.file !== f.tenantFile) out.push(location(f.file, 1));
  return out;
}

function fingerprint(f: Finding): string {
  return createHash('sha256').update([f.policy, f.cluster ?? '', formatResource(f.resource), f.path ?? '', f.message].join('\0')).digest('hex').slice(0, 32);
}

/** The SARIF log as an object (for tests and tools); `renderSarif` serialises it. */
export function buildSarif(findings: readonly Finding[], options: SarifOptions = {}): Record<string, unknown> {
  const rules: Rule[] = [...allRules(), ...(options.rules ?? [])];
  for (const f of findings) {
    if (!rules.some((r) => r.id === f.policy)) rules.push({ id: f.policy, severity: f.severity, description: f.policy, fix: f.fix });
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = findings.map((f) => ({
    ruleId: f.policy,
    ruleIndex: index.get(f.policy)!,
    level: f.severity,
    message: { text: `${formatResource(f.resource)}: ${f.message}${f.path ? ` (at ${f.path})` : ''}. Fix: ${f.fix}` },
    locations: locationsOf(f, options),
    partialFingerprints: { 'tenantctlFinding/v1': fingerprint(f) },
    ...(f.waived ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.waived.reason} (owner ${f.waived.owner}, expires ${f.waived.expires})` }] } : {}),
    properties: {
      resource: formatResource(f.resource),
      ...(f.resource.apiVersion ? { apiVersion: f.resource.apiVersion } : {}),
      ...(f.cluster ? { cluster: f.cluster } : {}),
      ...(f.tenant ? { tenant: f.tenant } : {}),
      ...(f.environment ? { environment: f.environment } : {}),
    },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tenantctl',
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              fullDescription: { text: r.description },
              help: { text: r.fix },
              defaultConfiguration: { level: r.severity },
              properties: { tags: [r.id.split('/')[0]] },
            })),
          },
        },
        results,
      },
    ],
  };
}

export function renderSarif(findings: readonly Finding[], options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(findings, options), null, 2)}\n`;
}
