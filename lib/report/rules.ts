/**
 * Every rule a report can mention (policies, engine rules, schema checks) and the bridge that
 * lets schema findings travel in the same Finding shape as policy findings.
 */
import type { TenantEnvironment } from '../model/environment.ts';
import { ENGINE_RULES, POLICIES } from '../policy/engine.ts';
import { formatKey } from '../model/resource.ts';
import type { Finding, Policy, ResourceRef } from '../policy/types.ts';
import type { SchemaFinding, SchemaFindingCode } from '../validate/findings.ts';

export type Rule = Pick<Policy, 'id' | 'severity' | 'description' | 'fix'>;

const SCHEMA_RULE_IDS: Readonly<Record<SchemaFindingCode, string>> = {
  'schema.invalid': 'schema/invalid',
  'schema.unknown-kind': 'schema/unknown-kind',
  'schema.unknown-api-version': 'schema/unknown-api-version',
  'schema.missing-type': 'schema/missing-type',
  'manifest.unreadable': 'manifest/unreadable',
};

export const SCHEMA_RULES: readonly Rule[] = [
  { id: 'schema/invalid', severity: 'error', description: "An object does not match its kind's schema (strict: unknown fields are errors).", fix: 'correct the field named in the message' },
  { id: 'schema/unknown-kind', severity: 'error', description: 'No vendored Kubernetes schema or CRD defines the kind.', fix: 'check the kind, or vendor its CRD under vendor/crds/' },
  { id: 'schema/unknown-api-version', severity: 'error', description: 'The kind is not served under this apiVersion.', fix: 'use a served apiVersion of the kind' },
  { id: 'schema/missing-type', severity: 'error', description: 'A document has no apiVersion or kind.', fix: 'add apiVersion and kind' },
  { id: 'manifest/unreadable', severity: 'error', description: 'A manifest file is not valid YAML (syntax error or duplicate key).', fix: 'fix the YAML' },
];

/** Policies, engine rules and schema rules, in report order. */
export function allRules(): Rule[] {
  return [...SCHEMA_RULES, ...POLICIES, ...ENGINE_RULES];
}

function parseResource(label: string, apiVersion: string | undefined): ResourceRef {
  const parts = label.split('/');
  if (parts.length === 3) return { apiVersion: apiVersion ?? '', kind: parts[0], namespace: parts[1], name: parts[2] };
  if (parts.length === 2) return { apiVersion: apiVersion ?? '', kind: parts[0], name: parts[1] };
  return { apiVersion: apiVersion ?? '', kind: '', name: label };
}

/** The tenant environment a generated file belongs to (`.../tenants/<tenant>-<environment>/...`). */
function environmentOfFile(file: string, environments: readonly TenantEnvironment[]): TenantEnvironment | undefined {
  const m = /(?:^|\/)tenants\/([^/]+)\//.exec(file);
  return m ? environments.find((e) => `${e.tenant.name}-${e.name}` === m[1]) : undefined;
}

/** Schema findings as Findings (`schema.invalid` → rule `schema/invalid`), tenant files found from the generated path. */
export function schemaFindingsAsFindings(findings: readonly SchemaFinding[], environments: readonly TenantEnvironment[] = []): Finding[] {
  return findings.map((f) => {
    const env = environmentOfFile(f.file, environments);
    return {
      policy: SCHEMA_RULE_IDS[f.code],
      severity: 'error',
      resource: parseResource(f.resource, f.apiVersion),
      ...(env ? { tenant: env.tenant.name, environment: env.name, tenantFile: env.tenant.file, cluster: env.cluster.name } : {}),
      file: f.file,
      ...(f.path ? { path: f.path } : {}),
      message: f.message,
      fix: f.fix ?? SCHEMA_RULES.find((r) => r.id === SCHEMA_RULE_IDS[f.code])!.fix,
    };
  });
}

export function formatResource(r: ResourceRef): string {
  return formatKey(r);
}
