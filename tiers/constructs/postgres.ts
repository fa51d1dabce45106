/**
 * PostgreSQL for a tenant environment.
 *
 * Dedicated data plane: its own CloudNativePG Cluster, WAL archived continuously through the
 * Barman Cloud plugin (archive_timeout bounds the RPO), a daily base backup, and for regulated
 * tenants a second, object-locked store in another region.
 * Shared data plane: a Database on the cluster's shared PostgreSQL, owned by a tenant role whose
 * password comes from the secret store.
 */
import { Construct } from 'constructs';
import * as barman from '../../vendor/imports/barman-barmancloud.cnpg.io.ts';
import * as cnpg from '../../vendor/imports/cnpg-postgresql.cnpg.io.ts';
import type { Region } from '../../lib/fleet/schema.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { postgresResources } from '../../lib/tenant/sizing.ts';
import { externalSecret } from './secrets.ts';
import { BARMAN_PLUGIN, cronDailyAfterWindow, databaseName, secretKey, SHARED_PG_CLUSTER, SHARED_PG_NAMESPACE, storagePrefix, TENANT_PG_CLUSTER } from './names.ts';
import { nodePoolPlacement } from './node-pool.ts';

export interface PluginBackupProps {
  readonly name: string;
  readonly namespace: string;
  /** The CloudNativePG Cluster to back up. */
  readonly cluster: string;
  /** Six fields, seconds first (CloudNativePG's cron format). */
  readonly schedule: string;
  /** ObjectStore to write to, when not the Cluster's own WAL archive store. */
  readonly objectStore?: string;
  /** Take a backup right after creation (the first one of a new cluster). */
  readonly immediate?: boolean;
}

/**
 * A ScheduledBackup through the Barman Cloud plugin, owned by itself (so deleting the Cluster
 * keeps the backups): the one shape every tier's base backups take.
 */
export function pluginScheduledBackup(scope: Construct, id: string, props: PluginBackupProps): cnpg.ScheduledBackup {
  return new cnpg.ScheduledBackup(scope, id, {
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      cluster: { name: props.cluster },
      schedule: props.schedule,
      backupOwnerReference: cnpg.ScheduledBackupSpecBackupOwnerReference.SELF,
      method: cnpg.ScheduledBackupSpecMethod.PLUGIN,
      pluginConfiguration: { name: BARMAN_PLUGIN, ...(props.objectStore ? { parameters: { barmanObjectName: props.objectStore } } : {}) },
      ...(props.immediate ? { immediate: true } : {}),
    },
  });
}

export interface DedicatedPostgresProps {
  /** Instances must land in different zones (regulated) rather than preferably (dedicated). */
  readonly requireZoneAntiAffinity: boolean;
  readonly nodePool?: string;
}

/** Object store of a region: the tenant's prefix in the (locked, when immutable) bucket. */
function objectStore(scope: Construct, id: string, env: TenantEnvironment, name: string, region: { name: string; region: Region }, credentials: string): void {
  const storage = region.region.objectStorage;
  const bucket = env.backup.immutable ? storage.lockedBucket : storage.bucket;
  new barman.ObjectStore(scope, id, {
    metadata: {
      name,
      namespace: env.namespace,
      annotations: { 'tenantctl.io/region': region.name, 'tenantctl.io/immutable': String(env.backup.immutable) },
    },
    spec: {
      retentionPolicy: `${env.backup.retentionDays}d`,
      configuration: {
        destinationPath: `s3://${bucket}/postgres/${storagePrefix(env)}/`,
        endpointUrl: storage.endpoint,
        s3Credentials: {
          accessKeyId: { name: credentials, key: 'ACCESS_KEY_ID' },
          secretAccessKey: { name: credentials, key: 'ACCESS_SECRET_KEY' },
        },
        wal: { compression: barman.ObjectStoreSpecConfigurationWalCompression.GZIP, maxParallel: 4 },
        data: { compression: barman.ObjectStoreSpecConfigurationDataCompression.GZIP, jobs: 2 },
      },
    },
  });
}

