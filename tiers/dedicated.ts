/**
 * Dedicated tier: the tenant's own PostgreSQL cluster with replicas and continuous WAL
 * archiving, its own Redis, nodes reserved for it, and pods spread across zones.
 */
import { defineTier } from '../lib/tier/tier.ts';
import { renderEnvironment } from './constructs/environment.ts';

export const dedicated = defineTier({
  name: 'dedicated',
  description: 'Own namespaces, own CloudNativePG cluster with replicas, own Redis, dedicated nodes',
  dataPlane: 'dedicated',
  defaults: {
    edition: 'enterprise',
    workers: 4,
    cronThreads: 2,
    replicas: 2,
    maxReplicas: 4,
    database: { storage: '50Gi', instances: 2, postgres: 16 },
    redis: { enabled: true, memory: '256Mi' },
    backup: { rpoMinutes: 15, rtoMinutes: 120, retentionDays: 30, immutable: false },
    maintenance: { day: 'sunday', start: '02:00', durationMinutes: 120, timeZone: 'UTC' },
    ingress: { rateLimit: { average: 200, burst: 400 }, maxUploadMb: 128 },
  },
  floors: {
    minRpoMinutes: 5,
    minRetentionDays: 14,
    maxReplicas: 10,
    maxWorkers: 16,
    maxDatabaseInstances: 5,
    requiresCrossRegion: false,
    requiresImmutableBackups: false,
    zoneSpread: true,
  },
  render(scope, env) {
    renderEnvironment(scope, env, { dataPlane: 'dedicated', dedicatedNodes: true, zoneSpread: true, requireZoneAntiAffinity: false });
  },
});
