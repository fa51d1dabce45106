/**
 * GitHub REST objects for the local server, typed with `@octokit/openapi-types` so that a field
 * GitHub adds as required, renames or retypes breaks `tsc` here instead of silently diverging.
 * Only values the adapter reads (number, state, title, body, labels, head, base, html_url) carry
 * meaning; the rest are plausible constants.
 */
import type { components, paths } from '@octokit/openapi-types';

type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Pulls = paths['/repos/{owner}/{repo}/pulls'];
type Pull = paths['/repos/{owner}/{repo}/pulls/{pull_number}'];
type RepoLabels = paths['/repos/{owner}/{repo}/labels'];
type IssueLabels = paths['/repos/{owner}/{repo}/issues/{issue_number}/labels'];
type IssueComments = paths['/repos/{owner}/{repo}/issues/{issue_number}/comments'];

export type ListPullsResponse = Json<Pulls['get']['responses'][200]>;
export type CreatePullBody = Json<Pulls['post']['requestBody']>;
export type CreatePullResponse = Json<Pulls['post']['responses'][201]>;
export type GetPullResponse = Json<Pull['get']['responses'][200]>;
export type UpdatePullBody = Json<NonNullable<Pull['patch']['requestBody']>>;
export type UpdatePullResponse = Json<Pull['patch']['responses'][200]>;
export type ListLabelsResponse = Json<RepoLabels['get']['responses'][200]>;
export type CreateLabelBody = Json<RepoLabels['post']['requestBody']>;
export type CreateLabelResponse = Json<RepoLabels['post']['responses'][201]>;
export type AddLabelsBody = Json<NonNullable<IssueLabels['post']['requestBody']>>;
export type AddLabelsResponse = Json<IssueLabels['post']['responses'][200]>;
export type CreateCommentBody = Json<IssueComments['post']['requestBody']>;
export type CreateCommentResponse = Json<IssueComments['post']['responses'][201]>;
export type ListCommentsResponse = Json<IssueComments['get']['responses'][200]>;
export type GetRepositoryResponse = Json<paths['/repos/{owner}/{repo}']['get']['responses'][200]>;
export type ValidationError = Schemas['validation-error'];
export type BasicError = Schemas['basic-error'];

/** A pull request as the server stores it. */
export interface StoredPull {
  readonly number: number;
  title: string;
  body: string | null;
  /** Branch name in the served repository. */
  readonly head: string;
  headSha: string;
  base: string;
  state: 'open' | 'closed';
  labels: string[];
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: StoredComment[];
}

export interface StoredComment {
  readonly id: number;
  readonly body: string;
  readonly createdAt: string;
}

export interface StoredLabel {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  readonly description: string | null;
}

/** Builds response objects for one served repository. */
export class SchemaBuilder {
  constructor(
    readonly api: string,
    readonly owner: string,
    readonly repo: string,
    readonly defaultBranch: string,
  ) {}

  get web(): string {
    return this.api.replace(/\/api\/v3$/, '');
  }

  user(login = this.owner): Schemas['simple-user'] {
    const url = `${this.api}/users/${login}`;
    return {
      login,
      id: 1,
      node_id: 'U_1',
      avatar_url: `${this.web}/avatars/${login}`,
      gravatar_id: null,
      html_url: `${this.web}/${login}`,
      type: 'Organization',
      site_admin: false,
      ...urlFields(url, ['url', 'followers_url', 'following_url', 'gists_url', 'starred_url', 'subscriptions_url', 'organizations_url', 'repos_url', 'events_url', 'received_events_url']),
    };
  }

  repository(): Schemas['repository'] {
    const url = `${this.api}/repos/${this.owner}/${this.repo}`;
    return {
      ...urlFields(url, REPOSITORY_URL_FIELDS),
      id: 1,
      node_id: 'R_1',
      name: this.repo,
      full_name: `${this.owner}/${this.repo}`,
      license: null,
      forks: 0,
      owner: this.user(),
      private: true,
      html_url: `${this.web}/${this.owner}/${this.repo}`,
      description: null,
      fork: false,
      url,
      git_url: `git://${new URL(this.web).host}/${this.owner}/${this.repo}.git`,
      ssh_url: `git@${new URL(this.web).host}:${this.owner}/${this.repo}.git`,
      clone_url: `${this.web}/${this.owner}/${this.repo}.git`,
      svn_url: `${this.web}/${this.owner}/${this.repo}`,
      mirror_url: null,
      homepage: null,
      language: 'TypeScript',
      forks_count: 0,
      stargazers_count: 0,
      watchers_count: 0,
      size: 1,
      default_branch: this.defaultBranch,
      open_issues_count: 0,
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      archived: false,
      disabled: false,
      pushed_at: EPOCH,
      created_at: EPOCH,
      updated_at: EPOCH,
      open_issues: 0,
      watchers: 0,
    };
  }

