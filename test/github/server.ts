/**
 * A local GitHub REST server for one repository: the subset `lib/github/pull-requests.ts` uses,
 * answering the way GitHub does (status codes, error bodies, rate-limit headers) so the real
 * @octokit/rest with its retry and throttling plugins can be tested without the network.
 * Bodies and responses are typed in `schemas.ts` from `@octokit/openapi-types`.
 *
 * Faults are injected per route (`failNext`), every request is logged (`requests`), and when a
 * bare repository is given, creating a pull request checks that the head branch exists in it.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import {
  SchemaBuilder,
  type AddLabelsBody,
  type AddLabelsResponse,
  type BasicError,
  type CreateCommentBody,
  type CreateCommentResponse,
  type ListCommentsResponse,
  type CreateLabelBody,
  type CreateLabelResponse,
  type CreatePullBody,
  type CreatePullResponse,
  type GetPullResponse,
  type GetRepositoryResponse,
  type ListLabelsResponse,
  type ListPullsResponse,
  type StoredLabel,
  type StoredPull,
  type UpdatePullBody,
  type UpdatePullResponse,
  type ValidationError,
} from './schemas.ts';

export interface FakeGitHubOptions {
  readonly owner?: string;
  readonly repo?: string;
  readonly defaultBranch?: string;
  /** When set, only this token is accepted. @default any token */
  readonly token?: string;
  /** Bare repository standing in for the GitHub repository: head branches must exist in it. */
  readonly bareRepo?: string;
  /** Serve under `/api/v3` like GitHub Enterprise Server. @default false */
  readonly enterprise?: boolean;
}

export interface Fault {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** How many matching requests fail. @default 1 */
  readonly times?: number;
  /** Never answer (the connection stays open until the server closes); `status` is then unused. */
  readonly hang?: boolean;
  /** Carry the request out, then answer with the fault: a response lost on the way back. */
  readonly afterHandling?: boolean;
}

/** A request GitHub accepts and never answers. */
export function hangFault(times = 1): Fault {
  return { status: 0, hang: true, times };
}

export interface LoggedRequest {
  readonly method: string;
  /** Route template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  readonly route: string;
  /** Path and query as sent, without the `/api/v3` prefix. */
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

export interface FakeGitHub {
  /** Pass as `baseUrl` to the client. */
  readonly url: string;
  readonly owner: string;
  readonly repo: string;
  readonly requests: LoggedRequest[];
  pulls(): readonly StoredPull[];
  labels(): readonly StoredLabel[];
  /** The next `times` requests matching `method` and the route template or literal path fail. */
  failNext(method: string, path: string | RegExp, fault: Fault): void;
  /** The next `count` matching requests are held until all have arrived, then answered: forces a race. */
  barrier(method: string, path: string | RegExp, count: number): void;
  close(): Promise<void>;
}

/** 403 as GitHub sends it when the hourly quota is used up; `resetIn` seconds until it refills. */
export function rateLimitFault(resetIn = 0, status: 403 | 429 = 403): Fault {
  return {
    status,
    headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetIn) },
    body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' },
  };
}

/** 403/429 as GitHub sends it for a secondary (abuse) rate limit, with `retry-after`. */
export function secondaryRateLimitFault(retryAfter = 1, status: 403 | 429 = 429): Fault {
  return {
    status,
    headers: { 'retry-after': String(retryAfter) },
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
  };
}

type Handler = (request: Routed) => Promise<Reply> | Reply;
interface Routed {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}
interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

const DOCS = 'https://docs.github.com/rest';
const run = promisify(execFile);

/** The served repository's state and GitHub's rules for it, one method per endpoint. */
class FakeRepository {
  readonly pulls: StoredPull[] = [];
  readonly labels: StoredLabel[] = [];
  private nextLabelId = 1;
  private nextCommentId = 1;

  constructor(
    readonly schemas: SchemaBuilder,
    private readonly bareRepo: string | undefined,
  ) {}

