/**
 * `tenantctl pr --report FILE` (and `tenantctl audit --open-pr`): one pull request per drifted
 * cluster, on branch `tenantctl/drift/<cluster>`, that a reviewer merges to adopt the live values
 * or closes to let GitOps revert them. Wires the pieces: the branch's content (lib/pr/build-branch.ts:
 * tenant-file edits and a re-synth of generated/), the commit and push (lib/git/drift-branch.ts)
 * and the pull request (lib/github).
 *
 * Per cluster of the report: findings → create or update the branch and its pull request; a clean
 * audit → comment, close and delete the branch; not audited (unreachable, error) → left alone,
 * since nothing is known. A push that lost a race, or a failed GitHub call, is reported and makes
 * the exit code 3; a branch created in this run whose pull request could not be opened is deleted
 * again, so nothing half-made stays behind. The push is leased, so two runs at once never both
 * win, and the pull request is looked up by branch before one is created.
 */
import { simpleGit } from 'simple-git';
import type { AuditReport, ClusterReport } from '../../audit/types.ts';
import { deleteBranch, publishBranch, type FileChange } from '../../git/drift-branch.ts';
import { redactSecrets } from '../../model/redact.ts';
import type { GitHubFailure, PullRequestAdapter } from '../../github/pull-requests.ts';
import { buildDriftBranch, clusterReport } from '../../pr/build-branch.ts';
import { cleanComment, driftBranch, pullRequestBody, pullRequestLabels, pullRequestTitle, reportPaths } from '../../pr/content.ts';
import { renderAuditMarkdown } from '../../report/audit-markdown.ts';
import { compileWorkspace } from '../../workspace/compile.ts';

export type PrAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'none' | 'skipped' | 'failed';

export interface PrOutcome {
  readonly cluster: string;
  readonly action: PrAction;
  readonly number?: number;
  readonly url?: string;
  /** Why a cluster was skipped or failed; what was adopted. */
  readonly message?: string;
  /** Tenant-file settings the branch adopts. */
  readonly adopted?: number;
}

export interface PrCommandOptions {
  /** The user's clone (its `remote` is where branches are pushed). */
  readonly root: string;
  /** Root of the running tenantctl (bin/, node_modules). */
  readonly packageRoot: string;
  readonly report: AuditReport;
  readonly owner: string;
  readonly repo: string;
  /** Branch pull requests target and branches are built on. */
  readonly base: string;
  /** @default 'origin' */
  readonly remote?: string;
  readonly github: PullRequestAdapter;
  readonly log?: (line: string) => void;
}

export interface PrCommandResult {
  readonly outcomes: readonly PrOutcome[];
  readonly output: string;
  readonly exitCode: 0 | 3;
}

async function openOrUpdate(o: PrCommandOptions, cluster: ClusterReport, baseCommit: string): Promise<PrOutcome> {
  const remote = o.remote ?? 'origin';
  const branch = driftBranch(cluster.name);
  const built = await buildDriftBranch({ root: o.root, packageRoot: o.packageRoot, cluster, baseCommit, compile: compileWorkspace });
  const single = clusterReport(o.report, cluster);
  const paths = reportPaths(cluster.name);
  const files: FileChange[] = [
    ...built.files,
    { path: paths.markdown, content: renderAuditMarkdown(single) },
    { path: paths.json, content: JSON.stringify(single, null, 2) + '\n' },
  ];
  const published = await publishBranch({
    repoDir: o.root,
    remote,
    branch,
    base: o.base,
    baseCommit,
    files,
    message: `${pullRequestTitle(cluster)}\n\nAdopts ${built.plan.adoptions.length} live value(s) into tenant files; report in ${paths.markdown}.`,
  });
  if (published.action === 'failed' || published.action === 'conflict') {
    return { cluster: cluster.name, action: 'failed', message: published.message };
  }
  // Nothing to propose (cannot happen while the report itself is committed, but never open an empty PR).
  if (published.action === 'same-as-base') return closeIfOpen(o, cluster);
  const body = pullRequestBody({
    cluster,
    plan: built.plan,
    gitCommit: o.report.gitCommit,
    generatedAt: o.report.generatedAt,
    editedFiles: built.editedFiles,
    reportMarkdown: renderAuditMarkdown(single, { maxLength: 40_000, fullReportHint: `see ${paths.markdown} on this branch` }),
  });
  const pr = await o.github.upsertPullRequest({ owner: o.owner, repo: o.repo, head: branch, base: o.base, title: pullRequestTitle(cluster), body, labels: pullRequestLabels(cluster) });
  if (pr.action === 'failed') {
    // A branch this run created without its pull request would be half-made: remove it.
    if (published.action === 'created') await deleteBranch({ repoDir: o.root, remote, branch, expected: published.commit });
    return { cluster: cluster.name, action: 'failed', message: describeFailure(pr.failure) };
  }
  return { cluster: cluster.name, action: pr.action, number: pr.number, url: pr.url, adopted: built.plan.adoptions.length };
}

