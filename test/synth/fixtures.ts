/**
 * Small in-memory inputs for compile(): a two-region fleet and tenant values built from a
 * minimal valid tenant, so each test states only the field its case is about.
 */
import type { FleetSpec } from '../../lib/fleet/schema.ts';
import type { Issue } from '../../lib/model/issue.ts';
import { InputError } from '../../lib/model/issue.ts';
import { compile, type CompiledFleet, type LoadedFile } from '../../lib/synth/compile.ts';
import type { TenantSpec } from '../../lib/tenant/schema.ts';
import { templates } from '../../tiers/index.ts';

export const REGION_STORAGE = (region: string) => ({
  objectStorage: { endpoint: `https://s3.${region}.example`, bucket: `tc-${region}`, lockedBucket: `tc-${region}-locked`, cidrs: ['198.18.10.0/24'] },
});

/** eu-west: one shared and one dedicated/regulated cluster; eu-central: one cluster for all tiers. */
export function fleetSpec(overrides: Partial<FleetSpec> = {}): FleetSpec {
  return {
    gitops: { repoURL: 'https://git.example/fleet.git' },
    secretStore: { kind: 'ClusterSecretStore', name: 'vault' },
    issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' },
    allowedRegistries: ['registry.example/'],
    images: { postgres: { '16': 'ghcr.io/cloudnative-pg/postgresql:16.6' }, redis: 'docker.io/library/redis:7.4.2', tools: 'registry.example/tools:1' },
    regions: { 'eu-west': REGION_STORAGE('eu-west'), 'eu-central': REGION_STORAGE('eu-central') },
    clusters: [
      { name: 'west-shared', region: 'eu-west', tiers: ['shared'], capacity: { cpu: 1000, memoryGi: 4000 }, baseDomain: 'west.example.com' },
      { name: 'west-dedicated', region: 'eu-west', tiers: ['dedicated', 'regulated'], capacity: { cpu: 1000, memoryGi: 4000 }, baseDomain: 'west.example.com' },
      { name: 'central-1', region: 'eu-central', tiers: ['shared', 'dedicated', 'regulated'], capacity: { cpu: 1000, memoryGi: 4000 }, baseDomain: 'central.example.com' },
    ],
    ...overrides,
  };
}

/** A valid shared tenant in eu-west with one production environment; `overrides` replace top-level fields. */
export function tenantSpec(name: string, overrides: Record<string, unknown> = {}): TenantSpec {
  return {
    name,
    displayName: `Tenant ${name}`,
    tier: 'shared',
    region: 'eu-west',
    odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-20251110' },
    environments: { production: { domains: [`${name}.west.example.com`] } },
    labels: { owner: 'team-a', costCenter: 'CC-1' },
    ...overrides,
  } as TenantSpec;
}

export const tenantFile = (value: unknown, file?: string): LoadedFile => ({
  file: file ?? `tenants/${(value as { name: string }).name}.ts`,
  value,
});

export function compileTenants(tenants: readonly LoadedFile[], fleet: unknown = fleetSpec()): CompiledFleet {
  return compile({ fleet: { file: 'fleet.ts', value: fleet }, tenants, templates });
}

/** The issues compile() throws for these inputs (fails the test when it compiles). */
export function issuesOf(tenants: readonly LoadedFile[], fleet: unknown = fleetSpec()): Issue[] {
  try {
    compileTenants(tenants, fleet);
  } catch (error) {
    if (error instanceof InputError) return [...error.issues];
    throw error;
  }
  throw new Error('expected compile() to reject the input, but it compiled');
}

/** `file: path: message`, the way the CLI prints an issue's first line. */
export const line = (i: Issue) => `${i.file}: ${i.path}: ${i.message}`;

/** `tenant/environment -> cluster` for every placed environment. */
export function placementsOf(compiled: CompiledFleet): Record<string, string> {
  return Object.fromEntries(compiled.environments.map((e) => [`${e.tenant.name}/${e.name}`, e.cluster.name]));
}
