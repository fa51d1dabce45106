/** `tenantctl tenants`: where every tenant environment runs, at a glance. */
import { compileWorkspace } from '../../workspace/compile.ts';

export async function tenantsCommand(root: string): Promise<string> {
  const compiled = await compileWorkspace(root);
  const rows = [['TENANT', 'TIER', 'ENVIRONMENT', 'ENV TIER', 'CLUSTER', 'REGION', 'ODOO', 'DOMAINS']];
  const envs = [...compiled.environments].sort((a, b) => `${a.tenant.name}/${a.name}`.localeCompare(`${b.tenant.name}/${b.name}`));
  for (const e of envs) {
    rows.push([e.tenant.name, e.tenant.tier, e.name, e.tier, e.cluster.name, e.cluster.region, e.odoo.version, e.domains.join(',')]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
