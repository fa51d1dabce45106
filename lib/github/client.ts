/**
 * The one place that builds a GitHub client.
 *
 * @octokit/rest with two plugins: `retry` for 5xx and network failures (a drift run in CI should
 * survive a GitHub hiccup) and `throttling` for rate limits (403/429 with rate-limit headers), so
 * the adapter in `pull-requests.ts` never sleeps or retries by itself. Backoff and write spacing
 * are options so tests against the local server in `test/github/server.ts` run in milliseconds.
 * Nothing here reads `process.env`: the CLI passes the token in.
 *
 * Two gaps of the plugins are closed here: a 403/429 that carries `retry-after` but neither of the
 * forms the throttling plugin recognizes (the words "secondary rate", or `x-ratelimit-remaining: 0`)
 * is waited out and retried too; and no request waits forever: each attempt has a timeout (a
 * hang counts as a network error, which is retried) and the client an overall deadline, after
 * which every request fails at once with GitHubDeadlineError, never retried.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';

/** The client type the adapter takes: @octokit/rest with the retry and throttling plugins. */
export const TenantctlOctokit = Octokit.plugin(retry, throttling);
export type GitHub = InstanceType<typeof TenantctlOctokit>;

/** Called when a rate limit is hit, before deciding to wait; for progress output. */
export type RateLimitListener = (event: RateLimitEvent) => void;

export interface RateLimitEvent {
  /** `primary`: the hourly quota (`x-ratelimit-remaining: 0`); `secondary`: abuse limits, `retry-after`. */
  readonly kind: 'primary' | 'secondary';
  /** e.g. `POST /repos/{owner}/{repo}/pulls`. */
  readonly request: string;
  /** Seconds GitHub asked us to wait. */
  readonly retryAfterSeconds: number;
  /** Attempts already retried for this request (0 on the first limit). */
  readonly retryCount: number;
  /** Whether the client will wait and retry, or give up and let the call fail. */
  readonly willRetry: boolean;
}

export interface GitHubClientOptions {
  /** Token sent as `Authorization: token …` (the CLI reads `GITHUB_TOKEN`). */
  readonly token: string;
  /** REST API root; GitHub Enterprise Server is `https://HOST/api/v3`. @default 'https://api.github.com' */
  readonly baseUrl?: string;
  /** Retries after a 5xx or a network error, with quadratic backoff (1, 4, 9 … × `retryBaseMs`). @default 3 */
  readonly retries?: number;
  /** Retries after a rate limit, primary or secondary. @default 3 */
  readonly rateLimitRetries?: number;
  /** Longest rate-limit wait accepted; a later reset fails the call instead of stalling CI for an hour. @default 120 */
  readonly maxRateLimitWaitSeconds?: number;
  /** Milliseconds per backoff unit (the retry plugin's unit and one second of `retry-after`). @default 1000 */
  readonly retryBaseMs?: number;
  /**
   * Spacing between mutating requests of this client; GitHub asks for at least a second to avoid
   * secondary rate limits. Requests that notify people (new pull requests, comments) wait 3×.
   * @default 1000
   */
  readonly writeIntervalMs?: number;
  readonly onRateLimit?: RateLimitListener;
  /** Where Octokit writes its warnings. @default console */
  readonly log?: { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Sent as `User-Agent`. @default 'tenantctl' */
  readonly userAgent?: string;
  /** Milliseconds one attempt may take, answer included; then it is retried like a network error. @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * Time (epoch milliseconds) after which no request is started, in-flight ones are cut off and
   * no wait (backoff, rate limit) is begun that would end later. @default none
   */
  readonly deadline?: number;
}

/**
 * A request cut off by the client's overall deadline. Named `AbortError` because that is what
 * @octokit/request passes through unwrapped and the retry plugin does not retry.
 */
export class GitHubDeadlineError extends Error {
  override readonly name = 'AbortError';
  readonly deadlineExceeded = true;
  constructor(readonly operation: string) {
    super(`the GitHub deadline passed before ${operation} was answered`);
  }
}

/** Whether `error` is the client's deadline (an AbortError of ours, not a fetch's own). */
export function isDeadlineError(error: unknown): error is GitHubDeadlineError {
  return error instanceof GitHubDeadlineError;
}

/** Statuses the retry plugin must leave alone: client errors, and 403/429, which throttling owns. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

/** An Octokit for one tenantctl run. Each client has its own write spacing (no process-wide queue). */
export function createGitHub(options: GitHubClientOptions): GitHub {
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const writeIntervalMs = options.writeIntervalMs ?? 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const deadline = options.deadline;
  /** Whether a wait of `seconds` (in retry-after units) still ends before the deadline. */
  const endsInTime = (seconds: number) => deadline === undefined || Date.now() + seconds * retryBaseMs < deadline;

  const onLimit =
    (kind: RateLimitEvent['kind']) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const willRetry = retryCount < rateLimitRetries && retryAfter <= maxWait && endsInTime(retryAfter);
      options.onRateLimit?.({ kind, request: `${request.method} ${request.url}`, retryAfterSeconds: retryAfter, retryCount, willRetry });
      return willRetry;
    };

