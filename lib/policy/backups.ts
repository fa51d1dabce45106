/**
 * Backup policies: every database is backed up, often enough for the tenant's RPO, kept long
 * enough, copied across regions immutably where the tier requires it, and restores are tested.
 */
import { namespaceFor, type TenantEnvironment } from '../model/environment.ts';
import { LABELS, type KubeObject } from '../model/resource.ts';
import { annotationsOf, asArray, environmentObjects, environmentsOnCluster, get, isObject, isObjectStore, isVelero, labelsOf, namespaceRef, ofKind, selectKinds, tenancyOf } from './objects.ts';
import { cronLongestGapMinutes, goDurationMinutes, postgresDurationMinutes, retentionDays } from '../time/schedule.ts';
import type { Policy, PolicyContext, Violation } from './types.ts';

export const ANNOTATIONS = {
  immutable: 'tenantctl.io/immutable',
  region: 'tenantctl.io/region',
} as const;
const COMPONENT = 'app.kubernetes.io/component';
const DUMP_COMPONENTS = new Set(['backup', 'dump', 'pg-dump', 'database-dump']);
/** CloudNativePG sets archive_timeout to 5min unless the cluster overrides it. */
const CNPG_DEFAULT_ARCHIVE_TIMEOUT_MINUTES = 5;

/** tenantctl annotation (or label) of a backup object. */
export function backupMark(obj: KubeObject, key: string): string | undefined {
  return annotationsOf(obj)[key] ?? labelsOf(obj)[key];
}

/** Namespace of the tenant environment a Database belongs to (Databases of the shared cluster live in its namespace). */
function tenantNamespaceOf(ctx: PolicyContext, db: KubeObject): string | undefined {
  const { env, tenant, environment } = tenancyOf(ctx, db);
  if (env) return env.namespace;
  if (tenant && environment) return namespaceFor(tenant, environment);
  return db.metadata.namespace;
}

export function isDumpCronJob(cj: KubeObject): boolean {
  const component = labelsOf(cj)[COMPONENT];
  if (component === 'restore-test') return false;
  return (component !== undefined && DUMP_COMPONENTS.has(component)) || /(dump|backup)/.test(cj.metadata.name);
}

/** Dump CronJobs by namespace, per object list (indexed once: every shared database asks for its own). */
const dumpIndexes = new WeakMap<readonly KubeObject[], Map<unknown, KubeObject[]>>();

function dumpCronJobs(ctx: PolicyContext, namespace: string): KubeObject[] {
  let index = dumpIndexes.get(ctx.objects);
  if (!index) {
    index = new Map();
    for (const cj of ofKind(ctx.objects, 'CronJob', 'batch')) {
      if (!isDumpCronJob(cj)) continue;
      const list = index.get(cj.metadata.namespace);
      if (list) list.push(cj);
      else index.set(cj.metadata.namespace, [cj]);
    }
    dumpIndexes.set(ctx.objects, index);
  }
  return [...(index.get(namespace) ?? [])];
}

/** cronLongestGapMinutes is pure and walks years of minutes; thousands of dumps share a few schedules. */
const gaps = new Map<string, number | undefined>();
function longestGapMinutes(schedule: string): number | undefined {
  if (!gaps.has(schedule)) gaps.set(schedule, cronLongestGapMinutes(schedule));
  return gaps.get(schedule);
}

export const scheduledBackup: Policy = {
  id: 'backups/scheduled',
  severity: 'error',
  description: 'Every database has a scheduled backup: a CNPG Cluster has a ScheduledBackup, a shared-tier CNPG Database a dump CronJob in the tenant namespace.',
  fix: 'add a ScheduledBackup for the cluster, or a dump CronJob in the tenant namespace for a shared database',
  check(ctx) {
    const out: Violation[] = [];
    // Clusters backed up, by namespace: a cluster of 1,000 tenants holds hundreds of each.
    const scheduled = new Map<unknown, Set<unknown>>();
    for (const s of ofKind(ctx.objects, 'ScheduledBackup', 'postgresql.cnpg.io')) {
      const names = scheduled.get(s.metadata.namespace);
      if (names) names.add(get(s, 'spec', 'cluster', 'name'));
      else scheduled.set(s.metadata.namespace, new Set([get(s, 'spec', 'cluster', 'name')]));
    }
    for (const cluster of ofKind(ctx.objects, 'Cluster', 'postgresql.cnpg.io')) {
      if (!scheduled.get(cluster.metadata.namespace)?.has(cluster.metadata.name)) out.push({ object: cluster, message: `PostgreSQL cluster "${cluster.metadata.name}" has no ScheduledBackup` });
    }
    for (const db of ofKind(ctx.objects, 'Database', 'postgresql.cnpg.io')) {
      const namespace = tenantNamespaceOf(ctx, db);
      if (namespace && dumpCronJobs(ctx, namespace).length === 0) out.push({ object: db, message: `database "${String(get(db, 'spec', 'name') ?? db.metadata.name)}" has no dump CronJob in namespace ${namespace}` });
    }
    return out;
  },
};