export class DedicatedPostgres extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: DedicatedPostgresProps) {
    super(scope, 'postgres');
    const namespace = env.namespace;
    const image = env.fleet.images.postgres[String(env.database.postgres)];
    const res = postgresResources(env.database.storage);
    const archiveTimeout = Math.min(env.backup.rpoMinutes, 5);

    objectStore(this, 'store', env, 'pg-backup', { name: env.cluster.region, region: env.region }, 'object-storage');
    new cnpg.Cluster(this, 'cluster', {
      metadata: { name: TENANT_PG_CLUSTER, namespace },
      spec: {
        instances: env.database.instances,
        imageName: image,
        primaryUpdateStrategy: cnpg.ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
        primaryUpdateMethod: cnpg.ClusterSpecPrimaryUpdateMethod.SWITCHOVER,
        enablePdb: true,
        storage: { size: env.database.storage },
        walStorage: { size: `${Math.max(2, Math.ceil(Number.parseInt(env.database.storage, 10) / 4))}Gi` },
        resources: {
          requests: { cpu: cnpg.ClusterSpecResourcesRequests.fromString(res.requests.cpu), memory: cnpg.ClusterSpecResourcesRequests.fromString(res.requests.memory) },
          limits: { cpu: cnpg.ClusterSpecResourcesLimits.fromString(res.limits.cpu), memory: cnpg.ClusterSpecResourcesLimits.fromString(res.limits.memory) },
        },
        affinity: {
          enablePodAntiAffinity: true,
          topologyKey: 'topology.kubernetes.io/zone',
          podAntiAffinityType: props.requireZoneAntiAffinity ? 'required' : 'preferred',
          ...nodePoolPlacement(props.nodePool),
        },
        postgresql: {
          parameters: {
            archive_timeout: `${archiveTimeout}min`,
            max_connections: String(50 + env.odoo.maxReplicas * (env.odoo.workers + 2) * 2),
          },
        },
        bootstrap: { initdb: { database: databaseName(env), owner: 'odoo', secret: { name: 'odoo-db' } } },
        plugins: [{ name: BARMAN_PLUGIN, isWalArchiver: true, parameters: { barmanObjectName: 'pg-backup' } }],
      },
    });
    // Daily base backup, outside the maintenance window; WAL archiving covers the RPO in between.
    pluginScheduledBackup(this, 'backup', { name: 'pg-daily', namespace, cluster: TENANT_PG_CLUSTER, schedule: cronDailyAfterWindow(env.maintenance), immediate: true });
    if (env.crossRegion) {
      objectStore(this, 'dr-store', env, 'pg-backup-dr', env.crossRegion, 'object-storage-dr');
      pluginScheduledBackup(this, 'dr-backup', { name: 'pg-daily-dr', namespace, cluster: TENANT_PG_CLUSTER, schedule: cronDailyAfterWindow(env.maintenance, 90), objectStore: 'pg-backup-dr' });
    }
  }
}

export class SharedDatabase extends Construct {
  constructor(scope: Construct, env: TenantEnvironment) {
    super(scope, 'postgres');
    const db = databaseName(env);
    // The role's password lives beside the shared cluster, which CloudNativePG reads it from.
    externalSecret(this, 'role', env.fleet, {
      name: `role-${env.tenant.name}-${env.name}`,
      namespace: SHARED_PG_NAMESPACE,
      remoteKey: secretKey(env, 'postgres'),
      keys: { username: 'username', password: 'password' },
      type: 'kubernetes.io/basic-auth',
    });
    new cnpg.Database(this, 'db', {
      metadata: { name: `${env.tenant.name}-${env.name}`, namespace: SHARED_PG_NAMESPACE },
      spec: {
        name: db,
        owner: db,
        cluster: { name: SHARED_PG_CLUSTER },
        ensure: cnpg.DatabaseSpecEnsure.PRESENT,
        databaseReclaimPolicy: cnpg.DatabaseSpecDatabaseReclaimPolicy.RETAIN,
        extensions: [{ name: 'unaccent', ensure: cnpg.DatabaseSpecExtensionsEnsure.PRESENT }],
      },
    });
  }
}
