/**
 * The drift pull request of one cluster, in intent-level operations.
 *
 * One pull request per head branch: `upsertPullRequest` finds the open one and updates it, or
 * creates it, and when two runs race GitHub's own uniqueness rule (422 "A pull request already
 * exists") decides, after which the loser updates the winner's pull request. Failures come back
 * as data (`action: 'failed'`) with the HTTP status and a hint, so the CLI can print them and
 * exit 3; only programming errors throw. Retries and rate limits are the client's job
 * (`client.ts`), not this module's.
 */
import { isDeadlineError, type GitHub } from './client.ts';

/** GitHub refuses issue and pull request bodies longer than this many characters. */
export const MAX_BODY_LENGTH = 65_536;

export interface UpsertPullRequest {
  readonly owner: string;
  readonly repo: string;
  /** Branch in `owner/repo` the pull request is from, e.g. `tenantctl/drift/eu-1`. */
  readonly head: string;
  /** Branch it targets, e.g. `main`. */
  readonly base: string;
  readonly title: string;
  /** Markdown; cut to MAX_BODY_LENGTH with a note when longer. */
  readonly body: string;
  /** Ensured on the pull request (never removed); created in the repository when missing. */
  readonly labels: readonly string[];
}

export interface ClosePullRequest {
  readonly owner: string;
  readonly repo: string;
  readonly head: string;
  /** Posted before closing, e.g. "The audit of eu-1 is clean again." */
  readonly comment: string;
}

export interface GitHubFailure {
  /** What we were doing, e.g. `create the pull request acme/fleet tenantctl/drift/eu-1 → main`. */
  readonly operation: string;
  /** HTTP status, when GitHub answered (network errors count as 500 after retries). */
  readonly status?: number;
  /** GitHub's message; never holds the token (Octokit redacts it). */
  readonly message: string;
  /** How to fix it, when the status tells. */
  readonly hint?: string;
  /** The client's overall deadline passed: later calls fail at once, so the caller stops. */
  readonly deadline?: boolean;
}

export type UpsertResult =
  | { readonly action: 'created' | 'updated' | 'unchanged'; readonly number: number; readonly url: string; readonly labelsAdded: readonly string[] }
  | { readonly action: 'failed'; readonly failure: GitHubFailure };

export type CloseResult =
  | { readonly action: 'closed'; readonly number: number; readonly url: string }
  | { readonly action: 'none' }
  | { readonly action: 'failed'; readonly failure: GitHubFailure };

export interface CommentOnce {
  readonly owner: string;
  readonly repo: string;
  readonly head: string;
  /** Text that only this comment holds (an HTML comment): when a comment holds it, nothing is posted. */
  readonly marker: string;
  /** Posted as is; must contain `marker`. */
  readonly body: string;
}

export type CommentOnceResult =
  | { readonly action: 'commented' | 'already'; readonly number: number; readonly url: string }
  | { readonly action: 'none' }
  | { readonly action: 'failed'; readonly failure: GitHubFailure };

/** What the CLI needs; an interface so command tests can pass a fake. */
export interface PullRequestAdapter {
  upsertPullRequest(request: UpsertPullRequest): Promise<UpsertResult>;
  closePullRequest(request: ClosePullRequest): Promise<CloseResult>;
  /** Comments on the open pull request of `head` unless a comment with `marker` is there already. */
  commentOnce(request: CommentOnce): Promise<CommentOnceResult>;
}

export interface PullRequestAdapterOptions {
  /** Colour (6 hex digits, no `#`) for a label this adapter creates. @default defaultLabelColor */
  readonly labelColor?: (name: string) => string;
}

/** `drift` orange, `policy` purple, anything else (cluster names) blue. */
export function defaultLabelColor(name: string): string {
  return { drift: 'd93f0b', policy: '5319e7' }[name] ?? '1d76db';
}

/** Cuts `body` to GitHub's limit, ending with a note that says so; never splits a surrogate pair. */
export function truncateBody(body: string, limit = MAX_BODY_LENGTH): string {
  if (body.length <= limit) return body;
  const note = `\n\n---\n_Truncated: the full report has ${body.length.toLocaleString('en-US')} characters, over GitHub's limit of ${limit.toLocaleString('en-US')}. Run \`tenantctl audit\` for all of it._\n`;
  const withNote = note.length < limit;
  let end = withNote ? limit - note.length : limit;
  const code = body.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return body.slice(0, end) + (withNote ? note : '');
}

