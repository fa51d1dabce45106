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

/** The field names the object schema at `path` inside `schema` accepts (records and arrays stepped through). */
function knownFields(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  type Def = { type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType };
  let current: z.ZodType | undefined = schema;
  let i = 0;
  while (current) {
    const def: Def = (current as unknown as { _zod: { def: Def } })._zod.def;
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (i === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    else if (def.type === 'object') current = def.shape?.[String(path[i++])];
    else if (def.type === 'record') (current = def.valueType), i++;
    else if (def.type === 'array') (current = def.element), i++;
    else return [];
  }
  return [];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * zod issues as Issues. An unknown field gets its own issue whose path names the field itself
 * (not the object around it, which for a top-level typo would be no path at all), and a fix that
 * suggests the field that was probably meant.
 */
function zodIssues(file: string, error: z.ZodError, code: Issue['code'], schema: z.ZodType, reference: string): Issue[] {
  return error.issues.flatMap((i): Issue[] => {
    if (i.code === 'unrecognized_keys') {
      const known = knownFields(schema, i.path);
      return i.keys.map((key) => {
        const near = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
        const fix =
          near && near.d <= Math.max(1, Math.floor(key.length / 3))
            ? `did you mean "${near.k}"? Otherwise remove it`
            : `remove it${known.length ? `; fields allowed here: ${known.join(', ')}` : `, or check the spelling (see ${reference})`}`;
        return { code, file, path: formatPath([...i.path, key]), message: `unknown field "${key}"`, fix };
      });
    }
    const path = formatPath(i.path);
    const message = i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message;
    return [{ code, file, path, message, fix: fixFor(i, path, reference) }];
  });
}

/** A fix line for a zod issue, so every input problem says what to do, not only what is wrong. */
function fixFor(i: z.core.$ZodIssue, path: string, reference: string): string {
  const field = path || 'the value';
  const unit = (origin: string) => (origin === 'array' ? ' item(s)' : origin === 'string' ? ' character(s)' : '');
  switch (i.code) {
    case 'invalid_type':
      return i.input === undefined ? `add ${field} (see ${reference})` : `make ${field} a ${i.expected}`;
    case 'invalid_value':
      return `use one of: ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `use at least ${String(i.minimum)}${unit(i.origin)}`;
    case 'too_big':
      return `use at most ${String(i.maximum)}${unit(i.origin)}`;
    default:
      return `change ${field} as described (see ${reference})`;
  }
}

export function parseFleet(loaded: LoadedFile, tiers: TierRegistry): { fleet?: Fleet; issues: Issue[] } {
  const parsed = fleetSchema.safeParse(loaded.value);
  if (!parsed.success) return { issues: zodIssues(loaded.file, parsed.error, 'fleet.invalid', fleetSchema, 'the comments in lib/fleet/schema.ts') };
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
  const sorted = [...input.tenants].sort((a, b) => a.file.localeCompare(b.file));
  const stem = (file: string) => basename(file).replace(/\.ts$/, '');
  // A tenant name belongs to the file named after it: a copy declaring the same name is the
  // duplicate, whichever of the two sorts first (tenants/acme-copy.ts sorts before tenants/acme.ts).
  const named = new Map<string, string>();
  for (const loaded of sorted) {
    const name = (loaded.value as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && stem(loaded.file) === name) named.set(name, loaded.file);
  }
  for (const loaded of sorted) {
    const parsed = tenantSchema.safeParse(loaded.value);
    if (!parsed.success) {
      issues.push(...zodIssues(loaded.file, parsed.error, 'tenant.invalid', tenantSchema, '"Tenant file reference" in the README'));
      continue;
    }
    const spec = parsed.data;
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
