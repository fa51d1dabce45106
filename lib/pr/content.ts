/**
 * What a drift pull request says: its title, labels and body, from one cluster's audit and the
 * adoption plan. Pure. The body is written for the reviewer who must choose: merge to adopt the
 * live values into the tenant files, close to let the cluster's GitOps engine put Git's state
 * back. Every finding is accounted for: adopted by an edit, or listed with what closing does on
 * that engine and why it could not be adopted. Each field is named once; the values side by side
 * are in the report committed on the branch, which the body points to.
 */
import { diffLines } from 'diff';
import type { AdoptionPlan } from '../adopt/types.ts';
import type { AuditFinding, ClusterReport } from '../audit/types.ts';
import { ABSENT } from '../drift/mask.ts';
import type { Change } from '../drift/types.ts';
import { syncRemovesFieldsOf, type GitOpsEngine } from '../model/gitops-engine.ts';
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

const ENGINE_NAME: Readonly<Record<GitOpsEngine, string>> = { flux: 'Flux', argocd: 'Argo CD' };

/** Whether the change's field is one Git does not set (an env var or a label a person added). */
function gitLeavesOut(change: Change | undefined): boolean {
  return change !== undefined && (change.desired === undefined || change.desired === ABSENT);
}

/**
 * What closing the pull request (keeping Git as it is) does for a finding the PR does not adopt,
 * on the cluster's engine. A field Git sets is put back by either engine; one Git leaves out is
 * removed only by Flux, and only when a `kubectl*` manager owns it (lib/model/gitops-engine.ts).
 * Without the engine in the report, the text says it cannot know instead of guessing.
 */
