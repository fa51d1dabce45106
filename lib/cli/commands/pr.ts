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
import { deleteBranch, foreignCommitAuthors, publishBranch, type FileChange } from '../../git/drift-branch.ts';
import { redactSecrets } from '../../model/redact.ts';
import type { GitHubFailure, PullRequestAdapter } from '../../github/pull-requests.ts';
import { buildDriftBranch, clusterReport } from '../../pr/build-branch.ts';
import { cleanComment, DRIFT_BRANCH_PREFIX, driftBranch, EDITED_MARKER, editedComment, gitFixable, pullRequestBody, pullRequestLabels, pullRequestTitle, reportPaths } from '../../pr/content.ts';
import { renderAuditMarkdown } from '../../report/audit-markdown.ts';
import { compileWorkspace } from '../../workspace/compile.ts';

/**
 * - `edited`: the branch holds someone else's commits; tenantctl left it and its pull request alone;
 * - `undone`: not attempted, the GitHub deadline had passed.
 */
export type PrAction = 'created' | 'updated' | 'unchanged' | 'edited' | 'closed' | 'none' | 'skipped' | 'failed' | 'undone';

export interface PrOutcome {
  readonly cluster: string;
  readonly action: PrAction;
  readonly number?: number;
  readonly url?: string;
  /** Why a cluster was skipped or failed; what was adopted. */
  readonly message?: string;
  /** Tenant-file settings the branch adopts. */
  readonly adopted?: number;
  /** The GitHub deadline cut this cluster short: later ones are not started. */
  readonly deadline?: boolean;
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
  /** Epoch milliseconds after which no cluster is started (the GitHub client shares it). */
  readonly deadline?: number;
}

export interface PrCommandResult {
  readonly outcomes: readonly PrOutcome[];
  readonly output: string;
  readonly exitCode: 0 | 3;
}

/** A file of the drift branch as the remote had it at this run's fetch, or undefined. */
async function remoteFile(o: PrCommandOptions, branch: string, path: string): Promise<string | undefined> {
  try {
    return await simpleGit({ baseDir: o.root }).raw(['show', `refs/remotes/${o.remote ?? 'origin'}/${branch}:${path}`]);
  } catch {
    return undefined;
  }
}

/**
 * The report files of the branch, and the audit time the body names: those already on the branch
 * when its findings are the ones of this audit (a newer `generatedAt`, other live-object counts
 * are no reason to push or edit), otherwise this audit's.
 */
async function stableReport(o: PrCommandOptions, cluster: ClusterReport): Promise<{ markdown: string; json: string; generatedAt: string }> {
  const branch = driftBranch(cluster.name);
  const paths = reportPaths(cluster.name);
  const [json, markdown] = [await remoteFile(o, branch, paths.json), await remoteFile(o, branch, paths.markdown)];
  if (json !== undefined && markdown !== undefined) {
    try {
      const previous = JSON.parse(json) as AuditReport;
      const before = previous.clusters?.find((c) => c.name === cluster.name);
      if (before && previous.gitCommit === o.report.gitCommit && JSON.stringify(before.findings) === JSON.stringify(JSON.parse(JSON.stringify(cluster.findings)))) {
        return { markdown, json, generatedAt: previous.generatedAt };
      }
    } catch {
      // Not a report tenantctl wrote: replace it.
    }
  }
  const single = clusterReport(o.report, cluster);
  return { markdown: renderAuditMarkdown(single), json: JSON.stringify(single, null, 2) + '\n', generatedAt: o.report.generatedAt };
}

async function edited(o: PrCommandOptions, cluster: ClusterReport, authors: readonly string[], also = ''): Promise<PrOutcome> {
  const branch = driftBranch(cluster.name);
  const said = await o.github.commentOnce({ owner: o.owner, repo: o.repo, head: branch, marker: EDITED_MARKER, body: editedComment(branch, authors) });
  if (said.action === 'failed') return { cluster: cluster.name, action: 'failed', message: describeFailure(said.failure), deadline: said.failure.deadline };
  const where = said.action === 'none' ? {} : { number: said.number, url: said.url };
  return { cluster: cluster.name, action: 'edited', ...where, message: `${branch} has commits by ${authors.join(', ')}; tenantctl leaves it as it is${also}${said.action === 'commented' ? ' (said so on the pull request)' : ''}` };
}

async function openOrUpdate(o: PrCommandOptions, cluster: ClusterReport, baseCommit: string): Promise<PrOutcome> {
  const remote = o.remote ?? 'origin';
  const branch = driftBranch(cluster.name);
  const built = await buildDriftBranch({ root: o.root, packageRoot: o.packageRoot, cluster, baseCommit, compile: compileWorkspace });
  const paths = reportPaths(cluster.name);
  const report = await stableReport(o, cluster);
  const files: FileChange[] = [...built.files, { path: paths.markdown, content: report.markdown }, { path: paths.json, content: report.json }];
  if (pastDeadline(o)) return undone(cluster, 'the GitHub deadline passed before its branch was pushed');
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
  if (published.action === 'edited') return edited(o, cluster, published.authors);
  // Nothing to propose (cannot happen while the report itself is committed, but never open an empty PR).
  if (published.action === 'same-as-base') return closeIfOpen(o, cluster);
  const body = pullRequestBody({ cluster, plan: built.plan, gitCommit: o.report.gitCommit, generatedAt: report.generatedAt, editedFiles: built.editedFiles });
  const pr = await o.github.upsertPullRequest({ owner: o.owner, repo: o.repo, head: branch, base: o.base, title: pullRequestTitle(cluster), body, labels: pullRequestLabels(cluster) });
  if (pr.action === 'failed') {
    // A branch this run created without its pull request would be half-made: remove it.
    let also = '';
    if (published.action === 'created') {
      const deleted = await deleteBranch({ repoDir: o.root, remote, branch, expected: published.commit });
      also = deleted.action === 'deleted' ? `; deleted the branch ${branch} it had pushed` : `; the branch ${branch} was pushed and could not be deleted again (${deleted.action}): delete it or run again`;
    }
    return { cluster: cluster.name, action: 'failed', message: describeFailure(pr.failure) + also, deadline: pr.failure.deadline };
  }
  // The branch is new or moved, so its pull request was re-read: a body GitHub already had is still an update.
  const action = pr.action === 'unchanged' && published.action === 'updated' ? 'updated' : pr.action;
  return { cluster: cluster.name, action, number: pr.number, url: pr.url, adopted: built.plan.adoptions.length };
}

