/**
 * Which GitHub repository a checkout belongs to, from its remote URL, so `tenantctl audit
 * --open-pr` works without flags in CI and on a laptop. GitHub Enterprise hosts are accepted:
 * any host but github.com maps to its `https://HOST/api/v3` API. Remotes that cannot be a GitHub
 * repository (a path, `file://`) fail with an error naming the flags that replace the guess.
 * An `https://` or `http://` remote names the Enterprise server's web origin, port included, and
 * the API is served there; an ssh remote's port is sshd's, so its API is `https://HOST/api/v3`.
 */
import { redactSecrets } from '../model/redact.ts';

export interface GitHubRepository {
  readonly owner: string;
  readonly repo: string;
  /** Host of the web UI, e.g. `github.com` or `ghe.example.com`. */
  readonly host: string;
  /** REST API root for that host: `https://api.github.com` or `https://HOST/api/v3`. */
  readonly apiBaseUrl: string;
}

/** The remote URL does not name a GitHub repository; the message says which flag to pass. */
export class NotAGitHubRemoteError extends Error {
  constructor(
    readonly remoteUrl: string,
    reason: string,
  ) {
    super(
      `cannot tell the GitHub repository from the remote ${redactSecrets(remoteUrl)}: ${reason}. Pass --repo owner/name (and --github-api-url https://HOST/api/v3 for GitHub Enterprise).`,
    );
    this.name = 'NotAGitHubRemoteError';
  }
}

/** Same as GitHub's rule for owner and repository names, loosely: no slashes, no spaces. */
const NAME = /^[A-Za-z0-9_.-]+$/;

/** Parses `https://HOST/o/r(.git)`, `ssh://git@HOST(:port)/o/r.git` and scp-like `git@HOST:o/r.git`. */
export function repositoryFromRemote(remoteUrl: string): GitHubRepository {
  const url = remoteUrl.trim();
  let host: string;
  let path: string;
  // The web UI's origin, where an http(s) remote names it: GitHub Enterprise serves its API there.
  let webOrigin: string | undefined;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NotAGitHubRemoteError(url, 'it is not a valid URL');
    }
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) {
      throw new NotAGitHubRemoteError(url, `${parsed.protocol}// remotes are not hosted on GitHub`);
    }
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:') webOrigin = `${parsed.protocol}//${parsed.host}`;
  } else if (scp && !/^[A-Za-z]$/.test(scp[1])) {
    host = scp[1];
    path = scp[2];
  } else {
    throw new NotAGitHubRemoteError(url, 'it is a local path, not a GitHub URL');
  }
  const parts = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/, '').split('/');
  if (parts.length !== 2 || !parts.every((p) => NAME.test(p))) {
    throw new NotAGitHubRemoteError(url, `expected the path owner/name, got "${path}"`);
  }
  const [owner, repo] = parts;
  // An ssh or git port is not the web server's: those remotes reach the API over https on the host.
  const apiBaseUrl = host === 'github.com' || host === 'www.github.com' ? 'https://api.github.com' : `${webOrigin ?? `https://${host}`}/api/v3`;
  return { owner, repo, host: host === 'www.github.com' ? 'github.com' : host, apiBaseUrl };
}

/** Parses the `--repo owner/name` flag. */
export function parseRepositoryFlag(value: string): { owner: string; repo: string } {
  const parts = value.trim().split('/');
  if (parts.length !== 2 || !parts.every((p) => NAME.test(p))) {
    throw new Error(`--repo expects owner/name, e.g. --repo acme/fleet; got "${value}".`);
  }
  return { owner: parts[0], repo: parts[1] };
}

