/**
 * Backups beyond PostgreSQL's own: a logical dump of the tenant database to object storage
 * (the per-tenant backup on the shared tier, a portable second copy elsewhere), a Velero
 * schedule for the filestore, and a weekly restore test that proves the newest dump restores.
 * The dump and the filestore run at every RPO interval, window or not, except the daily dump of
 * dedicated data, which follows the maintenance window like the restore test (see names.ts).
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import * as velero from '../../vendor/imports/velero-velero.io.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { cronDailyAfterWindowJob, cronEvery, cronWeeklyAfterWindow, databaseName, ODOO_GID, ODOO_UID, storagePrefix, VELERO_NAMESPACE } from './names.ts';
import { restrictedContainer, restrictedPod } from './security-context.ts';

const q = (s: string) => k8s.Quantity.fromString(s);

export interface BackupProps {
  readonly databaseHost: string;
  /** Interval of the logical dump in minutes. */
  readonly dumpEveryMinutes: number;
  /** The dump is a daily portable copy (dedicated data), free to follow the maintenance window. */
  readonly dailyDumpAfterWindow?: boolean;
}

function jobPod(env: TenantEnvironment, component: string, script: string, extraEnv: k8s.EnvVar[], memory: string, deadlineSeconds: number): k8s.JobTemplateSpec {
  const storage = env.region.objectStorage;
  const bucket = env.backup.immutable ? storage.lockedBucket : storage.bucket;
  return {
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: deadlineSeconds,
      ttlSecondsAfterFinished: 7 * 24 * 3600,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'odoo', 'app.kubernetes.io/component': component } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPod(ODOO_UID, ODOO_GID),
          containers: [
            {
              name: component,
              image: env.fleet.images.tools,
              command: ['/bin/sh', '-ec', script],
              env: [
                { name: 'PGDATABASE', value: databaseName(env) },
                { name: 'S3_ENDPOINT', value: storage.endpoint },
                { name: 'S3_PREFIX', value: `s3://${bucket}/dumps/${storagePrefix(env)}` },
                { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'object-storage', key: 'ACCESS_KEY_ID' } } },
                { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'object-storage', key: 'ACCESS_SECRET_KEY' } } },
                ...extraEnv,
              ],
              resources: { requests: { cpu: q('250m'), memory: q(memory) }, limits: { cpu: q('1'), memory: q(memory) } },
              securityContext: restrictedContainer(ODOO_UID), // the group is the pod's
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            },
          ],
          volumes: [{ name: 'work', emptyDir: { sizeLimit: q('20Gi') } }],
        },
      },
    },
  };
}

export class TenantBackups extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: BackupProps) {
    super(scope, 'backups');
    const namespace = env.namespace;
    const db = [
      { name: 'PGHOST', value: props.databaseHost },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'odoo-db', key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'odoo-db', key: 'password' } } },
    ];
    new k8s.KubeCronJob(this, 'dump', {
      metadata: { name: 'pg-dump', namespace, labels: { 'app.kubernetes.io/component': 'pg-dump' } },
      spec: {
        // At the RPO interval; a daily dump (dedicated data, whose RPO WAL archiving keeps) runs
        // 45 min after the maintenance window closes, in its time zone, never during maintenance.
        ...(props.dailyDumpAfterWindow ? cronDailyAfterWindowJob(env.maintenance, 45) : { schedule: cronEvery(props.dumpEveryMinutes, 7) }),
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: jobPod(
          env,
          'pg-dump',
          [
            'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
            'pg_dump --format=custom --no-owner --file=/work/db.dump',
            'aws --endpoint-url "$S3_ENDPOINT" s3 cp /work/db.dump "$S3_PREFIX/$stamp.dump"',
            'aws --endpoint-url "$S3_ENDPOINT" s3 cp /work/db.dump "$S3_PREFIX/latest.dump"',
          ].join('\n'),
          db,
          '1Gi',
          3600,
        ),
      },
    });

    new k8s.KubeCronJob(this, 'restore-test', {
      metadata: { name: 'restore-test', namespace, labels: { 'app.kubernetes.io/component': 'restore-test' } },
      spec: {
        // Weekly, when the maintenance window closes, in the window's time zone.
        ...cronWeeklyAfterWindow(env.maintenance),
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: jobPod(
          env,
          'restore-test',
          [
            // Restore into a scratch PostgreSQL inside the job: nothing shared is touched, and the
            // job's deadline is the tenant's RTO, so a slow restore fails the test too.
            'aws --endpoint-url "$S3_ENDPOINT" s3 cp "$S3_PREFIX/latest.dump" /work/db.dump',
            'initdb --pgdata=/work/pg --username=restore >/dev/null',
            'pg_ctl --pgdata=/work/pg --options="-k /work -c listen_addresses=" --wait start',
            'createdb --host=/work --username=restore scratch',
            'pg_restore --host=/work --username=restore --dbname=scratch --no-owner --exit-on-error /work/db.dump',
            'users=$(psql --host=/work --username=restore --dbname=scratch -Atc "select count(*) from res_users")',
            'modules=$(psql --host=/work --username=restore --dbname=scratch -Atc "select count(*) from ir_module_module where state = \'installed\'")',
            'test "$users" -gt 0 || { echo "RESTORE TEST FAILED: no users in restored database $PGDATABASE" >&2; exit 1; }',
            'test "$modules" -gt 0 || { echo "RESTORE TEST FAILED: no installed modules in restored database $PGDATABASE" >&2; exit 1; }',
            'echo "restore test passed: $users users, $modules modules"',
          ].join('\n'),
          [],
          '2Gi',
          env.backup.rtoMinutes * 60,
        ),
      },
    });

    new velero.Schedule(this, 'filestore', {
      metadata: {
        name: `${env.tenant.name}-${env.name}-filestore`,
        namespace: VELERO_NAMESPACE,
        annotations: { 'tenantctl.io/region': env.cluster.region, 'tenantctl.io/immutable': String(env.backup.immutable) },
      },
      spec: {
        schedule: cronEvery(Math.max(env.backup.rpoMinutes, 60), 17),
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: [namespace],
          labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'odoo', 'app.kubernetes.io/component': 'web' } },
          defaultVolumesToFsBackup: true,
          snapshotVolumes: false,
          storageLocation: env.backup.immutable ? `${env.cluster.region}-locked` : env.cluster.region,
          ttl: `${env.backup.retentionDays * 24}h0m0s`,
        },
      },
    });
  }
}
