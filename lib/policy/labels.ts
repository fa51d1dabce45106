/** Labels: every object says who manages it; tenant objects also say whose they are. */
import { LABELS, MANAGED_BY } from '../model/resource.ts';
import { isControlled, labelsOf, namespaceTenants } from './objects.ts';
import type { Policy, Violation } from './types.ts';

export const requiredLabels: Policy = {
  id: 'labels/required',
  severity: 'error',
  description: `Objects carry ${LABELS.managedBy}: ${MANAGED_BY}; tenant objects (in a tenant namespace or labelled with a tenant) also ${LABELS.tenant}, ${LABELS.tier} and ${LABELS.environment}.`,
  fix: 'add the missing labels (the tier templates set them through the chart labels)',
  check(ctx) {
    const out: Violation[] = [];
    const tenants = namespaceTenants(ctx);
    for (const obj of ctx.objects) {
      if (isControlled(obj)) continue;
      const labels = labelsOf(obj);
      const namespace = obj.kind === 'Namespace' && obj.apiVersion === 'v1' ? obj.metadata.name : obj.metadata?.namespace;
      const inTenantNamespace = namespace !== undefined && (tenants.get(namespace) !== undefined || namespace.startsWith('tenant-'));
      const tenantObject = inTenantNamespace || LABELS.tenant in labels;
      // The common case, without building the lists below for every object.
      if (labels[LABELS.managedBy] === MANAGED_BY && (!tenantObject || (labels[LABELS.tenant] && labels[LABELS.tier] && labels[LABELS.environment]))) continue;
      const required = tenantObject ? [LABELS.managedBy, LABELS.tenant, LABELS.tier, LABELS.environment] : [LABELS.managedBy];
      const missing = required.filter((l) => !labels[l]);
      const problems = missing.length > 0 ? [`no ${missing.join(', ')}`] : [];
      if (labels[LABELS.managedBy] && labels[LABELS.managedBy] !== MANAGED_BY) problems.push(`${LABELS.managedBy} is "${labels[LABELS.managedBy]}", not "${MANAGED_BY}"`);
      if (problems.length > 0) out.push({ object: obj, path: 'metadata.labels', message: `${tenantObject ? 'tenant object' : 'object'} has ${problems.join(', ')}` });
    }
    return out;
  },
};

export const labelPolicies: readonly Policy[] = [requiredLabels];
