/**
 * The content of a drift branch: tenant files edited to adopt live values (lib/adopt), generated/
 * re-synthesized to match, as file changes for lib/git/drift-branch.ts to commit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editTenantSource } from '../adopt/edit-source.ts';
import { adoptionsFor } from '../adopt/mapping.ts';
import type { Adoption, AdoptionPlan } from '../adopt/types.ts';
import { buildReport } from '../audit/fleet.ts';
import type { AuditFinding, AuditReport, ClusterReport } from '../audit/types.ts';
import type { DriftResource } from '../drift/types.ts';
import type { FileChange } from '../git/drift-branch.ts';
import { readTree } from '../io/generated-tree.ts';
import { isIssue, loadInputs } from '../io/load-modules.ts';
import type { CompiledFleet } from '../synth/compile.ts';
import { checkoutRef, synthesizeDir } from '../workspace/ref.ts';

/** What a drift branch holds besides its report: the changed files and the adoption plan behind them. */
export interface DriftBranch {
  readonly files: FileChange[];
  readonly plan: AdoptionPlan;
  readonly editedFiles: string[];
}

/** The finding about `resource` (the adoption plan copies resources out of findings). */
function findingOf(cluster: ClusterReport, resource: DriftResource): AuditFinding {
  return cluster.findings.find((f) => f.resource.kind === resource.kind && f.resource.name === resource.name && f.resource.namespace === resource.namespace && f.type === 'modified')!;
}

/** The report of one cluster, as committed on its branch. */
export function clusterReport(report: AuditReport, cluster: ClusterReport): AuditReport {
  return buildReport({ generatedAt: report.generatedAt, gitRef: report.gitRef, gitCommit: report.gitCommit }, [cluster]);
}

export interface BuildBranchOptions {
  /** The user's clone. */
  readonly root: string;
  /** Root of the running tenantctl (bin/, node_modules). */
  readonly packageRoot: string;
  readonly cluster: ClusterReport;
  /** The base commit the files are computed from (and the branch is built on). */
  readonly baseCommit: string;
  /** Compiles the tenant files of a folder (lib/workspace/compile.ts compileWorkspace). */
  readonly compile: (dir: string) => Promise<CompiledFleet>;
}

/**
 * Edits the tenant files of a copy of the base commit to adopt what can be adopted, re-synthesizes
 * generated/ there with tenantctl's CLI (a child process: tenant files are code, and a long-running
 * process would not see them change), and returns every file that changed. A copy whose edits do
 * not synthesize gives no file changes: the pull request then carries the report alone.
 */
export async function buildDriftBranch(o: BuildBranchOptions): Promise<DriftBranch> {
  const cluster = o.cluster;
  const tree = await checkoutRef(o.root, o.baseCommit, join(o.packageRoot, 'node_modules'));
  try {
    const dir = tree.root;
    const compiled = await o.compile(dir);
    const { tenants } = await loadInputs(dir);
    const specs = new Map(tenants.flatMap((t) => (isIssue(t) ? [] : [[t.file, t.value as never] as const])));
    const plan = adoptionsFor(cluster.findings, compiled.environments, { specs, tiers: compiled.templates.tiers, engine: cluster.engine });
    const byFile = new Map<string, Adoption[]>();
    for (const a of plan.adoptions) {
      if (byFile.has(a.file)) byFile.get(a.file)!.push(a);
      else byFile.set(a.file, [a]);
    }

    const files: FileChange[] = [];
    const adopted: Adoption[] = [];
    const notAdoptable = [...plan.notAdoptable];
    for (const [file, adoptions] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const before = readFileSync(join(dir, file), 'utf8');
      const edit = editTenantSource(before, file, adoptions);
      for (const f of edit.failed) notAdoptable.push({ finding: findingOf(cluster, f.adoption.from.resource), path: f.adoption.from.path, reason: `${f.issue.message} (${f.issue.fix})` });
      adopted.push(...edit.applied);
      if (edit.source !== before) {
        writeFileSync(join(dir, file), edit.source);
        files.push({ path: file, content: edit.source });
      }
    }

    if (files.length) {
      const before = readTree(join(dir, 'generated'));
      // In a child process that never sees the GitHub token (tenant files are data; tiers/ is code).
      const synthesized = await synthesizeDir(dir, { bin: join(o.packageRoot, 'bin', 'tenantctl.mjs'), noCache: true });
      if ('error' in synthesized) {
        // The edits do not compile (a value the tier refuses): propose the report alone.
        const reason = `adopting it makes \`tenantctl synth\` fail: ${synthesized.error.split(' | ').slice(0, 3).join(' ')}`;
        return { files: [], editedFiles: [], plan: { adoptions: [], notAdoptable: [...notAdoptable, ...adopted.map((a) => ({ finding: findingOf(cluster, a.from.resource), path: a.from.path, reason }))] } };
      }
      const after = synthesized.tree;
      for (const [path, content] of after) if (before.get(path) !== content) files.push({ path: `generated/${path}`, content });
      for (const path of before.keys()) if (!after.has(path)) files.push({ path: `generated/${path}`, content: null });
    }
    return { files, editedFiles: files.filter((f) => !f.path.startsWith('generated/')).map((f) => f.path), plan: { adoptions: adopted, notAdoptable } };
  } finally {
    await tree.cleanup();
  }
}

