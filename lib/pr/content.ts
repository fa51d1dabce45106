/**
 * What a drift pull request says: its title, labels and body, from one cluster's audit and the
 * adoption plan. Pure. The body is written for the reviewer who must choose: merge to adopt the
 * live values into the tenant files, close to let Argo CD or Flux put Git's state back. Every
 * finding is accounted for: adopted by an edit, or listed with what closing does and why it could
 * not be adopted.
 */
import type { AdoptionPlan } from '../adopt/types.ts';
import type { AuditFinding, ClusterReport } from '../audit/types.ts';
import { formatValue, resourceId, describeManager } from '../report/audit-values.ts';
import { code, md } from '../report/markdown-escape.ts';

export const DRIFT_BRANCH_PREFIX = 'tenantctl/drift/';

/**
 * The cluster as a drift pull request sees it: without `evidence` findings (a stale backup or a
 * failed restore test is not something merging or closing can fix) and without the
 * recoverability view. A cluster whose only findings are evidence is clean for pull requests.
 */
export function gitFixable(cluster: ClusterReport): ClusterReport {
  const { recoverability: _r, ...rest } = cluster;
  if (!cluster.findings.some((f) => f.type === 'evidence')) return rest;
  return { ...rest, findings: cluster.findings.filter((f) => f.type !== 'evidence'), summary: { ...cluster.summary, evidence: 0 } };
}

/** One branch per cluster: re-runs update it, so a cluster never has two drift pull requests. */
export function driftBranch(cluster: string): string {
  return `${DRIFT_BRANCH_PREFIX}${cluster}`;
}

export function pullRequestTitle(cluster: ClusterReport): string {
  const s = cluster.summary;
  const parts = (['modified', 'missing', 'orphaned', 'unmanaged', 'policy'] as const).filter((t) => s[t] > 0).map((t) => `${s[t]} ${t}`);
  return `Drift on ${cluster.name}: ${parts.join(', ') || 'no findings'}`;
}

export function pullRequestLabels(cluster: ClusterReport): string[] {
  return ['drift', ...(cluster.summary.policy > 0 ? ['policy'] : []), cluster.name];
}

/** Reports committed on the branch, so the decision is reviewed with its evidence. */
export function reportPaths(cluster: string): { markdown: string; json: string } {
  return { markdown: `reports/drift/${cluster}.md`, json: `reports/drift/${cluster}.json` };
}

/** What closing the pull request (reverting to Git) does for a finding the PR does not adopt. */
function onClose(f: AuditFinding): string {
  switch (f.type) {
    case 'modified':
      if (f.derivedFrom) return `${f.derivedFrom.kind} ${f.derivedFrom.name}'s controller rewrites it on its next sync, or undo the edit by hand`;
      return f.confirmed === false ? 'a sync does not undo this (Git leaves the field to its default): undo it by hand' : 'Argo CD or Flux puts the Git value back on the next sync';
    case 'missing':
      return 'Argo CD or Flux recreates it on the next sync';
    case 'orphaned':
      return 'pruning removes it (or delete it by hand)';
    case 'unmanaged':
      return 'nothing: delete it by hand, or add it to the tenant file if it should stay';
    default:
      return 'nothing by itself: fix what the policy names';
  }
}

export interface BodyInput {
  readonly cluster: ClusterReport;
  readonly plan: AdoptionPlan;
  /** The commit of generated/ the audit compared with. */
  readonly gitCommit?: string;
  readonly generatedAt: string;
  /** Tenant files edited on the branch. */
  readonly editedFiles: readonly string[];
  /** The full cluster report in markdown, appended below the decision. */
  readonly reportMarkdown: string;
}

export function pullRequestBody(input: BodyInput): string {
  const { cluster, plan } = input;
  const lines: string[] = [
    `The nightly audit found drift on **${md(cluster.name)}**${input.gitCommit ? ` against \`generated/\` at ${input.gitCommit.slice(0, 12)}` : ''} (${input.generatedAt}).`,
    '',
    '**How to decide**',
    `- **Merge** to adopt the live values: ${plan.adoptions.length ? `this branch edits ${input.editedFiles.map(code).join(', ')} and re-synthesizes \`generated/\`, so Git agrees with the cluster.` : 'nothing on this cluster maps to a tenant setting, so merging only records the report.'}`,
    '- **Close** to keep Git as it is: Argo CD or Flux puts Git\'s state back where it can (see the last column below).',
    '',
  ];
  if (plan.adoptions.length) {
    lines.push('### Adopted by merging', '', '| tenant file | setting | value | from the live field | changed by |', '|---|---|---|---|---|');
    for (const a of plan.adoptions) {
      const from = [a.from, ...a.alsoFrom].map((s) => `${md(resourceId(s.resource))} ${code(s.path)}`).join('<br>');
      lines.push(`| ${code(a.file)} | ${code(a.setting.join('.'))} | ${code(formatValue(a.value))} | ${from} | ${md(a.from.changedBy ? describeManager(a.from.changedBy) : '')} |`);
    }
    lines.push('');
  }
  if (plan.notAdoptable.length) {
    lines.push('### Not adoptable: review by hand', '', '| finding | object | field | why not adopted | closing the PR |', '|---|---|---|---|---|');
    for (const n of plan.notAdoptable) {
      lines.push(`| ${n.finding.type} | ${md(resourceId(n.finding.resource))} | ${n.path ? code(n.path) : ''} | ${md(n.reason)} | ${md(onClose(n.finding))} |`);
    }
    lines.push('');
  }
  const policies = cluster.findings.filter((f) => f.type === 'policy');
  if (policies.length) {
    lines.push('### Policy violations on live objects', '');
    for (const f of policies) lines.push(`- **${md(f.policy?.id ?? '')}** (${f.policy?.severity}) ${md(resourceId(f.resource))}: ${md(f.policy?.message ?? '')}${f.policy?.fix ? ` Fix: ${md(f.policy.fix)}` : ''}`);
    lines.push('');
  }
  lines.push('<details><summary>Full audit report of this cluster</summary>', '', input.reportMarkdown, '', '</details>');
  return lines.join('\n') + '\n';
}

/** The comment a pull request gets when a later audit of its cluster is clean. */
export function cleanComment(cluster: string, gitCommit: string | undefined, generatedAt: string): string {
  return `The audit of **${cluster}** at ${generatedAt}${gitCommit ? ` (\`generated/\` at ${gitCommit.slice(0, 12)})` : ''} is clean: the cluster matches Git again. Closing.`;
}
