/**
 * Backup evidence: WAL archiving and base backups through the Barman Cloud plugin (dedicated data
 * plane), the logical dump CronJob and its Jobs, the Velero Schedule of the filestore, and how far
 * back the first recoverability point reaches.
 *
 * Sources, as the operators write them (vendor/crds): CloudNativePG Cluster
 * `status.conditions[type=ContinuousArchiving]`, `status.lastSuccessfulBackup`,
 * `status.lastFailedBackup`, `status.firstRecoverabilityPoint` (the in-tree fields, which the
 * operator leaves unset for plugins); Barman Cloud ObjectStore
 * `status.serverRecoveryWindow[<server>].{lastSuccessfulBackupTime,lastFailedBackupTime,firstRecoverabilityPoint}`;
 * CronJob `status.lastSuccessfulTime` and its Jobs' `status.conditions`; Velero Schedule
 * `status.lastBackup` and `status.phase`.
 */
import type { KubeObject } from '../model/resource.ts';
import { SHARED_PG_CLUSTER, SHARED_PG_NAMESPACE, TENANT_PG_CLUSTER, VELERO_NAMESPACE } from '../model/platform.ts';
import {
  condition, formatDuration, formatMinutes, ok, resourceOf, seconds, status, str, timed, violated, withoutEvidence, type CheckContext,
} from './context.ts';
import type { EvidenceCheck } from './types.ts';

const CNPG = 'postgresql.cnpg.io/v1';
const BARMAN = 'barmancloud.cnpg.io/v1';

/** The PostgreSQL cluster holding the environment's database, and its plugin ObjectStore. */
export function postgresOf(ctx: CheckContext): { namespace: string; cluster: string; store: string } {
  return ctx.target.dataPlane === 'dedicated'
    ? { namespace: ctx.target.namespace, cluster: TENANT_PG_CLUSTER, store: 'pg-backup' }
    : { namespace: SHARED_PG_NAMESPACE, cluster: SHARED_PG_CLUSTER, store: 'pg-shared-backup' };
}

interface RecoveryWindow {
  readonly firstRecoverabilityPoint?: string;
  readonly lastSuccessfulBackupTime?: string;
  readonly lastFailedBackupTime?: string;
  /** The field path it was read from. */
  readonly field: string;
  readonly source: KubeObject;
}

/**
 * The recovery window of `server`: the plugin's ObjectStore status, else the Cluster's in-tree
 * fields (a cluster still on `spec.backup.barmanObjectStore`). The plugin keys it by server name,
 * which defaults to the Cluster's name.
 */
function recoveryWindow(store: KubeObject | undefined, cluster: KubeObject | undefined, server: string): RecoveryWindow | undefined {
  const windows = status(store).serverRecoveryWindow as Record<string, Record<string, unknown>> | undefined;
  if (store && windows && typeof windows === 'object') {
    const names = Object.keys(windows);
    const name = names.includes(server) ? server : names.length === 1 ? names[0] : undefined;
    const w = name ? windows[name] : undefined;
    if (w) {
      return {
        firstRecoverabilityPoint: str(w.firstRecoverabilityPoint), lastSuccessfulBackupTime: str(w.lastSuccessfulBackupTime), lastFailedBackupTime: str(w.lastFailedBackupTime),
        field: `status.serverRecoveryWindow.${name}`, source: store,
      };
    }
  }
  const s = status(cluster);
  if (cluster && (str(s.lastSuccessfulBackup) || str(s.firstRecoverabilityPoint) || str(s.lastFailedBackup))) {
    return { firstRecoverabilityPoint: str(s.firstRecoverabilityPoint), lastSuccessfulBackupTime: str(s.lastSuccessfulBackup), lastFailedBackupTime: str(s.lastFailedBackup), field: 'status', source: cluster };
  }
  return undefined;
}

const refOf = (o: KubeObject) => resourceOf(o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name);

