/**
 * From resolved tenant environments to what the evidence checks judge: the promises, the tier's
 * thresholds, and the names of the objects the tier template generates for them.
 */
import type { TenantEnvironment } from '../model/environment.ts';
import type { TierRegistry } from '../tier/tier.ts';
import type { EvidenceTarget } from './context.ts';
import { evidenceThresholds } from './thresholds.ts';

/** One target per environment of `environments`, sorted by tenant and environment. */
export function evidenceTargets(environments: readonly TenantEnvironment[], tiers: TierRegistry): EvidenceTarget[] {
  return environments
    .map((env): EvidenceTarget => {
      const tier = tiers[env.tier];
      const dataPlane = tier?.dataPlane ?? 'shared';
      return {
        tenant: env.tenant.name,
        environment: env.name,
        tier: env.tier,
        namespace: env.namespace,
        dataPlane,
        promises: { rpoMinutes: env.backup.rpoMinutes, rtoMinutes: env.backup.rtoMinutes, retentionDays: env.backup.retentionDays },
        webReplicas: env.odoo.replicas,
        crossRegion: !!env.crossRegion,
        // As tiers/constructs/environment.ts and backups.ts schedule them.
        dumpEveryMinutes: dataPlane === 'dedicated' ? 1440 : env.backup.rpoMinutes,
        filestoreEveryMinutes: Math.max(env.backup.rpoMinutes, 60),
        thresholds: evidenceThresholds(tier?.evidence),
        waivers: env.tenant.waivers,
      };
    })
    .sort((a, b) => (a.tenant + '\0' + a.environment < b.tenant + '\0' + b.environment ? -1 : 1));
}