/** Thrown inside this module only, to carry a failure out of nested steps. */
class StepFailed extends Error {
  constructor(readonly failure: GitHubFailure) {
    super(failure.message);
  }
}

interface OpenPullRequest {
  readonly number: number;
  readonly url: string;
  readonly title: string;
  readonly body: string | null;
  readonly base: string;
  readonly labels: readonly string[];
}

/** The adapter over a client from `createGitHub`; every call is one intent, its failures are data. */
export function pullRequestAdapter(github: GitHub, options: PullRequestAdapterOptions = {}): PullRequestAdapter {
  const labelColor = options.labelColor ?? defaultLabelColor;

  /** Runs one API call; a GitHub error becomes StepFailed, anything else (a bug) propagates. */
  async function step<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StepFailed(failureOf(operation, error));
    }
  }

  async function findOpen(owner: string, repo: string, head: string): Promise<OpenPullRequest | undefined> {
    const { data } = await step(`list open pull requests of ${owner}/${repo} from ${head}`, () =>
      github.rest.pulls.list({ owner, repo, head: `${owner}:${head}`, state: 'open', per_page: 100 }),
    );
    // Oldest first: if a person opened a second one by hand, keep updating the original.
    const pr = [...data].sort((a, b) => a.number - b.number)[0];
    if (!pr) return undefined;
    return { number: pr.number, url: pr.html_url, title: pr.title, body: pr.body, base: pr.base.ref, labels: pr.labels.map((l) => l.name) };
  }

  async function ensureRepositoryLabels(owner: string, repo: string, labels: readonly string[]): Promise<void> {
    const existing = await step(`list labels of ${owner}/${repo}`, () => github.paginate(github.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 }));
    const known = new Set(existing.map((l) => l.name.toLowerCase()));
    for (const name of labels.filter((l) => !known.has(l.toLowerCase()))) {
      try {
        await github.rest.issues.createLabel({ owner, repo, name, color: labelColor(name) });
      } catch (error) {
        // Another run created it between our list and this call.
        if (isRequestError(error) && error.status === 422 && /already_exists|already exists/i.test(error.message)) continue;
        throw new StepFailed(failureOf(`create the label "${name}" in ${owner}/${repo}`, error));
      }
    }
  }

  async function create(request: UpsertPullRequest, body: string): Promise<OpenPullRequest | 'exists'> {
    const { owner, repo, head, base, title } = request;
    try {
      const { data } = await github.rest.pulls.create({ owner, repo, head, base, title, body });
      return { number: data.number, url: data.html_url, title: data.title, body: data.body, base: data.base.ref, labels: data.labels.map((l) => l.name) };
    } catch (error) {
      if (isRequestError(error) && error.status === 422 && /pull request already exists/i.test(error.message)) return 'exists';
      throw new StepFailed(failureOf(`create the pull request ${owner}/${repo} ${head} → ${base}`, error));
    }
  }

  async function upsert(request: UpsertPullRequest): Promise<UpsertResult> {
    const { owner, repo, head, base, title } = request;
    const body = truncateBody(request.body);
    const labels = [...new Set(request.labels)];
    // Labels first: a failure here leaves no pull request behind.
    await ensureRepositoryLabels(owner, repo, labels);

    let pr = await findOpen(owner, repo, head);
    let action: 'created' | 'updated' | 'unchanged' = 'unchanged';
    if (!pr) {
      const made = await create(request, body);
      if (made === 'exists') {
        pr = await findOpen(owner, repo, head);
        // Holding exactly what we sent, it was made moments ago by our own first attempt (its
        // answer lost, the retry refused) or by a twin run: for this run it is new, not updated.
        if (pr && pr.title === title && (pr.body ?? '') === body && pr.base === base) action = 'created';
        if (!pr) {
          throw new StepFailed({
            operation: `create the pull request ${owner}/${repo} ${head} → ${base}`,
            status: 422,
            message: 'GitHub says a pull request from this branch exists, but none is open',
            hint: 'Run again; a pull request was probably closed at the same moment.',
          });
        }
      } else {
        pr = made;
        action = 'created';
      }
    }
    const created = action === 'created';
    const number = pr.number;
    try {
      if (!created && (pr.title !== title || (pr.body ?? '') !== body || pr.base !== base)) {
        await step(`update pull request #${number} of ${owner}/${repo}`, () => github.rest.pulls.update({ owner, repo, pull_number: number, title, body, base }));
        action = 'updated';
      }
      const present = new Set(pr.labels.map((l) => l.toLowerCase()));
      const missing = labels.filter((l) => !present.has(l.toLowerCase()));
      if (missing.length > 0) {
        await step(`add labels to #${number} of ${owner}/${repo}`, () => github.rest.issues.addLabels({ owner, repo, issue_number: number, labels: missing }));
        if (!created) action = 'updated';
      }
      return { action, number, url: pr.url, labelsAdded: missing };
    } catch (error) {
      if (created && error instanceof StepFailed) throw new StepFailed(await rollBack(owner, repo, number, error.failure));
      throw error;
    }
  }

  /** Closes a pull request this call created, so a failed run leaves no half-made one open. */
  async function rollBack(owner: string, repo: string, number: number, failure: GitHubFailure): Promise<GitHubFailure> {
    try {
      await github.rest.pulls.update({ owner, repo, pull_number: number, state: 'closed' });
      return { ...failure, message: `${failure.message} (closed the new pull request #${number} again)` };
    } catch {
      return { ...failure, message: `${failure.message} (pull request #${number} was created and could not be closed again; close it by hand)` };
    }
  }

  async function close(request: ClosePullRequest): Promise<CloseResult> {
    const { owner, repo, head, comment } = request;
    const pr = await findOpen(owner, repo, head);
    if (!pr) return { action: 'none' };
    // Close first: a close that fails and is retried by the next run must not post the comment twice.
    await step(`close #${pr.number} of ${owner}/${repo}`, () => github.rest.pulls.update({ owner, repo, pull_number: pr.number, state: 'closed' }));
    await step(`comment on #${pr.number} of ${owner}/${repo}`, () => github.rest.issues.createComment({ owner, repo, issue_number: pr.number, body: truncateBody(comment) }));
    return { action: 'closed', number: pr.number, url: pr.url };
  }

  async function commentOnce(request: CommentOnce): Promise<CommentOnceResult> {
    const { owner, repo, head, marker, body } = request;
    const pr = await findOpen(owner, repo, head);
    if (!pr) return { action: 'none' };
    const comments = await step(`list comments of #${pr.number} of ${owner}/${repo}`, () =>
      github.paginate(github.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 }));
    if (comments.some((c) => (c.body ?? '').includes(marker))) return { action: 'already', number: pr.number, url: pr.url };
    await step(`comment on #${pr.number} of ${owner}/${repo}`, () => github.rest.issues.createComment({ owner, repo, issue_number: pr.number, body: truncateBody(body) }));
    return { action: 'commented', number: pr.number, url: pr.url };
  }

  return {
    upsertPullRequest: (request) => asData(() => upsert(request)),
    closePullRequest: (request) => asData(() => close(request)),
    commentOnce: (request) => asData(() => commentOnce(request)),
  };
}

