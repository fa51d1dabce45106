/**
 * `tenantctl clusters`: the fleet's clusters with the kubeconfig context the auditor uses. With
 * `--json`, what CI matrices are built from (drift.yml), so the workflow never restates fleet.ts.
 */
import { selectClusters } from '../../fleet/select.ts';
import { compileWorkspace } from '../../workspace/compile.ts';

export interface ClusterRow {
  readonly name: string;
  readonly region: string;
  readonly tiers: readonly string[];
  readonly context: string;
  /** Repository secret holding the cluster's kubeconfig in drift.yml: `KUBECONFIG_` + name in upper snake case. */
  readonly secret: string;
  readonly environments: number;
}

export async function clustersCommand(root: string, json: boolean, only: readonly string[] = []): Promise<string> {
  const compiled = await compileWorkspace(root);
  const chosen = selectClusters(compiled.fleet.clusters, only);
  const rows: ClusterRow[] = chosen.map((c) => ({
    name: c.name,
    region: c.region,
    tiers: c.tiers,
    context: c.context ?? c.name,
    secret: `KUBECONFIG_${c.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
    environments: compiled.environments.filter((e) => e.cluster.name === c.name).length,
  }));
  if (json) return JSON.stringify(rows);
  const table = [['CLUSTER', 'REGION', 'TIERS', 'CONTEXT', 'ENVIRONMENTS'], ...rows.map((r) => [r.name, r.region, r.tiers.join(','), r.context, String(r.environments)])];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
