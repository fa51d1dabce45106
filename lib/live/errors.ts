/**
 * How the Kubernetes API fails, and how its answers are read: `KubeconfigError` (no usable
 * kubeconfig or context, before any request), `KubeApiError` (the server said no),
 * `KubeTransportError` (no answer), the `Status` object of error answers, `Warning` headers,
 * and kubectl's wording for kinds the server does not serve.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { EXIT, UserError } from '../model/user-error.ts';

/** A `kind: Status` answer, as the API server sends it on failures. */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly causes?: ReadonlyArray<{ readonly reason?: string; readonly message?: string; readonly field?: string }>;
  };
}

/** What is wrong with the kubeconfig; the audit reports it per cluster under this code. */
export type KubeconfigProblem = 'context-not-found' | 'kubeconfig-invalid';

/**
 * The kubeconfig cannot be used: unreadable, not YAML, or without the context asked for. A user
 * error ending the command with exit 3 (nothing on the cluster was checked), like kubectl's
 * `context "x" does not exist`.
 */
export class KubeconfigError extends UserError {
  constructor(readonly problem: KubeconfigProblem, message: string, fix: string) {
    super(message, { fix, exitCode: EXIT.partial });
  }
}

/** The server answered, but not with 2xx. `message` is the server's Status.message verbatim when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly kubeStatus: KubeStatus | undefined,
    readonly body: string,
  ) {
    super(statusMessage(status, body));
    this.name = 'KubeApiError';
  }
  get reason(): string | undefined {
    return this.kubeStatus?.reason;
  }
}

/** No answer: connection refused, TLS failure, timeout. */
export class KubeTransportError extends Error {
  constructor(readonly method: string, readonly url: string, message: string, readonly timedOut = false) {
    super(`${method} ${url}: ${message}`);
    this.name = 'KubeTransportError';
  }
}

/** The Status object in an error answer, if the body is one. */
export function parseStatus(body: string): KubeStatus | undefined {
  try {
    const parsed = JSON.parse(body) as KubeStatus;
    return parsed && typeof parsed === 'object' && parsed.kind === 'Status' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The server's Status.message verbatim; otherwise the HTTP status and the start of the body. */
export function statusMessage(status: number, body: string): string {
  const parsed = parseStatus(body);
  if (parsed?.message) return parsed.message;
  const text = body.trim().slice(0, 500);
  return `HTTP ${status}${text ? `: ${text}` : ''}`;
}

/** `Warning` headers (RFC 7234 `299 - "text"`), as kubectl prints them. */
export function warningsOf(headers: IncomingHttpHeaders): string[] {
  const raw = headers.warning;
  if (!raw) return [];
  const values = Array.isArray(raw) ? raw : splitWarnings(raw);
  return values.map((w) => {
    const m = /^\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(w);
    return m ? m[1].replace(/\\(.)/g, '$1') : w.trim();
  });
}

/** Node joins repeated Warning headers with ", "; split on the boundaries between `299 - "..."` items. */
function splitWarnings(value: string): string[] {
  const out: string[] = [];
  const re = /\d{3}\s+\S+\s+"(?:[^"\\]|\\.)*"(?:\s+"[^"]*")?/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.push(m[0]);
  return out.length ? out : [value];
}

/** kubectl's wording for a kind the server does not serve. */
export function noMatchesMessage(apiVersion: string, kind: string): string {
  return `no matches for kind "${kind}" in version "${apiVersion}"`;
}