async function closeIfOpen(o: PrCommandOptions, cluster: ClusterReport): Promise<PrOutcome> {
  const branch = driftBranch(cluster.name);
  const closed = await o.github.closePullRequest({ owner: o.owner, repo: o.repo, head: branch, comment: cleanComment(cluster.name, o.report.gitCommit, o.report.generatedAt) });
  if (closed.action === 'failed') return { cluster: cluster.name, action: 'failed', message: describeFailure(closed.failure) };
  const deleted = await deleteBranch({ repoDir: o.root, remote: o.remote ?? 'origin', branch });
  if (deleted.action === 'failed' || deleted.action === 'conflict') return { cluster: cluster.name, action: 'failed', message: deleted.message };
  return closed.action === 'closed' ? { cluster: cluster.name, action: 'closed', number: closed.number, url: closed.url } : { cluster: cluster.name, action: 'none' };
}

export async function prCommand(o: PrCommandOptions): Promise<PrCommandResult> {
  const remote = o.remote ?? 'origin';
  const outcomes: PrOutcome[] = [];
  const baseRef = `refs/remotes/${remote}/${o.base}`;
  let fetched: string | undefined;
  let baseCommit = '';
  try {
    const g = simpleGit({ baseDir: o.root });
    await g.raw(['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${o.base}:${baseRef}`]);
    // Every branch of this run is built on this one commit, the one its files are computed from.
    baseCommit = (await g.raw(['rev-parse', '--verify', `${baseRef}^{commit}`])).trim();
  } catch (error) {
    fetched = `cannot fetch ${o.base} from "${remote}": ${redactSecrets((error as Error).message.split('\n')[0])}`;
  }
  for (const cluster of o.report.clusters) {
    let outcome: PrOutcome;
    if (cluster.status !== 'ok') outcome = { cluster: cluster.name, action: 'skipped', message: `not audited (${cluster.status}); its pull request is left as it is` };
    else if (fetched) outcome = { cluster: cluster.name, action: 'failed', message: fetched };
    else {
      try {
        outcome = cluster.findings.length ? await openOrUpdate(o, cluster, baseCommit) : await closeIfOpen(o, cluster);
      } catch (error) {
        outcome = { cluster: cluster.name, action: 'failed', message: redactSecrets(error instanceof Error ? error.message : String(error)) };
      }
    }
    outcomes.push(outcome);
    o.log?.(formatOutcome(outcome));
  }
  const output = outcomes.map(formatOutcome).join('\n');
  return { outcomes, output, exitCode: outcomes.some((x) => x.action === 'failed') ? 3 : 0 };
}

function describeFailure(f: GitHubFailure): string {
  return `${f.operation}: ${f.status ? `HTTP ${f.status}, ` : ''}${f.message}${f.hint ? ` (${f.hint})` : ''}`;
}

function formatOutcome(x: PrOutcome): string {
  const where = x.number ? ` #${x.number} ${x.url ?? ''}`.trimEnd() : '';
  const adopted = x.adopted ? ` (adopts ${x.adopted} setting${x.adopted === 1 ? '' : 's'})` : '';
  return `${x.cluster}: ${x.action}${where}${adopted}${x.message ? `: ${x.message}` : ''}`;
}