  fullRepository(): GetRepositoryResponse {
    return {
      ...this.repository(),
      has_discussions: false,
      pushed_at: EPOCH,
      created_at: EPOCH,
      updated_at: EPOCH,
      subscribers_count: 0,
      network_count: 0,
    };
  }

  label(label: StoredLabel): Schemas['label'] {
    const { id, name, color, description } = label;
    return { id, node_id: `LA_${id}`, url: `${this.api}/repos/${this.owner}/${this.repo}/labels/${encodeURIComponent(name)}`, name, color, description, default: false };
  }

  pull(pr: StoredPull, labels: readonly StoredLabel[]): Schemas['pull-request'] {
    return {
      ...this.pullCommon(pr),
      user: this.user(),
      labels: labels.map((l) => this.label(l)),
      head: { ...this.branch(pr.head, pr.headSha), user: this.user() },
      base: { ...this.branch(pr.base, BASE_SHA), user: this.user() },
      merged: false,
      mergeable: null,
      mergeable_state: 'unknown',
      merged_by: null,
      comments: pr.comments.length,
      review_comments: 0,
      maintainer_can_modify: true,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  pullSimple(pr: StoredPull, labels: readonly StoredLabel[]): Schemas['pull-request-simple'] {
    return {
      ...this.pullCommon(pr),
      user: this.user(),
      labels: labels.map((l) => ({ ...this.label(l), description: l.description ?? '' })),
      head: { ...this.branch(pr.head, pr.headSha), user: this.user() },
      base: { ...this.branch(pr.base, BASE_SHA), user: this.user() },
    };
  }

  comment(pr: StoredPull, comment: StoredComment): Schemas['issue-comment'] {
    const issueUrl = `${this.api}/repos/${this.owner}/${this.repo}/issues/${pr.number}`;
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${this.api}/repos/${this.owner}/${this.repo}/issues/comments/${comment.id}`,
      html_url: `${this.web}/${this.owner}/${this.repo}/pull/${pr.number}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.user(),
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
      issue_url: issueUrl,
      author_association: 'MEMBER',
    };
  }

  /** Fields `pull-request` and `pull-request-simple` share. */
  private pullCommon(pr: StoredPull) {
    const api = `${this.api}/repos/${this.owner}/${this.repo}`;
    const html = `${this.web}/${this.owner}/${this.repo}/pull/${pr.number}`;
    const link = (href: string): Schemas['link'] => ({ href });
    return {
      url: `${api}/pulls/${pr.number}`,
      id: 1000 + pr.number,
      node_id: `PR_${pr.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${pr.number}`,
      commits_url: `${api}/pulls/${pr.number}/commits`,
      review_comments_url: `${api}/pulls/${pr.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pr.number}/comments`,
      statuses_url: `${api}/statuses/${pr.headSha}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      body: pr.body,
      milestone: null,
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
      closed_at: pr.closedAt,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      _links: {
        comments: link(`${api}/issues/${pr.number}/comments`),
        commits: link(`${api}/pulls/${pr.number}/commits`),
        statuses: link(`${api}/statuses/${pr.headSha}`),
        html: link(html),
        issue: link(`${api}/issues/${pr.number}`),
        review_comments: link(`${api}/pulls/${pr.number}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        self: link(`${api}/pulls/${pr.number}`),
      },
      author_association: 'MEMBER' as const,
      auto_merge: null,
      draft: false,
    } satisfies Partial<Schemas['pull-request']> & Partial<Schemas['pull-request-simple']>;
  }

  private branch(ref: string, sha: string) {
    return { label: `${this.owner}:${ref}`, ref, sha, repo: this.repository() };
  }
}

export const EPOCH = '2024-01-01T00:00:00Z';
/** Stands in for the base branch's commit when no bare repository backs the server. */
export const BASE_SHA = '0'.repeat(40);

/** Every `*_url` field of `repository`: a missing one is a missing required property below. */
const REPOSITORY_URL_FIELDS = [
  'archive_url', 'assignees_url', 'blobs_url', 'branches_url', 'collaborators_url', 'comments_url', 'commits_url',
  'compare_url', 'contents_url', 'contributors_url', 'deployments_url', 'downloads_url', 'events_url', 'forks_url',
  'git_commits_url', 'git_refs_url', 'git_tags_url', 'issue_comment_url', 'issue_events_url', 'issues_url', 'keys_url',
  'labels_url', 'languages_url', 'merges_url', 'milestones_url', 'notifications_url', 'pulls_url', 'releases_url',
  'stargazers_url', 'statuses_url', 'subscribers_url', 'subscription_url', 'tags_url', 'teams_url', 'trees_url', 'hooks_url',
] as const;

/** `{x_url: base/x}` for each key, typed so a missing required key fails to compile where spread. */
function urlFields<K extends string>(base: string, keys: readonly K[]): Record<K, string> {
  return Object.fromEntries(keys.map((k) => [k, k === 'url' ? base : `${base}/${k.replace(/_url$/, '')}`])) as Record<K, string>;
}
