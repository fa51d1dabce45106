/**
 * Turns a validated tenant file into tenant environments with every setting decided:
 * the environment's tier supplies defaults, the tenant file overrides them, and the tier's
 * floors and ceilings are checked so a tenant is never promised what its tier cannot deliver.
 */
import type { z } from 'zod';
import type { Fleet } from '../fleet/schema.ts';
import type { Issue } from '../model/issue.ts';
import type { BackupSettings, Tenant, TenantEnvironment } from '../model/environment.ts';
import type { Tier, TierRegistry } from '../tier/tier.ts';
import type { tenantSchema } from './schema.ts';

type TenantValue = z.output<typeof tenantSchema>;

/** A tenant environment before placement chooses its cluster. */
export interface UnplacedEnvironment extends Pick<TenantEnvironment, 'tenant' | 'name' | 'domains' | 'odoo' | 'database' | 'redis' | 'backup' | 'maintenance' | 'ingress'> {
  /** The tier itself, not its name: placement and sizing need its data plane and floors. */
  readonly tier: Tier;
  readonly pin?: string;
}

export function resolveTenant(file: string, spec: TenantValue, tiers: TierRegistry, fleet: Fleet): { environments: UnplacedEnvironment[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const issue = (code: Issue['code'], path: string, message: string, fix: string) => issues.push({ code, file, path, message, fix });
  const known = Object.keys(tiers).sort().join(', ');

  const tenantTier = tiers[spec.tier];
  if (!tenantTier) {
    issue('tenant.unknown-tier', 'tier', `unknown tier "${spec.tier}"`, `use one of: ${known}`);
    return { environments: [], issues };
  }
  const tenant: Tenant = {
    name: spec.name,
    displayName: spec.displayName,
    tier: spec.tier,
    region: spec.region,
    file,
    owner: spec.labels.owner,
    costCenter: spec.labels.costCenter,
    egress: spec.egress ?? [],
    waivers: spec.waivers ?? [],
  };
  // An undeclared region is reported here, once; its environments are not handed to placement,
  // which would report each of them again as having no cluster.
  const regionKnown = fleet.regions[spec.region] !== undefined;
  if (!regionKnown) {
    issue('placement.no-cluster', 'region', `region "${spec.region}" is not declared in fleet.ts`, `use one of: ${Object.keys(fleet.regions).sort().join(', ')}, or add the region and a cluster in it to fleet.ts`);
  }

  if (!fleet.allowedRegistries.some((prefix) => spec.odoo.image.startsWith(prefix))) {
    issue('tenant.invalid', 'odoo.image', `image "${spec.odoo.image}" is not from a registry fleet.ts allows`, `use an image from one of: ${fleet.allowedRegistries.join(', ')} (or add its registry to allowedRegistries in fleet.ts)`);
  }

  const environments: UnplacedEnvironment[] = [];
  for (const envName of Object.keys(spec.environments).sort()) {
    const env = spec.environments[envName];
    const at = (field: string) => `environments.${envName}.${field}`;
    const tier = env.tier === undefined ? tenantTier : tiers[env.tier];
    if (!tier) {
      issue('tenant.unknown-tier', at('tier'), `unknown tier "${env.tier}"`, `use one of: ${known}`);
      continue;
    }
    // Tenant-level data settings describe the tenant's own tier; an environment on another tier
    // (hybrid: staging on shared) takes that tier's standard instead of inheriting them.
    const own = tier.name === tenantTier.name;
    const d = tier.defaults;
    const backup: BackupSettings = {
      rpoMinutes: (own && spec.backup?.rpoMinutes) || d.backup.rpoMinutes,
      rtoMinutes: (own && spec.backup?.rtoMinutes) || d.backup.rtoMinutes,
      retentionDays: (own && spec.backup?.retentionDays) || d.backup.retentionDays,
      crossRegion: own ? spec.backup?.crossRegion : undefined,
      immutable: own && spec.backup?.immutable !== undefined ? spec.backup.immutable : d.backup.immutable,
    };
    const database = {
      storage: env.database?.storage ?? (own ? spec.database?.storage : undefined) ?? d.database.storage,
      instances: env.database?.instances ?? (own ? spec.database?.instances : undefined) ?? d.database.instances,
      postgres: env.database?.postgres ?? (own ? spec.database?.postgres : undefined) ?? d.database.postgres,
    };
    const replicas = env.replicas ?? d.replicas;
    const odoo = {
      version: spec.odoo.version,
      edition: spec.odoo.edition ?? d.edition,
      image: spec.odoo.image,
      addons: spec.odoo.addons ?? [],
      workers: env.workers ?? spec.odoo.workers ?? d.workers,
      cronThreads: spec.odoo.cronThreads ?? d.cronThreads,
      replicas,
      maxReplicas: Math.max(env.maxReplicas ?? d.maxReplicas, replicas),
    };
    const f = tier.floors;
    const backupPath = own ? 'backup' : at('tier');
    if (backup.rpoMinutes < f.minRpoMinutes) {
      issue('tenant.below-tier-floor', own ? 'backup.rpoMinutes' : backupPath, `RPO of ${backup.rpoMinutes} minutes is below what the ${tier.name} tier can deliver (at least ${f.minRpoMinutes} minutes)`, `set backup.rpoMinutes to ${f.minRpoMinutes} or more, or move the tenant to a tier with continuous WAL archiving`);
    }
    if (backup.retentionDays < f.minRetentionDays) {
      issue('tenant.below-tier-floor', 'backup.retentionDays', `retention of ${backup.retentionDays} days is below the ${tier.name} tier minimum of ${f.minRetentionDays} days`, `set backup.retentionDays to ${f.minRetentionDays} or more`);
    }
    if (f.requiresCrossRegion && !backup.crossRegion) {
      issue('tenant.below-tier-floor', 'backup.crossRegion', `the ${tier.name} tier requires a cross-region backup copy`, `set backup.crossRegion to another region of fleet.ts (${Object.keys(fleet.regions).filter((r) => r !== spec.region).sort().join(', ')})`);
    }
    if (f.requiresImmutableBackups && !backup.immutable) {
      issue('tenant.below-tier-floor', 'backup.immutable', `the ${tier.name} tier requires immutable backups`, 'remove backup.immutable or set it to true');
    }
    if (backup.crossRegion !== undefined) {
      if (backup.crossRegion === spec.region) {
        issue('tenant.invalid', 'backup.crossRegion', `cross-region target "${backup.crossRegion}" is the tenant's own region`, 'choose another region for the backup copy');
      } else if (!fleet.regions[backup.crossRegion]) {
        issue('tenant.invalid', 'backup.crossRegion', `region "${backup.crossRegion}" is not declared in fleet.ts`, `use one of: ${Object.keys(fleet.regions).sort().join(', ')}`);
      }
    }
    if (env.maxReplicas !== undefined && env.maxReplicas < replicas) {
      issue('tenant.invalid', at('maxReplicas'), `maxReplicas ${env.maxReplicas} is below replicas ${replicas}: the autoscaler could never run the replicas asked for`, `set maxReplicas to ${replicas} or more, or lower replicas`);
    }
    if (replicas > f.maxReplicas) {
      issue('tenant.above-tier-ceiling', at('replicas'), `${replicas} replicas exceed the ${tier.name} tier ceiling of ${f.maxReplicas}`, `lower it to ${f.maxReplicas} or move the environment to a larger tier`);
    }
    if (odoo.workers > f.maxWorkers) {
      issue('tenant.above-tier-ceiling', env.workers !== undefined ? at('workers') : 'odoo.workers', `${odoo.workers} workers exceed the ${tier.name} tier ceiling of ${f.maxWorkers}`, `lower it to ${f.maxWorkers} or move the environment to a larger tier`);
    }
    if (tier.dataPlane === 'dedicated' && database.instances > f.maxDatabaseInstances) {
      issue('tenant.above-tier-ceiling', 'database.instances', `${database.instances} database instances exceed the ${tier.name} tier ceiling of ${f.maxDatabaseInstances}`, `lower it to ${f.maxDatabaseInstances}`);
    }
    environments.push({
      tenant,
      name: envName,
      tier,
      pin: env.cluster,
      domains: env.domains,
      odoo,
      database,
      redis: {
        enabled: (own ? spec.redis?.enabled : undefined) ?? d.redis.enabled,
        memory: (own ? spec.redis?.memory : undefined) ?? d.redis.memory,
      },
      backup,
      maintenance: spec.maintenance ?? d.maintenance,
      ingress: {
        rateLimit: spec.ingress?.rateLimit ?? d.ingress.rateLimit,
        adminAllowList: spec.ingress?.adminAllowList ?? [],
        maxUploadMb: spec.ingress?.maxUploadMb ?? d.ingress.maxUploadMb,
      },
    });
  }
  return { environments: regionKnown ? environments : [], issues };
}