  /** Method, route template and handler of every endpoint served. */
  routes(): [string, string, Handler][] {
    return [
      ['GET', '/repos/{owner}/{repo}', () => ({ status: 200, body: this.schemas.fullRepository() satisfies GetRepositoryResponse })],
      ['GET', '/repos/{owner}/{repo}/pulls', (r) => this.listPulls(r)],
      ['POST', '/repos/{owner}/{repo}/pulls', (r) => this.createPull(r)],
      ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}', (r) => this.getPull(r)],
      ['PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}', (r) => this.updatePull(r)],
      ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (r) => this.createComment(r)],
      ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (r) => this.listComments(r)],
      ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', (r) => this.addLabels(r)],
      ['GET', '/repos/{owner}/{repo}/labels', () => ({ status: 200, body: this.labels.map((l) => this.schemas.label(l)) satisfies ListLabelsResponse })],
      ['POST', '/repos/{owner}/{repo}/labels', (r) => this.createLabel(r)],
    ];
  }

  private listPulls({ query }: Routed): Reply {
    const state = query.get('state') ?? 'open';
    const head = query.get('head');
    const base = query.get('base');
    const matching = this.pulls
      .filter((p) => state === 'all' || p.state === state)
      .filter((p) => !head || `${this.schemas.owner}:${p.head}` === head)
      .filter((p) => !base || p.base === base)
      .sort((a, b) => b.number - a.number);
    return { status: 200, body: matching.map((p) => this.schemas.pullSimple(p, this.labelsOf(p))) satisfies ListPullsResponse };
  }

  private async createPull({ body }: Routed): Promise<Reply> {
    const input = body as CreatePullBody;
    if (typeof input?.head !== 'string' || typeof input.base !== 'string' || typeof input.title !== 'string') {
      return validation([{ resource: 'PullRequest', field: 'head', code: 'missing_field' }]);
    }
    const head = input.head.replace(new RegExp(`^${this.schemas.owner}:`), '');
    const [headSha, baseSha] = [await this.branchSha(head), await this.branchSha(input.base)];
    if (!headSha) return validation([{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    if (!baseSha) return validation([{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
    if (this.bareRepo && headSha === baseSha) {
      return validation([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${input.base} and ${head}` }]);
    }
    // After the awaits, check and insert in one synchronous step: GitHub's uniqueness is atomic.
    if (this.openDuplicate(head)) return this.duplicate(head);
    const at = now();
    const pr: StoredPull = { number: this.pulls.length + 1, title: input.title, body: input.body ?? null, head, headSha, base: input.base, state: 'open', labels: [], createdAt: at, updatedAt: at, closedAt: null, comments: [] };
    this.pulls.push(pr);
    const location = `${this.schemas.api}/repos/${this.schemas.owner}/${this.schemas.repo}/pulls/${pr.number}`;
    return { status: 201, body: this.schemas.pull(pr, []) satisfies CreatePullResponse, headers: { location } };
  }

  private getPull({ params }: Routed): Reply {
    const pr = this.findPull(params.pull_number);
    return pr ? { status: 200, body: this.schemas.pull(pr, this.labelsOf(pr)) satisfies GetPullResponse } : notFound();
  }

  private updatePull({ params, body }: Routed): Reply {
    const pr = this.findPull(params.pull_number);
    if (!pr) return notFound();
    const input = (body ?? {}) as UpdatePullBody;
    if (input.state === 'open' && pr.state === 'closed' && this.openDuplicate(pr.head, pr.number)) return this.duplicate(pr.head);
    if (input.title !== undefined) pr.title = input.title;
    if (input.body !== undefined) pr.body = input.body;
    if (input.base !== undefined) pr.base = input.base;
    if (input.state !== undefined && input.state !== pr.state) {
      pr.state = input.state;
      pr.closedAt = input.state === 'closed' ? now() : null;
    }
    pr.updatedAt = now();
    return { status: 200, body: this.schemas.pull(pr, this.labelsOf(pr)) satisfies UpdatePullResponse };
  }

  private createComment({ params, body }: Routed): Reply {
    const pr = this.findPull(params.issue_number);
    if (!pr) return notFound();
    const input = body as CreateCommentBody;
    if (typeof input?.body !== 'string') return validation([{ resource: 'IssueComment', field: 'body', code: 'missing_field' }]);
    const comment = { id: this.nextCommentId++, body: input.body, createdAt: now() };
    pr.comments.push(comment);
    return { status: 201, body: this.schemas.comment(pr, comment) satisfies CreateCommentResponse };
  }

  private listComments({ params }: Routed): Reply {
    const pr = this.findPull(params.issue_number);
    if (!pr) return notFound();
    return { status: 200, body: pr.comments.map((c) => this.schemas.comment(pr, c)) satisfies ListCommentsResponse };
  }

  private addLabels({ params, body }: Routed): Reply {
    const pr = this.findPull(params.issue_number);
    if (!pr) return notFound();
    // GitHub accepts `{labels: [...]}` or a bare array, names or `{name}` objects, and creates unknown labels.
    const input = (Array.isArray(body) ? { labels: body } : body) as AddLabelsBody;
    for (const entry of input?.labels ?? []) {
      const label = this.ensureLabel(typeof entry === 'string' ? entry : entry.name);
      if (!pr.labels.includes(label.name)) pr.labels.push(label.name);
    }
    return { status: 200, body: this.labelsOf(pr).map((l) => this.schemas.label(l)) satisfies AddLabelsResponse };
  }

  private createLabel({ body }: Routed): Reply {
    const input = body as CreateLabelBody;
    if (typeof input?.name !== 'string') return validation([{ resource: 'Label', field: 'name', code: 'missing_field' }]);
    if (this.labels.some((l) => l.name.toLowerCase() === input.name.toLowerCase())) {
      return validation([{ resource: 'Label', field: 'name', code: 'already_exists' }]);
    }
    return { status: 201, body: this.schemas.label(this.ensureLabel(input.name, input.color, input.description ?? null)) satisfies CreateLabelResponse };
  }

  private findPull(n: string): StoredPull | undefined {
    return this.pulls.find((p) => p.number === Number(n));
  }

  private labelsOf(pr: StoredPull): StoredLabel[] {
    return pr.labels.map((name) => this.labels.find((l) => l.name === name)!);
  }

  private openDuplicate(head: string, except?: number): StoredPull | undefined {
    return this.pulls.find((p) => p.state === 'open' && p.head === head && p.number !== except);
  }

  /** GitHub's answer to a second open pull request from the same branch. */
  private duplicate(head: string): Reply {
    return validation([{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${this.schemas.owner}:${head}.` }]);
  }

  private ensureLabel(name: string, color = 'ededed', description: string | null = null): StoredLabel {
    const existing = this.labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing;
    const label = { id: this.nextLabelId++, name, color, description };
    this.labels.push(label);
    return label;
  }

  /** The branch's commit in the bare repository; any branch "exists" without one. */
  private async branchSha(branch: string): Promise<string | undefined> {
    if (!this.bareRepo) return 'f'.repeat(40);
    try {
      return (await run('git', ['--git-dir', this.bareRepo, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])).stdout.trim();
    } catch {
      return undefined;
    }
  }
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function validation(errors: ValidationError['errors']): Reply {
  return { status: 422, body: { message: 'Validation Failed', errors, documentation_url: DOCS } satisfies ValidationError };
}

function notFound(): Reply {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } satisfies BasicError };
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'fleet';
  const prefix = options.enterprise ? '/api/v3' : '';
  const requests: LoggedRequest[] = [];
  const faults: { method: string; path: string | RegExp; fault: Fault; left: number }[] = [];
  const barriers: { method: string; path: string | RegExp; waiting: (() => void)[]; count: number }[] = [];
  // Filled once the port, and so the URLs in responses, are known.
  let routes: ReturnType<FakeRepository['routes']> = [];

  function match(method: string, path: string): { route: string; handler: Handler; params: Record<string, string> } | undefined {
    for (const [m, route, handler] of routes) {
      if (m !== method) continue;
      const names: string[] = [];
      const pattern = new RegExp(`^${route.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
      const found = pattern.exec(path);
      if (found) return { route, handler, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(found[i + 1])])) };
    }
    return undefined;
  }

  const matches = (f: { method: string; path: string | RegExp }, method: string, route: string, path: string) =>
    f.method === method && (f.path instanceof RegExp ? f.path.test(path) : f.path === route || f.path === path);

  async function passBarrier(method: string, route: string, path: string): Promise<void> {
    const barrier = barriers.find((b) => matches(b, method, route, path));
    if (!barrier) return;
    const arrived = new Promise<void>((resolve) => barrier.waiting.push(resolve));
    if (barrier.waiting.length >= barrier.count) {
      barriers.splice(barriers.indexOf(barrier), 1);
      for (const release of barrier.waiting) release();
    }
    await arrived;
  }

  function takeFault(method: string, route: string, path: string): Fault | undefined {
    const index = faults.findIndex((f) => matches(f, method, route, path));
    if (index < 0) return undefined;
    const entry = faults[index];
    if (--entry.left <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  async function handle(req: IncomingMessage): Promise<Reply & { route: string; path: string; requestBody: unknown }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let requestBody: unknown;
    try {
      requestBody = text ? JSON.parse(text) : undefined;
    } catch {
      return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS }, route: '', path, requestBody: text };
    }
    const found = match(req.method ?? 'GET', path);
    const route = found?.route ?? '';
    const base = { route, path: path + url.search, requestBody };
    const auth = req.headers.authorization ?? '';
    const token = /^(?:token|bearer) (\S+)$/i.exec(auth)?.[1];
    if (!token || (options.token !== undefined && token !== options.token)) {
      return { ...base, status: 401, body: { message: 'Bad credentials', documentation_url: DOCS } satisfies BasicError };
    }
    const fault = takeFault(req.method ?? 'GET', route, path);
    if (fault?.hang) await new Promise<never>(() => {});
    if (fault?.afterHandling && found && found.params.owner === owner && found.params.repo === repo) {
      await found.handler({ params: found.params, query: url.searchParams, body: requestBody });
    }
    if (fault) return { ...base, status: fault.status, headers: fault.headers, body: fault.body ?? { message: 'Server Error', documentation_url: DOCS } };
    if (!found || found.params.owner !== owner || found.params.repo !== repo) return { ...base, ...notFound() };
    await passBarrier(req.method ?? 'GET', route, path);
    return { ...base, ...(await found.handler({ params: found.params, query: url.searchParams, body: requestBody })) };
  }

  const server = createServer((req, res: ServerResponse) => {
    handle(req).then(
      (reply) => {
        requests.push({ method: req.method ?? 'GET', route: reply.route, path: reply.path, status: reply.status, body: reply.requestBody });
        const reset = String(Math.floor(Date.now() / 1000) + 3600);
        res.writeHead(reply.status, {
          'content-type': 'application/json; charset=utf-8',
          'x-github-api-version-selected': '2022-11-28',
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '4999',
          'x-ratelimit-reset': reset,
          ...reply.headers,
        });
        res.end(JSON.stringify(reply.body));
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake GitHub failed: ${String(error)}` }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
  const state = new FakeRepository(new SchemaBuilder(url, owner, repo, options.defaultBranch ?? 'main'), options.bareRepo);
  routes = state.routes();

  return {
    url,
    owner,
    repo,
    requests,
    pulls: () => state.pulls,
    labels: () => state.labels,
    failNext: (method, path, fault) => faults.push({ method: method.toUpperCase(), path, fault, left: fault.times ?? 1 }),
    barrier: (method, path, count) => barriers.push({ method: method.toUpperCase(), path, waiting: [], count }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