/** Continuous WAL archiving: what keeps the RPO on the dedicated data plane between base backups. */
export function walArchiving(ctx: CheckContext): EvidenceCheck {
  const pg = postgresOf(ctx);
  const cluster = ctx.live.get('Cluster', pg.namespace, pg.cluster);
  const source = { resource: resourceOf(CNPG, 'Cluster', pg.namespace, pg.cluster), field: 'status.conditions[type=ContinuousArchiving]' };
  const promise = `WAL archived continuously, every ≤ ${formatMinutes(Math.min(ctx.target.promises.rpoMinutes, 5))} (RPO ${formatMinutes(ctx.target.promises.rpoMinutes)})`;
  const c = condition(cluster, 'ContinuousArchiving');
  if (!c) return withoutEvidence(ctx, 'wal-archiving', cluster, ctx.target.thresholds.firstStatusGraceMinutes, { promise, observed: 'no ContinuousArchiving condition yet', source, fix: 'check the CloudNativePG operator and the Barman Cloud plugin sidecar of the Cluster' });
  const since = c.lastTransitionTime ? timed(c.lastTransitionTime, ctx.now) : {};
  const observed = `ContinuousArchiving=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.lastTransitionTime ? ` since ${c.lastTransitionTime}` : ''}`;
  if (c.status === 'True') return ok('wal-archiving', { promise, observed, source, ...since });
  return violated('wal-archiving', {
    promise, observed, source, ...since,
    message: `WAL archiving is failing${c.lastTransitionTime ? ` since ${c.lastTransitionTime} (${formatDuration(seconds(c.lastTransitionTime, ctx.now))})` : ''}${c.message ? `: ${c.message}` : ''}; the RPO of ${formatMinutes(ctx.target.promises.rpoMinutes)} is not kept`,
    fix: 'check the object storage credentials and bucket of the ObjectStore and the plugin sidecar logs (`kubectl logs -c plugin-barman-cloud`)',
  });
}

/** Base backups into one ObjectStore: the newest success is younger than its interval plus grace, and not followed by a failure. */
export function baseBackup(ctx: CheckContext, storeName: string): EvidenceCheck {
  const pg = postgresOf(ctx);
  const t = ctx.target.thresholds;
  const store = ctx.live.get('ObjectStore', pg.namespace, storeName);
  const cluster = ctx.live.get('Cluster', pg.namespace, pg.cluster);
  const limitMinutes = t.baseBackupEveryHours * 60 + t.backupGraceMinutes;
  const promise = `newest base backup${storeName.endsWith('-dr') ? ' (cross-region copy)' : ''} younger than ${formatMinutes(limitMinutes)} (daily + ${formatMinutes(t.backupGraceMinutes)} grace), not failed since`;
  const w = recoveryWindow(store, storeName === pg.store ? cluster : undefined, pg.cluster);
  const fallback = { resource: resourceOf(BARMAN, 'ObjectStore', pg.namespace, storeName), field: `status.serverRecoveryWindow.${pg.cluster}.lastSuccessfulBackupTime` };
  if (!w || (!w.lastSuccessfulBackupTime && !w.lastFailedBackupTime)) {
    return withoutEvidence(ctx, 'base-backup', store, limitMinutes, { promise, observed: 'no backup yet', source: fallback, fix: 'check the ScheduledBackup, the CloudNativePG operator and the Barman Cloud plugin' });
  }
  const successField = `${w.field}.${w.source.kind === 'Cluster' ? 'lastSuccessfulBackup' : 'lastSuccessfulBackupTime'}`;
  const failedField = `${w.field}.${w.source.kind === 'Cluster' ? 'lastFailedBackup' : 'lastFailedBackupTime'}`;
  const last = w.lastSuccessfulBackupTime;
  const failed = w.lastFailedBackupTime;
  if (failed && (!last || Date.parse(failed) > Date.parse(last))) {
    return violated('base-backup', {
      promise, observed: `failed at ${failed}${last ? `; last success ${last}` : '; never succeeded'}`, source: { resource: refOf(w.source), field: failedField }, ...timed(failed, ctx.now),
      message: `the newest base backup failed (${failed}, ${formatDuration(seconds(failed, ctx.now))} ago)${last ? `; the last good one is ${formatDuration(seconds(last, ctx.now))} old` : ' and none ever succeeded'}`,
      fix: 'read the failed Backup object (`kubectl get backups.postgresql.cnpg.io -n <namespace>`) and the plugin sidecar logs',
    });
  }
  const source = { resource: refOf(w.source), field: successField };
  const age = seconds(last!, ctx.now);
  if (age > limitMinutes * 60) {
    return violated('base-backup', {
      promise, observed: last!, source, ...timed(last!, ctx.now),
      message: `the newest base backup is ${formatDuration(age)} old, more than ${formatMinutes(limitMinutes)}`,
      fix: 'check that the ScheduledBackup is not suspended and that the CloudNativePG operator runs it',
    });
  }
  return ok('base-backup', { promise, observed: last!, source, ...timed(last!, ctx.now) });
}