async function asData<T>(run: () => Promise<T>): Promise<T | { action: 'failed'; failure: GitHubFailure }> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StepFailed) return { action: 'failed', failure: error.failure };
    throw error;
  }
}

/**
 * A failed call as data: GitHub's answer, a network failure after retries, or the deadline.
 * Anything else is a bug and is thrown on.
 */
function failureOf(operation: string, error: unknown): GitHubFailure {
  if (isDeadlineError(error)) {
    return { operation, message: error.message, hint: 'GitHub did not answer before the deadline; nothing after this step was done. Run again.', deadline: true };
  }
  if (!isRequestError(error)) throw error;
  return { operation, status: error.status, message: error.message, hint: hintFor(error.status, error.message) };
}

/** An error from Octokit's request layer (HTTP status, or 500 for a network failure). */
function isRequestError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && !isDeadlineError(error) && typeof (error as { status?: unknown }).status === 'number' && 'request' in error;
}

function hintFor(status: number, message: string): string | undefined {
  if (status === 401) return 'The token was refused: check GITHUB_TOKEN (expired, or for another host).';
  if ((status === 403 || status === 429) && /rate limit/i.test(message)) return 'Rate limited by GitHub for longer than tenantctl waits; run again later.';
  if (status === 403) return 'The token lacks permission: it needs "pull-requests: write" and "issues: write" (or the repo scope).';
  if (status === 404) return 'Repository not found, or the token cannot see it: check --repo and the token.';
  if (status === 422 && /head/i.test(message)) return 'GitHub does not know the head branch: push it before opening the pull request.';
  if (status >= 500) return 'GitHub or the network failed repeatedly; run again later.';
  return undefined;
}
