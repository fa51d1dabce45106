/**
 * The validate policies (lib/policy) run on live objects, as `policy` findings. Same policies
 * and waivers as CI runs on generated/, so a violation is a violation wherever it shows up:
 * a hand-made LoadBalancer Service, a NetworkPolicy deleted by hand, a suspended backup.
 *
 * Policies about the tenant files themselves (expired or unknown waivers) and waived findings
 * are left to `tenantctl validate`; fleet-wide checks run per cluster, since each cluster is
 * audited on its own (possibly in another CI job).
 */
import type { Fleet } from '../fleet/schema.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import type { KubeObject } from '../model/resource.ts';
import { runPolicies } from '../policy/engine.ts';
import type { ClusterInfo, Finding } from '../policy/types.ts';
import { WAIVER_EXPIRED, WAIVER_UNKNOWN_POLICY } from '../policy/waivers.ts';
import type { TierRegistry } from '../tier/tier.ts';
import type { AuditFinding } from './types.ts';

export interface LivePolicyOptions {
  /** Tenant environments at the audited ref: waivers, RPO, retention, domains. */
  readonly environments?: readonly TenantEnvironment[];
  readonly fleet?: Fleet;
  readonly tiers?: TierRegistry;
  /** `YYYY-MM-DD` waivers expire against. @default today (UTC) */
  readonly today?: string;
}

const TENANT_FILE_RULES = new Set([WAIVER_EXPIRED, WAIVER_UNKNOWN_POLICY]);

function toAuditFinding(f: Finding): AuditFinding {
  return {
    type: 'policy',
    ...(f.tenant ? { tenant: f.tenant } : {}),
    ...(f.environment ? { environment: f.environment } : {}),
    resource: { apiVersion: f.resource.apiVersion, kind: f.resource.kind, ...(f.resource.namespace ? { namespace: f.resource.namespace } : {}), name: f.resource.name },
    policy: { id: f.policy, severity: f.severity, message: f.message, ...(f.path ? { path: f.path } : {}), fix: f.fix },
  };
}

export function livePolicyFindings(cluster: ClusterInfo, live: readonly KubeObject[], options: LivePolicyOptions): AuditFinding[] {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const findings = runPolicies({ cluster, objects: live, environments: options.environments, fleet: options.fleet, tiers: options.tiers, source: 'live' }, { today });
  return findings.filter((f) => !f.waived && !TENANT_FILE_RULES.has(f.policy)).map(toAuditFinding);
}
