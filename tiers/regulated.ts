/**
 * Regulated tier: dedicated, plus data residency, immutable cross-region backups, PostgreSQL
 * instances forced into different zones, and a longer retention.
 */
import { defineTier } from '../lib/tier/tier.ts';
import { renderEnvironment } from './constructs/environment.ts';
import { dedicated } from './dedicated.ts';

export const regulated = defineTier({
  name: 'regulated',
  description: 'Dedicated plus data residency, immutable cross-region backups, stricter controls',
  dataPlane: 'dedicated',
  defaults: {
    ...dedicated.defaults,
    replicas: 3,
    maxReplicas: 6,
    database: { storage: '100Gi', instances: 3, postgres: 16 },
    backup: { rpoMinutes: 5, rtoMinutes: 60, retentionDays: 365, immutable: true },
  },
  floors: {
    minRpoMinutes: 5,
    minRetentionDays: 90,
    maxReplicas: 12,
    maxWorkers: 16,
    maxDatabaseInstances: 5,
    requiresCrossRegion: true,
    requiresImmutableBackups: true,
    zoneSpread: true,
  },
  // Auditors of regulated customers want renewal problems seen earlier and backups on time.
  evidence: { certificateMinDays: 21, backupGraceMinutes: 15, restoreTestGraceHours: 12 },
  render(scope, env) {
    renderEnvironment(scope, env, { dataPlane: 'dedicated', dedicatedNodes: true, zoneSpread: true, requireZoneAntiAffinity: true });
  },
});