/** The first recoverability point reaches back as far as the retention (or as far as the database exists). */
export function retention(ctx: CheckContext): EvidenceCheck {
  const pg = postgresOf(ctx);
  const t = ctx.target.thresholds;
  const days = ctx.target.promises.retentionDays;
  const store = ctx.live.get('ObjectStore', pg.namespace, pg.store);
  const cluster = ctx.live.get('Cluster', pg.namespace, pg.cluster);
  const promise = `recoverable back ${days} d (retention), ${t.retentionToleranceDays} d tolerance`;
  const w = recoveryWindow(store, cluster, pg.cluster);
  const first = w?.firstRecoverabilityPoint;
  if (!w || !first) {
    return withoutEvidence(ctx, 'retention', store, t.baseBackupEveryHours * 60 + t.backupGraceMinutes, {
      promise, observed: 'no recoverability point yet', source: { resource: resourceOf(BARMAN, 'ObjectStore', pg.namespace, pg.store), field: `status.serverRecoveryWindow.${pg.cluster}.firstRecoverabilityPoint` },
      fix: 'check the base backups of the Cluster',
    });
  }
  const source = { resource: refOf(w.source), field: `${w.field}.firstRecoverabilityPoint` };
  // A database younger than the retention cannot reach back further than its creation.
  const created = str(cluster?.metadata.creationTimestamp);
  const lifeDays = created ? seconds(created, ctx.now) / 86400 : Infinity;
  const wantDays = Math.min(days, lifeDays) - t.retentionToleranceDays;
  const reachDays = seconds(first, ctx.now) / 86400;
  const observed = first;
  if (reachDays < wantDays) {
    return violated('retention', {
      promise, observed, source, ...timed(first, ctx.now),
      message: `the oldest recoverable point is ${formatDuration(seconds(first, ctx.now))} back, short of the ${days}-day retention`,
      fix: 'check the ObjectStore retentionPolicy and that no backups were deleted by hand or by a lifecycle rule on the bucket',
    });
  }
  return ok('retention', { promise, observed, source, ...timed(first, ctx.now) });
}