export function onClose(f: AuditFinding, change: Change | undefined, engine: GitOpsEngine | undefined): string {
  const who = engine ? ENGINE_NAME[engine] : 'Argo CD or Flux';
  switch (f.type) {
    case 'modified': {
      if (f.derivedFrom) return `${f.derivedFrom.kind} ${f.derivedFrom.name}'s controller rewrites it on its next sync, or undo the edit by hand`;
      if (f.confirmed === false) return 'a sync does not undo this (Git leaves the field to its default): undo it by hand';
      if (!gitLeavesOut(change)) return `${who} puts the Git value back on the next sync`;
      const manager = change?.changedBy?.manager;
      if (!engine) return 'Git does not set this field; whether a sync removes it depends on the GitOps engine, which the audit report does not name: undo it by hand if it stays';
      if (manager !== undefined && syncRemovesFieldsOf(engine, manager)) return `Git does not set this field: ${who} removes it on its next sync (it drops fields written by ${manager})`;
      return `Git does not set this field and ${who} leaves it${manager ? ` (written by ${manager})` : ''}: undo it by hand`;
    }
    case 'missing':
      return `${who} recreates it on the next sync`;
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
  /** When these findings were first reported: kept while they stay the same, so the body does too. */
  readonly generatedAt: string;
  /** Tenant files edited on the branch. */
  readonly editedFiles: readonly string[];
  /** Longest body; findings that do not fit are left out whole, with a pointer to the report file. @default MAX_BODY_LENGTH */
  readonly maxLength?: number;
}

/** GitHub refuses longer bodies (the same limit as lib/github/pull-requests.ts, which this pure module does not load). */
export const MAX_BODY_LENGTH = 65_536;

/** A value from the cluster in a table cell; for text over several lines (odoo.conf) the lines that differ. */
function changeCell(change: Change | undefined): string {
  if (!change) return '';
  const { desired, live } = change;
  if (typeof desired === 'string' && typeof live === 'string' && (desired.includes('\n') || live.includes('\n'))) {
    const lines = diffLines(desired, live).flatMap((part) =>
      part.added || part.removed ? part.value.replace(/\n$/, '').split('\n').map((l) => code(`${part.added ? '+' : '-'} ${l}`)) : []);
    return lines.join('<br>');
  }
  return `${code(formatValue(desired))} → ${code(formatValue(live))}`;
}

function findingKey(f: AuditFinding): string {
  return `${f.type} ${resourceId(f.resource)}`;
}

/** Rows of one table, grouped by finding so a cut never splits a finding. */
interface Section {
  readonly head: readonly string[];
  readonly units: { readonly key: string; readonly rows: string[] }[];
}

function addRow(section: Section, key: string, row: string): void {
  const unit = section.units.find((u) => u.key === key);
  if (unit) unit.rows.push(row);
  else section.units.push({ key, rows: [row] });
}

export function pullRequestBody(input: BodyInput): string {
  const { cluster, plan } = input;
  const limit = input.maxLength ?? MAX_BODY_LENGTH;
  const paths = reportPaths(cluster.name);
  const engine = cluster.engine ? `synced by ${ENGINE_NAME[cluster.engine]}` : 'GitOps engine not named in the audit report';
  const head: string[] = [
    `The audit of ${input.generatedAt} found drift on **${md(cluster.name)}**${input.gitCommit ? ` against \`generated/\` at ${input.gitCommit.slice(0, 12)}` : ''} (${engine}).`,
    '',
    '**How to decide**',
    `- **Merge** to adopt the live values: ${plan.adoptions.length ? `this branch edits ${input.editedFiles.map(code).join(', ')} and re-synthesizes \`generated/\`, so Git agrees with the cluster.` : 'nothing on this cluster maps to a tenant setting, so merging only records the report.'}`,
    `- **Close** to keep Git as it is: the last column below says what ${cluster.engine ? ENGINE_NAME[cluster.engine] : 'the next sync'} does about each finding.`,
    '',
  ];

  const adopted: Section = { head: ['### Adopted by merging', '', '| object | field | Git → live | tenant setting | changed by |', '|---|---|---|---|---|'], units: [] };
  for (const a of plan.adoptions) {
    const setting = `${code(a.file)} ${code(a.setting.join('.'))}`;
    for (const s of [a.from, ...a.alsoFrom]) {
      const finding = cluster.findings.find((f) => f.type === 'modified' && resourceId(f.resource) === resourceId(s.resource));
      const change = finding?.changes?.find((c) => c.path === s.path) ?? { path: s.path, desired: s.desired, live: s.live };
      addRow(adopted, finding ? findingKey(finding) : resourceId(s.resource), `| ${md(resourceId(s.resource))} | ${code(s.path)} | ${changeCell(change)} | ${setting} | ${md(s.changedBy ? describeManager(s.changedBy) : '')} |`);
    }
  }
  const refused: Section = { head: ['### Not adoptable: review by hand', '', '| finding | object | field | Git → live | why not adopted | closing the PR |', '|---|---|---|---|---|---|'], units: [] };
  for (const n of plan.notAdoptable) {
    const change = n.path ? n.finding.changes?.find((c) => c.path === n.path) : undefined;
    addRow(refused, findingKey(n.finding), `| ${n.finding.type} | ${md(resourceId(n.finding.resource))} | ${n.path ? code(n.path) : ''} | ${changeCell(change)} | ${md(n.reason)} | ${md(onClose(n.finding, change, cluster.engine))} |`);
  }
  const policy: Section = { head: ['### Policy violations on live objects', ''], units: [] };
  for (const f of cluster.findings.filter((x) => x.type === 'policy')) {
    addRow(policy, findingKey(f), `- **${md(f.policy?.id ?? '')}** (${f.policy?.severity}) ${md(resourceId(f.resource))}: ${md(f.policy?.message ?? '')}${f.policy?.fix ? ` Fix: ${md(f.policy.fix)}` : ''}`);
  }
  const sections = [adopted, refused, policy].filter((s) => s.units.length > 0);
  const footer = [`Every finding with its values side by side: ${code(paths.markdown)} (and ${code(paths.json)}) on this branch.`];

  // Whole findings, in order, while they fit; a note says how many were left out and where they are.
  const total = new Set(sections.flatMap((s) => s.units.map((u) => u.key))).size;
  const kept = new Set<string>();
  const note = (left: number) => [`**${left} of ${total} findings are not shown here** (the body would exceed GitHub's limit of ${limit.toLocaleString('en-US')} characters): see ${code(paths.markdown)} on this branch.`, ''];
  let size = [...head, ...footer, ...note(total)].join('\n').length + sections.reduce((n, s) => n + s.head.join('\n').length + 3, 0);
  let full = false;
  for (const s of sections) {
    for (const u of s.units) {
      if (full) break;
      const extra = u.rows.join('\n').length + 1;
      if (size + extra > limit) {
        full = true;
        break;
      }
      size += extra;
      kept.add(u.key);
    }
  }
  const lines = [...head];
  for (const s of sections) {
    const rows = s.units.filter((u) => kept.has(u.key)).flatMap((u) => u.rows);
    if (rows.length === 0) continue;
    lines.push(...s.head, ...rows, '');
  }
  if (kept.size < total) lines.push(...note(total - kept.size));
  lines.push(...footer);
  return lines.join('\n') + '\n';
}

/** The comment a pull request gets when a later audit of its cluster is clean. */
export function cleanComment(cluster: string, gitCommit: string | undefined, generatedAt: string): string {
  return `The audit of **${cluster}** at ${generatedAt}${gitCommit ? ` (\`generated/\` at ${gitCommit.slice(0, 12)})` : ''} is clean: the cluster matches Git again. Closing.`;
}

/** Marks tenantctl's one comment about a branch someone else committed to, so it is posted once. */
export const EDITED_MARKER = '<!-- tenantctl:branch-edited -->';

/** Said once on a pull request whose branch holds someone else's commits. */
export function editedComment(branch: string, authors: readonly string[]): string {
  return [
    EDITED_MARKER,
    `\`${branch}\` has commits not made by tenantctl (${authors.map(md).join(', ')}), so tenantctl no longer updates this branch or this description: later audits would otherwise discard them.`,
    '',
    'To let tenantctl take over again, close this pull request and delete the branch; the next audit opens a fresh one.',
  ].join('\n');
}
