/** Residency: a tenant's data stays in its region, except for its declared cross-region backup copy. */
import type { Fleet } from '../fleet/schema.ts';
import { ANNOTATIONS, backupMark, backupTargets, bucketOf } from './backups.ts';
import { environmentsOnCluster, namespaceRef, tenancyOf } from './objects.ts';
import type { Policy, Violation } from './types.ts';

/** Region whose object storage holds `bucket`, from fleet.ts. */
export function regionOfBucket(fleet: Fleet | undefined, bucket: string | undefined): string | undefined {
  if (!fleet || !bucket) return undefined;
  return Object.entries(fleet.regions).find(([, r]) => r.objectStorage.bucket === bucket || r.objectStorage.lockedBucket === bucket)?.[0];
}

export const dataResidency: Policy = {
  id: 'residency/region',
  severity: 'error',
  description: "Tenant region = cluster region = backup region (tenantctl.io/region of ObjectStores and Velero objects), except the tenant's declared cross-region target.",
  fix: "place the tenant on a cluster of its region and write backups to its region's bucket (or the crossRegion declared in the tenant file)",
  check(ctx) {
    const out: Violation[] = [];
    for (const e of environmentsOnCluster(ctx)) {
      const region = e.env?.tenant.region;
      if (region && region !== ctx.cluster.region) {
        out.push({ object: e.object, resource: e.object ? undefined : namespaceRef(e.namespace), tenant: e.tenant, environment: e.environment, message: `${e.tenant} must stay in ${region} but runs on cluster ${ctx.cluster.name} in ${ctx.cluster.region}` });
      }
    }
    for (const t of backupTargets(ctx.objects)) {
      const { env, tenant } = tenancyOf(ctx, t);
      const home = env?.tenant.region ?? ctx.cluster.region;
      const allowed = [home, ...(env?.backup.crossRegion ? [env.backup.crossRegion] : [])];
      const marked = backupMark(t, ANNOTATIONS.region);
      const bucket = bucketOf(t);
      const byBucket = regionOfBucket(ctx.fleet, bucket);
      const region = marked ?? byBucket;
      if (!region) {
        out.push({ object: t, path: `metadata.annotations["${ANNOTATIONS.region}"]`, message: `${t.kind} "${t.metadata.name}" does not say which region it stores data in` });
      } else if (!allowed.includes(region)) {
        const who = tenant ? `tenant ${tenant}${env ? '' : ' (no environment known to allow a cross-region copy)'}` : `cluster ${ctx.cluster.name}`;
        out.push({ object: t, path: marked ? `metadata.annotations["${ANNOTATIONS.region}"]` : 'spec', message: `${t.kind} "${t.metadata.name}" stores data in ${region}, outside ${allowed.join(' / ')} allowed for ${who}` });
      } else if (marked && byBucket && marked !== byBucket) {
        out.push({ object: t, path: 'spec', message: `${t.kind} "${t.metadata.name}" is marked ${marked} but writes to bucket ${bucket} in ${byBucket}` });
      }
    }
    return out;
  },
};

export const residencyPolicies: readonly Policy[] = [dataResidency];