  const github = new TenantctlOctokit({
    auth: options.token,
    request: { fetch: limitedFetch(requestTimeoutMs, deadline) },
    baseUrl: options.baseUrl?.replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'tenantctl',
    log: options.log,
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: retryBaseMs, doNotRetry: DO_NOT_RETRY },
    throttle: {
      retryAfterBaseValue: retryBaseMs,
      fallbackSecondaryRateRetryAfter: 60,
      // Own groups: the plugin's defaults are module-wide and space every client's writes by 1 s.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs * 3 }),
      search: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs * 2 }),
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
  });

  // Registered last, so it wraps the plugins and sees what they gave up on.
  github.hook.wrap('request', async (request, requestOptions) => {
    for (let retryCount = 0; ; retryCount++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const retryAfter = plainRetryAfter(error);
        if (retryAfter === undefined) throw error;
        const willRetry = onLimit('secondary')(retryAfter, { method: requestOptions.method, url: requestOptions.url }, github, retryCount);
        if (!willRetry) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryAfter * retryBaseMs));
      }
    }
  });
  return github;
}

/**
 * Seconds of `retry-after` on a 403/429 the throttling plugin left alone (no "secondary rate"
 * wording, quota not at 0), or undefined when the error is not one of those.
 */
function plainRetryAfter(error: unknown): number | undefined {
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  if (e?.status !== 403 && e?.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  if (/\bsecondary rate\b/i.test(e.message ?? '') || headers['x-ratelimit-remaining'] === '0') return undefined;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  // Seconds, or an HTTP date (RFC 9110).
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : Math.ceil((Date.parse(value) - Date.now()) / 1000);
  return Number.isFinite(seconds) ? Math.max(seconds, 0) : undefined;
}

/**
 * `fetch` with a timeout per attempt and the client's deadline: a hang becomes an error Octokit
 * retries (it wraps it as a network failure), the deadline one it does not.
 */
function limitedFetch(timeoutMs: number, deadline: number | undefined): typeof fetch {
  return async (input, init) => {
    const what = `${init?.method ?? 'GET'} ${String(input).replace(/\?.*$/, '')}`;
    if (deadline !== undefined && Date.now() >= deadline) throw new GitHubDeadlineError(what);
    const timeout = new AbortController();
    const end = new AbortController();
    const timers = [setTimeout(() => timeout.abort(), timeoutMs)];
    if (deadline !== undefined) timers.push(setTimeout(() => end.abort(), Math.max(deadline - Date.now(), 0)));
    const signals = [timeout.signal, end.signal, ...(init?.signal ? [init.signal] : [])];
    try {
      const response = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
      // The body is read by Octokit after this returns: read it here, under the same limits.
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      if (end.signal.aborted) throw new GitHubDeadlineError(what);
      if (timeout.signal.aborted) throw new Error(`no answer from GitHub to ${what} within ${Math.round(timeoutMs / 1000)} s`);
      throw error;
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  };
}
