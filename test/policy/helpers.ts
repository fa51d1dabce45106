import type { TenantEnvironment } from '../../lib/model/environment.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { runPolicies } from '../../lib/policy/engine.ts';
import type { Finding, PolicyContext } from '../../lib/policy/types.ts';
import { context, environment, TODAY } from './fixtures.ts';

export function run(objects: KubeObject[], environments: TenantEnvironment[] = [environment()], extra: Partial<PolicyContext> = {}): Finding[] {
  return runPolicies({ ...context(objects, environments), ...extra }, { today: TODAY });
}

/** Findings of one policy. */
export function of(policy: string, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.policy === policy);
}
