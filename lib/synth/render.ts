/**
 * Runs the tier templates: one small cdk8s App per tenant environment (and per cluster), so
 * cdk8s never re-validates the whole fleet per chart, and each environment can be cached and
 * rendered on its own.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { TenantEnvironment } from '../model/environment.ts';
import { LABELS, MANAGED_BY, type KubeObject } from '../model/resource.ts';
import type { TierRegistry } from '../tier/tier.ts';

/** Collects the plain objects of a chart, in construct order. */
function objectsOf(chart: Chart): KubeObject[] {
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => o.toJson() as KubeObject);
}

function chart(labels: Record<string, string>): Chart {
  const app = new App({ outdir: '/nonexistent' });
  return new Chart(app, 'tenantctl', { labels, disableResourceNameHashes: true });
}

export function environmentLabels(env: TenantEnvironment): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [LABELS.tenant]: env.tenant.name, [LABELS.environment]: env.name, [LABELS.tier]: env.tier };
}

export function renderEnvironment(env: TenantEnvironment, tiers: TierRegistry): KubeObject[] {
  const c = chart(environmentLabels(env));
  tiers[env.tier].render(c, env);
  return objectsOf(c);
}

/** Renders per-cluster objects with a template such as the cluster base or the GitOps objects. */
export function renderClusterObjects(build: (scope: Construct) => void): KubeObject[] {
  const c = chart({ [LABELS.managedBy]: MANAGED_BY });
  build(c);
  return objectsOf(c);
}
