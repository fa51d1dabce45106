/**
 * The tenant settings a live value can be adopted into, and for each: where in the tenant file it
 * is written, which environments a tenant-level value reaches (lib/tenant/resolve.ts), and which
 * values the schema and the tier accept. Mapping asks here instead of repeating resolve.ts rules.
 */
import type { z } from 'zod';
import type { TenantEnvironment } from '../model/environment.ts';
import { backupSchema, environmentSchema, ingressSchema, odooSchema, redisSchema, type TenantSpec } from '../tenant/schema.ts';
import type { Tier } from '../tier/tier.ts';
import type { SettingPath } from './types.ts';

/** The tenant settings adoption can write, by the name reasons and messages use. */
export type SettingName =
  | 'replicas'
  | 'maxReplicas'
  | 'workers'
  | 'cronThreads'
  | 'odoo.image'
  | 'odoo.version'
  | 'redis.memory'
  | 'ingress.rateLimit'
  | 'ingress.adminAllowList'
  | 'backup.rpoMinutes';

interface SettingDef {
  /** Field of `environments.<name>` that sets it per environment, when the schema has one. */
  readonly envKey?: string;
  /** Tenant-level path, when the tenant file can set it for all environments. */
  readonly tenantPath?: readonly string[];
  /**
   * A tenant-level value reaches only environments on the tenant's own tier (hybrid environments
   * take their tier's defaults for data settings, see resolveTenant).
   */
  readonly ownTierOnly?: boolean;
  readonly schema: z.ZodType;
  readonly effective: (env: TenantEnvironment) => unknown;
  /** Why the tier refuses `value`, or undefined. */
  readonly limit?: (value: never, tier: Tier) => string | undefined;
}

const SETTINGS: Readonly<Record<SettingName, SettingDef>> = {
  replicas: {
    envKey: 'replicas',
    schema: environmentSchema.shape.replicas,
    effective: (env) => env.odoo.replicas,
    limit: (v: number, tier) => (v > tier.floors.maxReplicas ? `${v} replicas exceed the ${tier.name} tier ceiling of ${tier.floors.maxReplicas}` : undefined),
  },
  maxReplicas: { envKey: 'maxReplicas', schema: environmentSchema.shape.maxReplicas, effective: (env) => env.odoo.maxReplicas },
  workers: {
    envKey: 'workers',
    tenantPath: ['odoo', 'workers'],
    schema: environmentSchema.shape.workers,
    effective: (env) => env.odoo.workers,
    limit: (v: number, tier) => (v > tier.floors.maxWorkers ? `${v} workers exceed the ${tier.name} tier ceiling of ${tier.floors.maxWorkers}` : undefined),
  },
  cronThreads: { tenantPath: ['odoo', 'cronThreads'], schema: odooSchema.shape.cronThreads, effective: (env) => env.odoo.cronThreads },
  'odoo.image': { tenantPath: ['odoo', 'image'], schema: odooSchema.shape.image, effective: (env) => env.odoo.image },
  'odoo.version': { tenantPath: ['odoo', 'version'], schema: odooSchema.shape.version, effective: (env) => env.odoo.version },
  'redis.memory': { tenantPath: ['redis', 'memory'], ownTierOnly: true, schema: redisSchema.shape.memory, effective: (env) => env.redis.memory },
  'ingress.rateLimit': { tenantPath: ['ingress', 'rateLimit'], schema: ingressSchema.shape.rateLimit, effective: (env) => env.ingress.rateLimit },
  'ingress.adminAllowList': { tenantPath: ['ingress', 'adminAllowList'], schema: ingressSchema.shape.adminAllowList, effective: (env) => env.ingress.adminAllowList },
  'backup.rpoMinutes': {
    tenantPath: ['backup', 'rpoMinutes'],
    ownTierOnly: true,
    schema: backupSchema.shape.rpoMinutes,
    effective: (env) => env.backup.rpoMinutes,
    limit: (v: number, tier) => (v < tier.floors.minRpoMinutes ? `an RPO of ${v} minutes is below what the ${tier.name} tier can deliver (at least ${tier.floors.minRpoMinutes} minutes)` : undefined),
  },
};

/** Why `value` cannot be written into `setting` (schema or tier limit), or undefined. */
export function rejectValue(setting: SettingName, value: unknown, tier: Tier | undefined): string | undefined {
  const def = SETTINGS[setting];
  const parsed = def.schema.safeParse(value);
  if (!parsed.success) return `${JSON.stringify(value)} is not a valid ${setting}: ${parsed.error.issues.map((i) => i.message).join('; ')}`;
  return tier && def.limit ? def.limit(value as never, tier) : undefined;
}

/** Whether environment `env` is on the tenant's own tier, the only ones tenant-level data settings reach. */
function isOwnTier(env: TenantEnvironment): boolean {
  return env.tier === env.tenant.tier;
}

/** Why a tenant-level value of `setting` cannot reach `env`, or undefined when it can. */
export function unreachable(setting: SettingName, env: TenantEnvironment): string | undefined {
  if (!SETTINGS[setting].ownTierOnly || isOwnTier(env)) return undefined;
  return `${env.name} runs on the ${env.tier} tier while the tenant is ${env.tenant.tier}: it takes the ${env.tier} tier's default for ${setting}, which the tenant file cannot override per environment`;
}

/** Where the setting is written for `env`. */
interface SettingLocation {
  readonly path: SettingPath;
  /** Written at tenant level: every environment in `reaches` renders it. */
  readonly tenantWide: boolean;
}

/**
 * Where to write `setting` so that `env` renders the new value and no other environment changes:
 * the environment's own override when it has one or the schema allows one (added when the value
 * comes from the tier default, or from a tenant-level value other environments share), otherwise
 * the tenant-level path. `spec` is the tenant file's value; without it, an environment override is
 * chosen whenever the schema has one, which is always correct if not always the tidiest edit.
 */
export function locateSetting(setting: SettingName, env: TenantEnvironment, spec: TenantSpec | undefined): SettingLocation {
  const def = SETTINGS[setting];
  const envPath = def.envKey ? ['environments', env.name, def.envKey] : undefined;
  if (!def.tenantPath) return { path: envPath!, tenantWide: false };
  if (!envPath) return { path: def.tenantPath, tenantWide: true };
  const envs = spec?.environments ?? {};
  const own = envs[env.name] as Record<string, unknown> | undefined;
  if (!spec || own?.[def.envKey!] !== undefined || valueAt(spec, def.tenantPath) === undefined) return { path: envPath, tenantWide: false };
  const sharing = Object.keys(envs).filter((name) => name !== env.name && (envs[name] as Record<string, unknown>)[def.envKey!] === undefined);
  return sharing.length > 0 ? { path: envPath, tenantWide: false } : { path: def.tenantPath, tenantWide: true };
}

/**
 * Environments of `env`'s tenant (in `all`) that a tenant-level write of `setting` also changes,
 * with their current value: those where the value applies and differs from `value`.
 */
export function othersChanged(setting: SettingName, env: TenantEnvironment, value: unknown, all: readonly TenantEnvironment[], spec: TenantSpec | undefined): TenantEnvironment[] {
  const def = SETTINGS[setting];
  return all.filter((other) => {
    if (other.tenant.file !== env.tenant.file || other.name === env.name) return false;
    if (def.ownTierOnly && !isOwnTier(other)) return false;
    const overrides = def.envKey && (spec?.environments[other.name] as Record<string, unknown> | undefined)?.[def.envKey] !== undefined;
    return !overrides && !sameValue(def.effective(other), value);
  });
}

/** Equal JSON values, whatever the order of object keys: candidates from different objects compare equal. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}
