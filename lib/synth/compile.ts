/**
 * From loaded input files to placed tenant environments, or every problem found.
 * Pure: the caller loads files; this validates, applies tier defaults and places.
 */
import { basename } from 'node:path';
import type { z } from 'zod';
import { type Fleet, fleetSchema } from '../fleet/schema.ts';
import { place } from '../fleet/placement.ts';
import { namespaceFor, type TenantEnvironment } from '../model/environment.ts';
import { formatPath, InputError, type Issue } from '../model/issue.ts';
import { resolveTenant, type UnplacedEnvironment } from '../tenant/resolve.ts';
import { tenantSchema } from '../tenant/schema.ts';
import type { TierRegistry } from '../tier/tier.ts';

/** A module's default export, as loaded from a file. */
export interface LoadedFile {
  readonly file: string;
  readonly value: unknown;
}

export interface CompileInput {
  readonly fleet: LoadedFile;
  readonly tenants: readonly LoadedFile[];
  readonly tiers: TierRegistry;
}

export interface CompiledFleet {
  readonly fleet: Fleet;
  /** Sorted by cluster, tenant, environment. */
  readonly environments: readonly TenantEnvironment[];
  readonly tiers: TierRegistry;
}

function zodIssues(file: string, error: z.ZodError, code: Issue['code']): Issue[] {
  return error.issues.map((i) => {
    let message = i.message;
    let fix: string | undefined;
    if (i.code === 'unrecognized_keys') {
      message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      fix = 'remove it, or check the spelling against the tenant file reference in the README';
    } else if (i.code === 'invalid_type' && i.input === undefined) {
      message = 'is required';
    }
    return { code, file, path: formatPath(i.path), message, fix };
  });
}

export function parseFleet(loaded: LoadedFile, tiers: TierRegistry): { fleet?: Fleet; issues: Issue[] } {
  const parsed = fleetSchema.safeParse(loaded.value);
  if (!parsed.success) return { issues: zodIssues(loaded.file, parsed.error, 'fleet.invalid') };
  const issues: Issue[] = [];
  const seen = new Set<string>();
  parsed.data.clusters.forEach((c, i) => {
    if (seen.has(c.name)) issues.push({ code: 'fleet.invalid', file: loaded.file, path: `clusters[${i}].name`, message: `cluster "${c.name}" is declared twice`, fix: 'give each cluster a unique name' });
    seen.add(c.name);
    if (!parsed.data.regions[c.region]) issues.push({ code: 'fleet.invalid', file: loaded.file, path: `clusters[${i}].region`, message: `region "${c.region}" has no entry in regions`, fix: 'declare its object storage under regions' });
    c.tiers.forEach((t, j) => {
      if (!tiers[t]) issues.push({ code: 'fleet.invalid', file: loaded.file, path: `clusters[${i}].tiers[${j}]`, message: `unknown tier "${t}"`, fix: `use one of: ${Object.keys(tiers).sort().join(', ')}` });
    });
  });
  return { fleet: parsed.data, issues };
}

/** Validates, resolves and places every tenant; throws InputError with all issues found. */
export function compile(input: CompileInput): CompiledFleet {
  const { fleet, issues } = parseFleet(input.fleet, input.tiers);
  if (!fleet) throw new InputError(issues);

  const unplaced: UnplacedEnvironment[] = [];
  const owners = new Map<string, string>(); // tenant name -> file
  const domains = new Map<string, string>(); // host -> "tenant acme (production)"
  for (const loaded of [...input.tenants].sort((a, b) => a.file.localeCompare(b.file))) {
    const parsed = tenantSchema.safeParse(loaded.value);
    if (!parsed.success) {
      issues.push(...zodIssues(loaded.file, parsed.error, 'tenant.invalid'));
      continue;
    }
    const spec = parsed.data;
    const expected = basename(loaded.file).replace(/\.ts$/, '');
    if (spec.name !== expected) {
      issues.push({ code: 'tenant.name-mismatch', file: loaded.file, path: 'name', message: `name "${spec.name}" does not match the file name`, fix: `rename the file to tenants/${spec.name}.ts or set name: "${expected}"` });
    }
    const first = owners.get(spec.name);
    if (first) {
      issues.push({ code: 'tenant.duplicate-name', file: loaded.file, path: 'name', message: `tenant "${spec.name}" is already defined in ${first}`, fix: 'tenant names are unique across the fleet: choose another name' });
      continue;
    }
    owners.set(spec.name, loaded.file);
    for (const envName of Object.keys(spec.environments).sort()) {
      spec.environments[envName].domains.forEach((host, i) => {
        const owner = domains.get(host);
        if (owner) {
          issues.push({ code: 'tenant.duplicate-domain', file: loaded.file, path: `environments.${envName}.domains[${i}]`, message: `"${host}" is already used by ${owner}`, fix: 'each host name routes to exactly one tenant environment: remove it or use another' });
        } else {
          domains.set(host, `tenant ${spec.name} (${envName})`);
        }
      });
    }
    const resolved = resolveTenant(loaded.file, spec, input.tiers, fleet);
    issues.push(...resolved.issues);
    unplaced.push(...resolved.environments);
  }

  const { placements, issues: placementIssues } = place(unplaced, fleet);
  issues.push(...placementIssues);
  if (issues.length > 0) throw new InputError(issues);

  const environments: TenantEnvironment[] = placements.map(({ env, cluster }) => ({
    tenant: env.tenant,
    name: env.name,
    tier: env.tier.name,
    cluster,
    region: fleet.regions[cluster.region],
    crossRegion: env.backup.crossRegion ? { name: env.backup.crossRegion, region: fleet.regions[env.backup.crossRegion] } : undefined,
    namespace: namespaceFor(env.tenant.name, env.name),
    domains: env.domains,
    odoo: env.odoo,
    database: env.database,
    redis: env.redis,
    backup: env.backup,
    maintenance: env.maintenance,
    ingress: env.ingress,
    fleet,
  }));
  environments.sort((a, b) => `${a.cluster.name}/${a.tenant.name}/${a.name}`.localeCompare(`${b.cluster.name}/${b.tenant.name}/${b.name}`));
  return { fleet, environments, tiers: input.tiers };
}
