/**
 * The one place that builds a GitHub client.
 *
 * @octokit/rest with two plugins: `retry` for 5xx and network failures (a drift run in CI should
 * survive a GitHub hiccup) and `throttling` for rate limits (403/429 with rate-limit headers), so
 * the adapter in `pull-requests.ts` never sleeps or retries by itself. Backoff and write spacing
 * are options so tests against the local server in `test/github/server.ts` run in milliseconds.
 * Nothing here reads `process.env`: the CLI passes the token in.
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
}

/** Statuses the retry plugin must leave alone: client errors, and 403/429, which throttling owns. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

/** An Octokit for one tenantctl run. Each client has its own write spacing (no process-wide queue). */
export function createGitHub(options: GitHubClientOptions): GitHub {
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 120;
  const writeIntervalMs = options.writeIntervalMs ?? 1000;

  const onLimit =
    (kind: RateLimitEvent['kind']) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const willRetry = retryCount < rateLimitRetries && retryAfter <= maxWait;
      options.onRateLimit?.({ kind, request: `${request.method} ${request.url}`, retryAfterSeconds: retryAfter, retryCount, willRetry });
      return willRetry;
    };

  return new TenantctlOctokit({
    auth: options.token,
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
}