async function closeIfOpen(o: PrCommandOptions, cluster: ClusterReport): Promise<PrOutcome> {
  const branch = driftBranch(cluster.name);
  const remote = o.remote ?? 'origin';
  const authors = await foreignCommitAuthors({ repoDir: o.root, remote, branch, base: o.base });
  if (authors.length > 0) return edited(o, cluster, authors, ' although the audit is clean: close the pull request and delete the branch when done');
  const closed = await o.github.closePullRequest({ owner: o.owner, repo: o.repo, head: branch, comment: cleanComment(cluster.name, o.report.gitCommit, o.report.generatedAt) });
  if (closed.action === 'failed') return { cluster: cluster.name, action: 'failed', message: describeFailure(closed.failure), deadline: closed.failure.deadline };
  const deleted = await deleteBranch({ repoDir: o.root, remote, branch, base: o.base });
  if (deleted.action === 'failed' || deleted.action === 'conflict') return { cluster: cluster.name, action: 'failed', message: deleted.message };
  if (deleted.action === 'edited') return edited(o, cluster, deleted.authors);
  return closed.action === 'closed' ? { cluster: cluster.name, action: 'closed', number: closed.number, url: closed.url } : { cluster: cluster.name, action: 'none' };
}

function pastDeadline(o: PrCommandOptions): boolean {
  return o.deadline !== undefined && Date.now() >= o.deadline;
}

function undone(cluster: ClusterReport, why: string): PrOutcome {
  return { cluster: cluster.name, action: 'undone', message: `${why}; run again` };
}

export async function prCommand(o: PrCommandOptions): Promise<PrCommandResult> {
  const remote = o.remote ?? 'origin';
  const outcomes: PrOutcome[] = [];
  const baseRef = `refs/remotes/${remote}/${o.base}`;
  let fetched: string | undefined;
  let baseCommit = '';
  try {
    const g = simpleGit({ baseDir: o.root });
    // The drift branches too: what is on them decides whether anything needs pushing.
    await g.raw(['fetch', '--quiet', '--no-tags', '--prune', remote, `+refs/heads/${o.base}:${baseRef}`, `+refs/heads/${DRIFT_BRANCH_PREFIX}*:refs/remotes/${remote}/${DRIFT_BRANCH_PREFIX}*`]);
    // Every branch of this run is built on this one commit, the one its files are computed from.
    baseCommit = (await g.raw(['rev-parse', '--verify', `${baseRef}^{commit}`])).trim();
  } catch (error) {
    fetched = `cannot fetch ${o.base} from "${remote}": ${redactSecrets((error as Error).message.split('\n')[0])}`;
  }
  let stopped = false;
  for (const cluster of o.report.clusters.map(gitFixable)) {
    let outcome: PrOutcome;
    if (cluster.status !== 'ok') outcome = { cluster: cluster.name, action: 'skipped', message: `not audited (${cluster.status}); its pull request is left as it is` };
    else if (fetched) outcome = { cluster: cluster.name, action: 'failed', message: fetched };
    else if (stopped || pastDeadline(o)) outcome = undone(cluster, 'the GitHub deadline passed before it was started');
    else {
      try {
        outcome = cluster.findings.length ? await openOrUpdate(o, cluster, baseCommit) : await closeIfOpen(o, cluster);
      } catch (error) {
        outcome = { cluster: cluster.name, action: 'failed', message: redactSecrets(error instanceof Error ? error.message : String(error)) };
      }
      if (outcome.deadline) stopped = true;
    }
    outcomes.push(outcome);
    o.log?.(formatOutcome(outcome));
  }
  const left = outcomes.filter((x) => x.action === 'failed' || x.action === 'undone');
  const lines = outcomes.map(formatOutcome);
  if (left.length > 0) lines.push(`left undone: ${left.map((x) => x.cluster).join(', ')} (run again to finish)`);
  return { outcomes, output: lines.join('\n'), exitCode: left.length > 0 ? 3 : 0 };
}

function describeFailure(f: GitHubFailure): string {
  return `${f.operation}: ${f.status ? `HTTP ${f.status}, ` : ''}${f.message}${f.hint ? ` (${f.hint})` : ''}`;
}

function formatOutcome(x: PrOutcome): string {
  const where = x.number ? ` #${x.number} ${x.url ?? ''}`.trimEnd() : '';
  const adopted = x.adopted ? ` (adopts ${x.adopted} setting${x.adopted === 1 ? '' : 's'})` : '';
  return `${x.cluster}: ${x.action}${where}${adopted}${x.message ? `: ${x.message}` : ''}`;
}