function hasWalArchiver(cluster: KubeObject): boolean {
  return asArray(get(cluster, 'spec', 'plugins')).some((p) => isObject(p) && p.isWALArchiver === true && p.enabled !== false) || isObject(get(cluster, 'spec', 'backup', 'barmanObjectStore'));
}

export const recoveryPoint: Policy = {
  id: 'backups/rpo',
  severity: 'error',
  description: "Backups meet the tenant's RPO: a CNPG Cluster archives WAL through a barman plugin (isWALArchiver) with archive_timeout ≤ RPO; a shared-tier dump CronJob runs at least every RPO.",
  fix: 'enable the barman-cloud plugin with isWALArchiver: true and set postgresql.parameters.archive_timeout to at most the RPO; or schedule the dump CronJob more often',
  check(ctx) {
    const out: Violation[] = [];
    for (const cluster of ofKind(ctx.objects, 'Cluster', 'postgresql.cnpg.io')) {
      if (!hasWalArchiver(cluster)) {
        out.push({ object: cluster, path: 'spec.plugins', message: `PostgreSQL cluster "${cluster.metadata.name}" archives no WAL: point-in-time recovery is impossible` });
        continue;
      }
      const rpo = tenancyOf(ctx, cluster).env?.backup.rpoMinutes;
      if (rpo === undefined) continue;
      const raw = get(cluster, 'spec', 'postgresql', 'parameters', 'archive_timeout');
      const timeout = raw === undefined ? CNPG_DEFAULT_ARCHIVE_TIMEOUT_MINUTES : postgresDurationMinutes(raw);
      if (timeout === undefined || timeout > rpo) {
        out.push({ object: cluster, path: 'spec.postgresql.parameters.archive_timeout', message: `archive_timeout ${String(raw)} ${timeout === Infinity ? 'disables time-based WAL switches' : `exceeds the RPO of ${rpo} minutes`}` });
      }
    }
    for (const db of ofKind(ctx.objects, 'Database', 'postgresql.cnpg.io')) {
      const rpo = tenancyOf(ctx, db).env?.backup.rpoMinutes;
      const namespace = tenantNamespaceOf(ctx, db);
      if (rpo === undefined || !namespace) continue;
      for (const cj of dumpCronJobs(ctx, namespace)) {
        const schedule = String(get(cj, 'spec', 'schedule') ?? '');
        const interval = longestGapMinutes(schedule);
        if (interval === undefined) out.push({ object: cj, path: 'spec.schedule', message: `schedule "${schedule}" is not a cron expression` });
        else if (interval > rpo) out.push({ object: cj, path: 'spec.schedule', message: `dump schedule "${schedule}" leaves up to ${Number.isFinite(interval) ? `${interval} minutes` : 'forever (it never runs)'} between backups, more than the RPO of ${rpo} minutes` });
      }
    }
    return out;
  },
};

/** Retention a tenant environment must keep, in days: its own setting and its tier's floor, whichever is larger. */
function requiredRetention(ctx: PolicyContext, obj: KubeObject): number | undefined {
  const { env, tier } = tenancyOf(ctx, obj);
  const floor = tier ? ctx.tiers?.[tier]?.floors.minRetentionDays : undefined;
  const own = env?.backup.retentionDays;
  if (floor === undefined && own === undefined) return undefined;
  return Math.max(floor ?? 0, own ?? 0);
}

export const retention: Policy = {
  id: 'backups/retention',
  severity: 'error',
  description: "Backups are kept at least as long as the tenant's retention and the tier minimum (ObjectStore retentionPolicy, Velero Schedule ttl).",
  fix: 'raise the retention (ObjectStore spec.retentionPolicy such as "30d", Velero spec.template.ttl such as "720h") to the required days',
  check(ctx) {
    const out: Violation[] = [];
    for (const obj of selectKinds(ctx.objects, ['ObjectStore', 'Schedule'], (o) => isObjectStore(o) || isVelero(o, 'Schedule'))) {
      let days: number | undefined;
      let path: string;
      let text: string;
      if (isObjectStore(obj)) {
        text = String(get(obj, 'spec', 'retentionPolicy') ?? '');
        path = 'spec.retentionPolicy';
        if (!text) continue; // no policy: nothing is ever deleted
        days = retentionDays(text);
      } else if (isVelero(obj, 'Schedule')) {
        text = String(get(obj, 'spec', 'template', 'ttl') ?? '');
        path = 'spec.template.ttl';
        days = text ? (goDurationMinutes(text) ?? NaN) / 1440 : 30; // Velero's default TTL is 30 days
      } else continue;
      const required = requiredRetention(ctx, obj);
      if (required === undefined) continue;
      if (days === undefined || Number.isNaN(days)) out.push({ object: obj, path, message: `retention "${text}" cannot be read` });
      else if (days < required) out.push({ object: obj, path, message: `keeps backups ${Math.round(days * 10) / 10} days, less than the required ${required} days` });
    }
    return out;
  },
};

