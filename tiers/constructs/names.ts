/**
 * Names and label sets shared by the tier templates, so every template names an object the
 * same way and selectors always match the labels they select.
 */
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { afterWindow, cronEvery, type WeeklyWindow } from '../../lib/time/schedule.ts';
import {
  BARMAN_PLUGIN, CNPG_OPERATOR_NAMESPACE, SHARED_PG_CLUSTER, SHARED_PG_NAMESPACE, SHARED_REDIS_NAMESPACE, TENANT_PG_CLUSTER, VELERO_NAMESPACE,
} from '../../lib/model/platform.ts';

export {
  BARMAN_PLUGIN, CNPG_OPERATOR_NAMESPACE, cronEvery, SHARED_PG_CLUSTER, SHARED_PG_NAMESPACE, SHARED_REDIS_NAMESPACE, TENANT_PG_CLUSTER, VELERO_NAMESPACE,
};

export const ODOO_UID = 100;
export const ODOO_GID = 101;
/** Where the auditor's ServiceAccount lives (the cluster base creates it). */
export const AUDITOR_NAMESPACE = 'tenantctl-system';
/** ClusterRole that grants reading Secrets; bound only inside tenant namespaces. */
export const AUDITOR_SECRETS_ROLE = 'tenantctl-auditor-secrets';
/** Who audits: the in-cluster ServiceAccount and a group for people and CI identities. */
export const AUDITOR_SUBJECTS = [
  { kind: 'ServiceAccount', name: 'tenantctl-auditor', namespace: AUDITOR_NAMESPACE },
  { kind: 'Group', name: 'tenantctl:auditors', apiGroup: 'rbac.authorization.k8s.io' },
] as const;

/** Pod labels of the Odoo workloads; `component` is web or cron. */
export function odooLabels(env: TenantEnvironment, component: 'web' | 'cron'): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'odoo',
    'app.kubernetes.io/instance': `${env.tenant.name}-${env.name}`,
    'app.kubernetes.io/component': component,
  };
}

/** PostgreSQL identifiers cannot contain "-": `t_acme_production`. */
export function databaseName(env: Pick<TenantEnvironment, 'tenant' | 'name'>): string {
  return `t_${env.tenant.name}_${env.name}`.replace(/-/g, '_');
}

/** Remote key prefix of the tenant environment's secrets in the secret store. */
export function secretKey(env: TenantEnvironment, what: string): string {
  return `tenants/${env.tenant.name}/${env.name}/${what}`;
}

/** Object-storage prefix of the tenant environment inside a bucket. */
export function storagePrefix(env: TenantEnvironment): string {
  return `${env.cluster.name}/${env.tenant.name}-${env.name}`;
}


/**
 * Weekly, `offsetMinutes` after the maintenance window closes, as a CronJob schedule whose
 * `spec.timeZone` must be the window's: a window opening 23:00 Sunday for two hours gives
 * `0 1 * * 1` (Monday). For jobs that follow the window (the restore test checks what the
 * window's changes left behind).
 */
export function cronWeeklyAfterWindow(window: WeeklyWindow, offsetMinutes = 0): { readonly schedule: string; readonly timeZone: string } {
  const at = afterWindow(window, offsetMinutes);
  return { schedule: `${at.minute} ${at.hour} * * ${at.weekday}`, timeZone: window.timeZone };
}

/**
 * Daily, `offsetMinutes` after the maintenance window's closing time, as a CronJob schedule whose
 * `spec.timeZone` must be the window's, for daily jobs that must not run during maintenance.
 */
export function cronDailyAfterWindowJob(window: WeeklyWindow, offsetMinutes = 0): { readonly schedule: string; readonly timeZone: string } {
  const at = afterWindow(window, offsetMinutes);
  return { schedule: `${at.minute} ${at.hour} * * *`, timeZone: window.timeZone };
}

/**
 * Daily, `offsetMinutes` after the maintenance window's closing time, as a robfig/cron schedule
 * with seconds (CNPG ScheduledBackup) in the window's time zone: the CRDs have no time zone
 * field, and robfig/cron reads a `CRON_TZ=` prefix. The closing time of a window shorter than a
 * day is outside it on every day, so base backups never compete with maintenance.
 */
export function cronDailyAfterWindow(window: WeeklyWindow, offsetMinutes = 0): string {
  const at = afterWindow(window, offsetMinutes);
  return `CRON_TZ=${window.timeZone} 0 ${at.minute} ${at.hour} * * *`;
}
