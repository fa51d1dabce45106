/**
 * Drift and audit findings in the one finding order (lib/model/finding-order.ts): by tenant,
 * environment, object, type (FINDING_TYPES), then the policy a `policy` finding reports.
 */
import { findingOrder } from '../model/finding-order.ts';
import { FINDING_TYPES, type DriftFinding } from './types.ts';

export const compareDriftFindings = findingOrder((f: DriftFinding) => ({
  tenant: f.tenant,
  environment: f.environment,
  resource: f.resource,
  type: FINDING_TYPES.indexOf(f.type),
  rule: f.policy?.id,
  path: f.policy?.path,
  message: f.policy?.message,
}));
