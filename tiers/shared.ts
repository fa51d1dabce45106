/**
 * Shared tier: the standard product on a multi-tenant cluster. Each tenant environment still
 * gets its own namespace, quota and network isolation, but its database lives on the cluster's
 * shared PostgreSQL and its sessions on the shared Redis. Backups are logical dumps, so the
 * tier cannot promise an RPO below an hour.
 */
import { defineTier } from '../lib/tier/tier.ts';
import { renderEnvironment } from './constructs/environment.ts';

export const shared = defineTier({
  name: 'shared',
  description: 'Multi-tenant cluster, shared PostgreSQL and Redis, quotas against noisy neighbours',
  dataPlane: 'shared',
  defaults: {
    edition: 'community',
    workers: 2,
    cronThreads: 1,
    replicas: 1,
    maxReplicas: 1,
    database: { storage: '10Gi', instances: 1, postgres: 16 },
    redis: { enabled: true, memory: '64Mi' },
    backup: { rpoMinutes: 240, rtoMinutes: 480, retentionDays: 14, immutable: false },
    maintenance: { day: 'sunday', start: '01:00', durationMinutes: 120, timeZone: 'UTC' },
    ingress: { rateLimit: { average: 50, burst: 100 }, maxUploadMb: 32 },
  },
  floors: {
    minRpoMinutes: 60,
    minRetentionDays: 7,
    maxReplicas: 2,
    maxWorkers: 4,
    maxDatabaseInstances: 1,
    requiresCrossRegion: false,
    requiresImmutableBackups: false,
    zoneSpread: false,
  },
  // A dump of a busy shared database may take a while; certificates as everywhere.
  evidence: { backupGraceMinutes: 60 },
  render(scope, env) {
    renderEnvironment(scope, env, { dataPlane: 'shared', dedicatedNodes: false, zoneSpread: false, requireZoneAntiAffinity: false });
  },
});
