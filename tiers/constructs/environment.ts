/**
 * Composes every building block for one tenant environment. Tiers differ in their choices
 * (data plane, node pool, spreading), not in how the pieces fit together.
 */
import type { Construct } from 'constructs';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { TenantBackups } from './backups.ts';
import { TenantMonitoring } from './monitoring.ts';
import { SHARED_PG_CLUSTER, SHARED_PG_NAMESPACE, SHARED_REDIS_NAMESPACE, secretKey, TENANT_PG_CLUSTER } from './names.ts';
import { TenantNamespace } from './namespace.ts';
import { TenantNetworkPolicies } from './network.ts';
import { NODE_POOL_LABEL } from './node-pool.ts';
import { Odoo } from './odoo.ts';
import { DedicatedPostgres, SharedDatabase } from './postgres.ts';
import { DedicatedRedis, SharedRedisUser } from './redis.ts';
import { TenantRouting } from './routing.ts';
import { externalSecret } from './secrets.ts';

export interface EnvironmentOptions {
  readonly dataPlane: 'shared' | 'dedicated';
  /** Schedule on nodes reserved for this tenant (dedicated and regulated). */
  readonly dedicatedNodes: boolean;
  readonly zoneSpread: boolean;
  readonly requireZoneAntiAffinity: boolean;
}

export function renderEnvironment(scope: Construct, env: TenantEnvironment, options: EnvironmentOptions): void {
  const dedicatedData = options.dataPlane === 'dedicated';
  const nodePool = options.dedicatedNodes ? env.tenant.name : undefined;
  const ns = env.namespace;
  const databaseHost = dedicatedData ? `${TENANT_PG_CLUSTER}-rw` : `${SHARED_PG_CLUSTER}-rw.${SHARED_PG_NAMESPACE}.svc`;
  const redisHost = !env.redis.enabled ? undefined : dedicatedData ? 'redis' : `redis.${SHARED_REDIS_NAMESPACE}.svc`;

  new TenantNamespace(scope, env, { dedicatedData, labels: nodePool ? { [NODE_POOL_LABEL]: nodePool } : undefined });
  new TenantNetworkPolicies(scope, env, { dedicatedData });

  externalSecret(scope, 'secret-db', env.fleet, {
    name: 'odoo-db',
    namespace: ns,
    remoteKey: secretKey(env, 'postgres'),
    keys: { username: 'username', password: 'password' },
    type: 'kubernetes.io/basic-auth',
  });
  externalSecret(scope, 'secret-admin', env.fleet, { name: 'odoo-admin', namespace: ns, remoteKey: secretKey(env, 'odoo-admin'), keys: { password: 'password' } });
  externalSecret(scope, 'secret-storage', env.fleet, {
    name: 'object-storage',
    namespace: ns,
    remoteKey: `object-storage/${env.cluster.region}`,
    keys: { ACCESS_KEY_ID: 'access-key-id', ACCESS_SECRET_KEY: 'secret-access-key' },
  });
  if (env.crossRegion) {
    externalSecret(scope, 'secret-storage-dr', env.fleet, {
      name: 'object-storage-dr',
      namespace: ns,
      remoteKey: `object-storage/${env.crossRegion.name}`,
      keys: { ACCESS_KEY_ID: 'access-key-id', ACCESS_SECRET_KEY: 'secret-access-key' },
    });
  }

  new Odoo(scope, env, { databaseHost, redisHost, zoneSpread: options.zoneSpread, nodePool });
  new TenantRouting(scope, env);

  if (dedicatedData) {
    new DedicatedPostgres(scope, env, { requireZoneAntiAffinity: options.requireZoneAntiAffinity, nodePool });
    if (env.redis.enabled) new DedicatedRedis(scope, env, { nodePool });
  } else {
    new SharedDatabase(scope, env);
    if (env.redis.enabled) new SharedRedisUser(scope, env);
  }
  // The shared tier's per-tenant backup is this dump, so it runs at the RPO; elsewhere WAL
  // archiving covers the RPO and the dump is a daily portable copy.
  new TenantBackups(scope, env, { databaseHost, dumpEveryMinutes: dedicatedData ? 1440 : env.backup.rpoMinutes, dailyDumpAfterWindow: dedicatedData });
  new TenantMonitoring(scope, env, { dedicatedData });
}
