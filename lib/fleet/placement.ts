/**
 * Chooses the cluster of each tenant environment.
 *
 * Tier and region select the candidates; among them rendezvous hashing on `tenant/environment`
 * picks one. The choice depends only on the tenant and the candidate set, so adding or removing
 * other tenants never moves a tenant (moving one is a data migration). A pin overrides the choice
 * but never crosses a region: data residency is not negotiable.
 */
import { createHash } from 'node:crypto';
import type { Issue } from '../model/issue.ts';
import { compareNames } from '../model/name-order.ts';
import type { Cluster, Fleet } from './schema.ts';
import { environmentRequests } from '../tenant/sizing.ts';
import type { UnplacedEnvironment } from '../tenant/resolve.ts';

export interface Placement {
  readonly env: UnplacedEnvironment;
  readonly cluster: Cluster;
}

function score(env: UnplacedEnvironment, cluster: Cluster): string {
  return createHash('sha256').update(`${env.tenant.name}/${env.name}/${cluster.name}`).digest('hex');
}

/**
 * `deployed`: `<cluster>/<tenant>-<environment>` of the environments generated/ already holds.
 * When a cluster is full, those are counted first, so the error names the newcomer that does
 * not fit rather than a tenant nobody touched.
 */
export function place(envs: readonly UnplacedEnvironment[], fleet: Fleet, deployed: ReadonlySet<string> = new Set()): { placements: Placement[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const placements: Placement[] = [];
  const byName = new Map(fleet.clusters.map((c) => [c.name, c]));

  for (const env of envs) {
    const file = env.tenant.file;
    const path = `environments.${env.name}`;
    if (env.pin !== undefined) {
      const cluster = byName.get(env.pin);
      if (!cluster) {
        issues.push({ code: 'placement.unknown-cluster', file, path: `${path}.cluster`, message: `cluster "${env.pin}" is not declared in fleet.ts`, fix: `use one of: ${[...byName.keys()].sort().join(', ')}` });
      } else if (cluster.region !== env.tenant.region) {
        issues.push({ code: 'placement.wrong-region', file, path: `${path}.cluster`, message: `cluster "${cluster.name}" is in region ${cluster.region}, but the tenant's data must stay in ${env.tenant.region}`, fix: `pin a cluster in ${env.tenant.region}, or change the tenant's region (a data migration)` });
      } else if (!cluster.tiers.includes(env.tier.name)) {
        issues.push({ code: 'placement.tier-not-hosted', file, path: `${path}.cluster`, message: `cluster "${cluster.name}" does not host the ${env.tier.name} tier`, fix: `pin a cluster that hosts ${env.tier.name}, or add the tier to the cluster's tiers in fleet.ts` });
      } else {
        placements.push({ env, cluster });
      }
      continue;
    }
    const candidates = fleet.clusters.filter((c) => c.region === env.tenant.region && c.tiers.includes(env.tier.name));
    if (candidates.length === 0) {
      // Once per tenant file and place: every environment of a tier would otherwise repeat it.
      const where = env.tier.name === env.tenant.tier ? 'region' : `${path}.tier`;
      const message = `no cluster in region ${env.tenant.region} hosts the ${env.tier.name} tier`;
      if (issues.some((i) => i.file === file && i.path === where && i.message === message)) continue;
      issues.push({
        code: 'placement.no-cluster',
        file,
        path: where,
        message,
        fix: `add a cluster in ${env.tenant.region} hosting ${env.tier.name} to fleet.ts, or choose a region that has one (${[...new Set(fleet.clusters.filter((c) => c.tiers.includes(env.tier.name)).map((c) => c.region))].sort().join(', ') || 'none'})`,
      });
      continue;
    }
    const cluster = candidates.reduce((best, c) => (score(env, c) > score(env, best) ? c : best));
    placements.push({ env, cluster });
  }

  // Capacity: requests per cluster must fit its declared capacity. Count what is deployed there
  // already first, then the rest by name, and blame each environment that does not fit.
  const used = new Map<string, { cpu: number; mem: number }>();
  // Each sort key is built once, not per comparison (a fleet has thousands of environments);
  // compareNames is localeCompare's order.
  const keyed = placements.map((p) => ({ p, isNew: deployed.has(`${p.cluster.name}/${p.env.tenant.name}-${p.env.name}`) ? 0 : 1, name: `${p.env.tenant.name}/${p.env.name}` }));
  keyed.sort((a, b) => a.isNew - b.isNew || compareNames(a.name, b.name));
  for (const { p } of keyed) {
    const r = environmentRequests(p.env, p.env.tier.dataPlane === 'dedicated');
    const u = used.get(p.cluster.name) ?? { cpu: 0, mem: 0 };
    u.cpu += r.cpuMillis / 1000;
    u.mem += r.memoryMi / 1024;
    used.set(p.cluster.name, u);
    if (u.cpu > p.cluster.capacity.cpu || u.mem > p.cluster.capacity.memoryGi) {
      issues.push({
        code: 'placement.capacity-exceeded',
        file: p.env.tenant.file,
        path: `environments.${p.env.name}`,
        message: `cluster ${p.cluster.name} is full: with this environment its requests reach ${u.cpu.toFixed(1)} CPU and ${u.mem.toFixed(1)}Gi of its ${p.cluster.capacity.cpu} CPU and ${p.cluster.capacity.memoryGi}Gi`,
        fix: `pin the environment to another cluster in ${p.cluster.region} (environments.${p.env.name}.cluster), lower its replicas or workers, or raise the cluster's capacity in fleet.ts`,
      });
    }
  }
  return { placements, issues };
}