/** The logical dump: CronJob `status.lastSuccessfulTime`, and its newest Job must not have failed since. */
export function logicalDump(ctx: CheckContext): EvidenceCheck {
  const ns = ctx.target.namespace;
  const t = ctx.target.thresholds;
  const cronJob = ctx.live.get('CronJob', ns, 'pg-dump');
  const every = ctx.target.dumpEveryMinutes;
  const limitMinutes = every + t.backupGraceMinutes;
  const rpo = ctx.target.dataPlane === 'shared' ? ` (RPO ${formatMinutes(ctx.target.promises.rpoMinutes)})` : ' (daily portable copy)';
  const promise = `newest dump younger than ${formatMinutes(limitMinutes)}${rpo}, grace ${formatMinutes(t.backupGraceMinutes)}`;
  const source = { resource: resourceOf('batch/v1', 'CronJob', ns, 'pg-dump'), field: 'status.lastSuccessfulTime' };
  const last = str(status(cronJob).lastSuccessfulTime);
  // The newest finished Job: one still running says nothing yet.
  const newest = ctx.live.jobsOf(ns, 'pg-dump').find((j) => condition(j, 'Complete')?.status === 'True' || condition(j, 'Failed')?.status === 'True');
  const newestFailed = newest && condition(newest, 'Failed')?.status === 'True' ? newest : undefined;
  const failedAt = newestFailed ? (condition(newestFailed, 'Failed')?.lastTransitionTime ?? str(status(newestFailed).startTime)) : undefined;
  if (newestFailed && (!last || !failedAt || Date.parse(failedAt) > Date.parse(last))) {
    const reason = condition(newestFailed, 'Failed')?.reason;
    return violated('logical-dump', {
      promise, observed: `Job ${newestFailed.metadata.name} failed${reason ? ` (${reason})` : ''}${last ? `; last success ${last}` : '; never succeeded'}`,
      source: { resource: resourceOf('batch/v1', 'Job', ns, newestFailed.metadata.name), field: 'status.conditions[type=Failed]' }, ...(failedAt ? timed(failedAt, ctx.now) : {}),
      message: `the newest dump Job ${newestFailed.metadata.name} failed${reason ? ` (${reason})` : ''}${last ? `; the last good dump is ${formatDuration(seconds(last, ctx.now))} old` : ''}`,
      fix: `read its log: kubectl logs -n ${ns} job/${newestFailed.metadata.name}`,
    });
  }
  if (!last) return withoutEvidence(ctx, 'logical-dump', cronJob, limitMinutes, { promise, observed: 'no successful dump yet', source, fix: `check the CronJob's Jobs: kubectl get jobs -n ${ns}` });
  const age = seconds(last, ctx.now);
  if (age > limitMinutes * 60) {
    return violated('logical-dump', {
      promise, observed: last, source, ...timed(last, ctx.now),
      message: `the newest successful dump is ${formatDuration(age)} old, more than ${formatMinutes(limitMinutes)}`,
      fix: `check that the CronJob is not suspended and that its Jobs run: kubectl get jobs -n ${ns}`,
    });
  }
  return ok('logical-dump', { promise, observed: last, source, ...timed(last, ctx.now) });
}

/** The Velero Schedule of the filestore: `status.lastBackup` within its interval plus grace, phase not FailedValidation. */
export function filestoreBackup(ctx: CheckContext): EvidenceCheck {
  const name = `${ctx.target.tenant}-${ctx.target.environment}-filestore`;
  const t = ctx.target.thresholds;
  const schedule = ctx.live.get('Schedule', VELERO_NAMESPACE, name);
  const limitMinutes = ctx.target.filestoreEveryMinutes + t.backupGraceMinutes;
  const promise = `newest filestore backup younger than ${formatMinutes(limitMinutes)} (every ${formatMinutes(ctx.target.filestoreEveryMinutes)} + ${formatMinutes(t.backupGraceMinutes)} grace)`;
  const source = { resource: resourceOf('velero.io/v1', 'Schedule', VELERO_NAMESPACE, name), field: 'status.lastBackup' };
  const s = status(schedule);
  if (s.phase === 'FailedValidation') {
    const errors = Array.isArray(s.validationErrors) ? (s.validationErrors as string[]).join('; ') : '';
    return violated('filestore-backup', {
      promise, observed: `phase FailedValidation${errors ? `: ${errors}` : ''}`, source: { ...source, field: 'status.phase' },
      message: `Velero refuses the Schedule${errors ? `: ${errors}` : ''}, so no filestore backup is taken`, fix: 'fix the Schedule (storage location, selector) in the tier template and re-sync',
    });
  }
  const last = str(s.lastBackup);
  if (!last) return withoutEvidence(ctx, 'filestore-backup', schedule, limitMinutes, { promise, observed: 'no backup yet', source, fix: 'check the Velero server and its BackupStorageLocation' });
  const age = seconds(last, ctx.now);
  if (age > limitMinutes * 60) {
    return violated('filestore-backup', {
      promise, observed: last, source, ...timed(last, ctx.now),
      message: `the newest filestore backup was taken ${formatDuration(age)} ago, more than ${formatMinutes(limitMinutes)}`,
      fix: 'check that the Schedule is not paused and that the Velero server runs (`velero schedule describe`)',
    });
  }
  return ok('filestore-backup', { promise, observed: last, source, ...timed(last, ctx.now) });
}

