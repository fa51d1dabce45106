/**
 * From loaded input files to placed tenant environments, or every problem found.
 * Pure: the caller loads files; this validates, applies tier defaults and places.
 */
import { basename } from 'node:path';
import { type Fleet, fleetSchema } from '../fleet/schema.ts';
import { place } from '../fleet/placement.ts';
import { namespaceFor, type TenantEnvironment } from '../model/environment.ts';
import { InputError, type Issue, type SourcePositions } from '../model/issue.ts';
import { resolveTenant, type UnplacedEnvironment } from '../tenant/resolve.ts';
import { tenantSchema } from '../tenant/schema.ts';
import type { Templates, TierRegistry } from '../tier/tier.ts';
import { schemaIssues } from '../tenant/schema-issues.ts';
import { compareNames } from '../model/name-order.ts';

/** A tenant file's value as the schema returns it. */
type TenantValue = ReturnType<typeof tenantSchema.parse>;

/** A module's default export, as loaded from a file. */
export interface LoadedFile {
  readonly file: string;
  readonly value: unknown;
  /** Where each field is written, when read from source: issues then carry line and column. */
  readonly positions?: SourcePositions;
  /** SHA-256 of the value's JSON when the reader knows it: the valid-tenants key, not computed again. */
  readonly valueDigest?: string;
}

export interface CompileInput {
  readonly fleet: LoadedFile;
  readonly tenants: readonly LoadedFile[];
  /** The templates the fleet renders with; their tiers are the ones tenants may name. */
  readonly templates: Templates;
  /** `<cluster>/<tenant>-<environment>` folders generated/ holds already (placement blames newcomers for a full cluster). */
  readonly deployed?: ReadonlySet<string>;
  /** Tenant values validated before: only the others go through the schema (lib/io/valid-tenants.ts). */
  readonly validTenants?: ValidTenants;
}

/**
 * Tenant values that passed tenantSchema before, with what it made of them. Only values that
 * passed are entered, so a value not found is validated and its errors are the schema's own.
 */
export interface ValidTenants {
  /**
   * What the schema made of `value`, when an equal value passed it before. `digest`: the value's
   * LoadedFile.valueDigest (SHA-256, hex, of `JSON.stringify(value)`) when known, taken as the key:
   * serializing and hashing every tenant again cost some 10 ms per 1,000 tenants on each run.
   */
  get(value: unknown, digest?: string): unknown;
  set(value: unknown, parsed: unknown, digest?: string): void;
}

export interface CompiledFleet {
  readonly fleet: Fleet;
  /** Sorted by cluster, tenant, environment. */
  readonly environments: readonly TenantEnvironment[];
  readonly templates: Templates;
}

export function parseFleet(loaded: LoadedFile, tiers: TierRegistry): { fleet?: Fleet; issues: Issue[] } {
  const parsed = fleetSchema.safeParse(loaded.value, { reportInput: true });
  if (!parsed.success) return { issues: schemaIssues(loaded.file, parsed.error, 'fleet.invalid', fleetSchema, 'the comments in lib/fleet/schema.ts') };
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

/** Validates, resolves and places every tenant; throws InputError with all issues found, each with its line when known. */
export function compile(input: CompileInput): CompiledFleet {
  try {
    return compileUnlocated(input);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(locateIssues(error.issues, [input.fleet, ...input.tenants]));
    throw error;
  }
}

/** Issues with the line and column of their field, from the positions of the files read. */
export function locateIssues(issues: readonly Issue[], files: readonly LoadedFile[]): Issue[] {
  const byFile = new Map(files.map((f) => [f.file, f.positions]));
  return issues.map((issue) => {
    if (issue.line !== undefined) return issue;
    const at = byFile.get(issue.file)?.at(issue.path);
    return at ? { ...issue, line: at.line, column: at.column } : issue;
  });
}

function compileUnlocated(input: CompileInput): CompiledFleet {
  const { fleet, issues } = parseFleet(input.fleet, input.templates.tiers);
  if (!fleet) throw new InputError(issues);

  const unplaced: UnplacedEnvironment[] = [];
  const owners = new Map<string, string>(); // tenant name -> file
  const domains = new Map<string, string>(); // host -> "tenant acme (production)"
  const sorted = [...input.tenants].sort((a, b) => compareNames(a.file, b.file));
  const stem = (file: string) => basename(file).replace(/\.ts$/, '');
  // A tenant name belongs to the file named after it: a copy declaring the same name is the
  // duplicate, whichever of the two sorts first (tenants/acme-copy.ts sorts before tenants/acme.ts).
  const named = new Map<string, string>();
  for (const loaded of sorted) {
    const name = (loaded.value as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && stem(loaded.file) === name) named.set(name, loaded.file);
  }
  for (const loaded of sorted) {
    let spec = input.validTenants?.get(loaded.value, loaded.valueDigest) as TenantValue | undefined;
    if (spec === undefined) {
      const parsed = tenantSchema.safeParse(loaded.value, { reportInput: true });
      if (!parsed.success) {
        issues.push(...schemaIssues(loaded.file, parsed.error, 'tenant.invalid', tenantSchema, '"Tenant file reference" in the README'));
        continue;
      }
      spec = parsed.data;
      input.validTenants?.set(loaded.value, spec, loaded.valueDigest);
    }
    const expected = stem(loaded.file);
    const first = owners.get(spec.name) ?? named.get(spec.name);
    if (first !== undefined && first !== loaded.file) {
      issues.push({ code: 'tenant.duplicate-name', file: loaded.file, path: 'name', message: `tenant "${spec.name}" is already defined in ${first}`, fix: `tenant names are unique across the fleet: choose another name${spec.name !== expected ? `, e.g. name: "${expected}" to match the file name` : ''}` });
      continue;
    }
    if (spec.name !== expected) {
      issues.push({ code: 'tenant.name-mismatch', file: loaded.file, path: 'name', message: `name "${spec.name}" does not match the file name`, fix: `rename the file to tenants/${spec.name}.ts or set name: "${expected}"` });
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
    const resolved = resolveTenant(loaded.file, spec, input.templates.tiers, fleet);
    issues.push(...resolved.issues);
    unplaced.push(...resolved.environments);
  }

  const { placements, issues: placementIssues } = place(unplaced, fleet, input.deployed);
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
  // Keys built once, not per comparison.
  const keys = new Map(environments.map((e) => [e, `${e.cluster.name}/${e.tenant.name}/${e.name}`]));
  environments.sort((a, b) => compareNames(keys.get(a)!, keys.get(b)!));
  return { fleet, environments, templates: input.templates };
}
