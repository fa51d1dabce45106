/**
 * `tenantctl synth`: compile tenants into generated/, or with --check report whether the
 * committed tree is what the sources produce (for CI).
 */
import { join } from 'node:path';
import { diffTree, readTree, replaceTree } from '../../io/generated-tree.ts';
import { synthesize, type SynthResult } from '../../synth/synthesize.ts';
import { compileWorkspace, codeVersion } from '../workspace.ts';
import type { RenderCache } from '../../synth/synthesize.ts';

export const GENERATED_README = `# generated/

Written by \`tenantctl synth\` from \`tenants/*.ts\`, \`fleet.ts\` and \`tiers/\`. Do not edit: change the
sources and run \`npx tenantctl synth\`. CI fails when this tree is stale (\`tenantctl synth --check\`).

- \`<cluster>/cluster/\`: per-cluster objects (shared PostgreSQL and Redis, Traefik TLS defaults, auditor RBAC)
- \`<cluster>/tenants/<tenant>-<environment>/\`: one folder per tenant environment
- \`<cluster>/argocd/\`: AppProject and ApplicationSet for Argo CD
- \`<cluster>/flux/\`: GitRepository and Kustomizations for Flux
`;

export interface SynthCommandOptions {
  readonly root: string;
  readonly packageRoot: string;
  readonly check: boolean;
  readonly cache?: RenderCache;
  readonly out?: (line: string) => void;
}

export interface SynthOutcome {
  readonly result: SynthResult;
  readonly stale: boolean;
  readonly summary: string;
}

export async function synthCommand(options: SynthCommandOptions): Promise<SynthOutcome> {
  const compiled = await compileWorkspace(options.root);
  const result = synthesize(compiled, { codeVersion: codeVersion(options.packageRoot), cache: options.cache });
  const dir = join(options.root, 'generated');
  const diff = diffTree(readTree(dir), result.files);
  const changes = diff.added.length + diff.changed.length + diff.removed.length;
  const counts = `${result.stats.environments} tenant environments on ${compiled.fleet.clusters.length} clusters, ${result.stats.objects} objects`;
  if (options.check) {
    if (changes === 0) return { result, stale: false, summary: `generated/ is up to date (${counts}).` };
    const lines = [`generated/ is stale: ${diff.added.length} to add, ${diff.changed.length} to change, ${diff.removed.length} to remove.`];
    for (const [sign, list] of [['+', diff.added], ['~', diff.changed], ['-', diff.removed]] as const) {
      for (const p of list.slice(0, 20)) lines.push(`  ${sign} generated/${p}`);
      if (list.length > 20) lines.push(`  ${sign} … and ${list.length - 20} more`);
    }
    lines.push('Run `npx tenantctl synth` and commit generated/.');
    return { result, stale: true, summary: lines.join('\n') };
  }
  if (changes > 0) replaceTree(dir, result.files, GENERATED_README);
  return {
    result,
    stale: false,
    summary: changes === 0 ? `generated/ unchanged (${counts}).` : `generated/ updated: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed (${counts}).`,
  };
}