/** Object storage bucket of a backup object (`s3://bucket/prefix`), when it has one. */
export function bucketOf(obj: KubeObject): string | undefined {
  const path = get(obj, 'spec', 'configuration', 'destinationPath') ?? get(obj, 'spec', 'objectStorage', 'bucket');
  if (typeof path !== 'string') return undefined;
  const m = /^[a-z0-9]+:\/\/([^/]+)/.exec(path);
  return m ? m[1] : path;
}

export const isBackupTarget = (o: KubeObject) => isObjectStore(o) || isVelero(o, 'Schedule') || isVelero(o, 'BackupStorageLocation');

/** `objects.filter(isBackupTarget)`, from the kind index. */
export const backupTargets = (objects: readonly KubeObject[]) => selectKinds(objects, ['ObjectStore', 'Schedule', 'BackupStorageLocation'], isBackupTarget);

function requirements(ctx: PolicyContext, env: TenantEnvironment | undefined, tier: string | undefined): { crossRegion: boolean; immutable: boolean; target?: string } {
  const floors = tier ? ctx.tiers?.[tier]?.floors : undefined;
  const regulated = !env && !floors && tier === 'regulated';
  return {
    crossRegion: Boolean(env?.backup.crossRegion) || floors?.requiresCrossRegion === true || regulated,
    immutable: env?.backup.immutable === true || floors?.requiresImmutableBackups === true || regulated,
    target: env?.backup.crossRegion,
  };
}

export const crossRegionImmutable: Policy = {
  id: 'backups/cross-region-immutable',
  severity: 'error',
  description: 'Tenants that require it (regulated tier, or backup.crossRegion / backup.immutable) back up to another region, immutably: a backup target annotated tenantctl.io/region (another region) and tenantctl.io/immutable: "true", in a locked bucket.',
  fix: 'add an ObjectStore (or Velero Schedule) writing to the locked bucket of the cross-region target, annotated tenantctl.io/region and tenantctl.io/immutable: "true"',
  check(ctx) {
    const out: Violation[] = [];
    for (const e of environmentsOnCluster(ctx)) {
      const tier = e.env?.tier ?? (e.object ? labelsOf(e.object)[LABELS.tier] : undefined);
      const need = requirements(ctx, e.env, tier);
      if (!need.crossRegion && !need.immutable) continue;
      const home = e.env?.tenant.region ?? ctx.cluster.region;
      const targets = environmentObjects(ctx, 'backup-targets', () => backupTargets(ctx.objects), e.tenant, e.environment, e.namespace);
      const ok = targets.some((t) => {
        const region = backupMark(t, ANNOTATIONS.region);
        const regionOk = !need.crossRegion || (region !== undefined && region !== home && (need.target === undefined || region === need.target));
        return regionOk && (!need.immutable || backupMark(t, ANNOTATIONS.immutable) === 'true');
      });
      if (!ok) {
        const what = [need.crossRegion ? `in ${need.target ?? 'another region'}` : '', need.immutable ? 'immutable' : ''].filter(Boolean).join(', ');
        out.push({ object: e.object, resource: e.object ? undefined : namespaceRef(e.namespace), tenant: e.tenant, environment: e.environment, message: `${e.tenant} (${e.environment}) has no backup target ${what}` });
      }
    }
    // An immutable mark is a promise about the bucket: it must be the region's object-locked bucket.
    if (ctx.fleet) {
      for (const t of backupTargets(ctx.objects)) {
        const region = backupMark(t, ANNOTATIONS.region);
        const bucket = bucketOf(t);
        const locked = region ? ctx.fleet.regions[region]?.objectStorage.lockedBucket : undefined;
        if (backupMark(t, ANNOTATIONS.immutable) === 'true' && locked && bucket && bucket !== locked) {
          out.push({ object: t, path: 'spec', message: `marked immutable but writes to bucket ${bucket}, not the locked bucket ${locked} of ${region}` });
        }
      }
    }
    return out;
  },
};

const isRestoreTest = (o: KubeObject) => o.kind === 'CronJob' && labelsOf(o)[COMPONENT] === 'restore-test';

export const restoreTest: Policy = {
  id: 'backups/restore-test',
  severity: 'error',
  description: 'Each tenant environment has a restore-test CronJob (label app.kubernetes.io/component: restore-test).',
  fix: 'add the restore-test CronJob of the tier template to the environment',
  check(ctx) {
    const out: Violation[] = [];
    for (const e of environmentsOnCluster(ctx)) {
      const has = environmentObjects(ctx, 'restore-tests', () => ofKind(ctx.objects, 'CronJob').filter(isRestoreTest), e.tenant, e.environment, e.namespace).length > 0;
      if (!has) out.push({ object: e.object, resource: e.object ? undefined : namespaceRef(e.namespace), tenant: e.tenant, environment: e.environment, message: `${e.tenant} (${e.environment}) has no restore-test CronJob` });
    }
    return out;
  },
};

export const backupPolicies: readonly Policy[] = [scheduledBackup, recoveryPoint, retention, crossRegionImmutable, restoreTest];
