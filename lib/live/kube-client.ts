/**
 * A small client for the Kubernetes API: kubeconfig loading and authentication come from
 * @kubernetes/client-node, but requests and responses are raw JSON.
 *
 * Why not client-node's typed APIs: its model serializer drops keys it does not know (for example
 * `x-kubernetes-int-or-string` in CRDs, or any field a newer API version added), so what reaches
 * the server would not be the manifest as written. Server-side validation has to see every byte
 * the user wrote, including the mistakes. Responses are parsed as plain JSON for the same reason.
 *
 * Used by `tenantctl validate-server` (server-side apply dry-run) and by the drift auditor
 * (`resources`, `get`, `list` with label selectors and pagination). Discovery itself is in
 * discovery.ts, the error classes and answer parsing in errors.ts.
 */
import { createHash } from 'node:crypto';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../model/resource.ts';
import { discover, discoveryKey, type ApiResource, type DiscoveryIndex } from './discovery.ts';
import { KubeApiError, KubeconfigError, KubeTransportError, noMatchesMessage, parseStatus } from './errors.ts';

export interface KubeClientOptions {
  /** Kubeconfig file. Default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account (as kubectl). */
  readonly kubeconfig?: string;
  /** Context to use instead of the kubeconfig's current-context. */
  readonly context?: string;
  /** Per-request deadline (connect, send, whole response). @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts for requests that failed for transient reasons (network, 429, 503, 504). @default 3 */
  readonly attempts?: number;
  /** Most connections kept open to the server. @default 16 */
  readonly maxSockets?: number;
}

/** One HTTP exchange, body untouched. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptionsRaw {
  /** Query parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent exactly as given. */
  readonly body?: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
}

export interface ListOptions {
  /** Namespace to list in; all namespaces when absent (for namespaced kinds). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Page size; the server may return fewer. */
  readonly limit?: number;
  /** `metadata.continue` of the previous page. */
  readonly continue?: string;
}

export interface ListPage {
  readonly items: KubeObject[];
  /** Pass as `continue` to get the next page; absent on the last page. */
  readonly continue?: string;
  readonly resourceVersion?: string;
}

export interface ApplyOptions {
  /** @default 'tenantctl' */
  readonly fieldManager?: string;
  /** Validate and run admission, persist nothing (`dryRun=All`). */
  readonly dryRun?: boolean;
  /** Take over fields other managers own, as `kubectl apply --server-side --force-conflicts`. @default true */
  readonly force?: boolean;
  /** `Strict` rejects unknown and duplicate fields, as kubectl's default `--validate=strict`. @default 'Strict' */
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  readonly timeoutMs?: number;
}

const TRANSIENT_STATUS = new Set([429, 503, 504]);

export class KubeClient {
  /** Base URL of the API server, from the kubeconfig. */
  readonly server: string;
  /** Namespace for namespaced objects that name none: the context's, else `default` (as kubectl). */
  readonly defaultNamespace: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly maxSockets: number;
  private readonly agents = new Map<string, HttpsAgent>();
  private discoveryCache?: Promise<DiscoveryIndex>;
  private discoveredAt = 0;

  /** Loads a kubeconfig as kubectl does (`--kubeconfig`, `--context`, else the defaults). */
  static fromKubeconfig(options: KubeClientOptions = {}): KubeClient {
    const kc = new KubeConfig();
    const where = options.kubeconfig ? ` ${options.kubeconfig}` : '';
    const fixFile = 'check the kubeconfig file (--kubeconfig, $KUBECONFIG or ~/.kube/config)';
    try {
      if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
      else kc.loadFromDefault();
    } catch (error) {
      // Only the first line: a YAML error quotes the kubeconfig around the fault, tokens included.
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new KubeconfigError('kubeconfig-invalid', `cannot read the kubeconfig${where}: ${reason}`, fixFile);
    }
    if (options.context) {
      if (!kc.getContextObject(options.context)) {
        const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
        throw new KubeconfigError('context-not-found', `context "${options.context}" is not in the kubeconfig${where} (contexts: ${known})`,
          `pass --context with one of the contexts listed, or --kubeconfig with a file that has "${options.context}"`);
      }
      kc.setCurrentContext(options.context);
    }
    if (!kc.getCurrentCluster()?.server) {
      throw new KubeconfigError('kubeconfig-invalid', `the kubeconfig${where} has no cluster for context "${kc.getCurrentContext() || '(none)'}"`,
        `${fixFile}, or pass --context with a context that names a cluster`);
    }
    return new KubeClient(kc, options);
  }

  constructor(readonly kubeConfig: KubeConfig, options: Omit<KubeClientOptions, 'kubeconfig' | 'context'> = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster?.server) {
      throw new Error(`the kubeconfig has no cluster for context "${kubeConfig.getCurrentContext() || '(none)'}"`);
    }
    this.server = cluster.server.replace(/\/+$/, '');
    this.defaultNamespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.maxSockets = options.maxSockets ?? 16;
  }

  /** Name of the kubeconfig context in use. */
  get context(): string {
    return this.kubeConfig.getCurrentContext();
  }

  /**
   * One request; never throws for an HTTP status (look at `status`), throws KubeTransportError
   * when there is no answer. Credentials are applied for each request, so exec plugins and
   * expiring tokens are refreshed as client-node does; connections are reused.
   */
  async request(method: string, path: string, options: RequestOptionsRaw = {}): Promise<RawResponse> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.once(method, url, options);
        if (!TRANSIENT_STATUS.has(res.status) || attempt >= this.attempts) return res;
        await sleep(retryDelay(res.headers['retry-after'], attempt));
      } catch (error) {
        if (!(error instanceof KubeTransportError) || error.timedOut || attempt >= this.attempts) throw error;
        await sleep(retryDelay(undefined, attempt));
      }
    }
  }

  /** A request whose 2xx answer is JSON; other statuses throw KubeApiError. */
  async requestJson<T>(method: string, path: string, options: RequestOptionsRaw = {}): Promise<T> {
    const res = await this.request(method, path, options);
    if (res.status < 200 || res.status > 299) throw new KubeApiError(method, path, res.status, parseStatus(res.body), res.body);
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new KubeApiError(method, path, res.status, undefined, `answer is not JSON: ${res.body.slice(0, 200)}`);
    }
  }

  /**
   * Where objects of `apiVersion` + `kind` live, from discovery (cached; fetched again at most
   * every 10 s when a kind is missing, so CRDs installed meanwhile are found). Undefined when the
   * server does not serve that kind under that version.
   */
  async resource(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const key = discoveryKey(apiVersion, kind);
    const found = (await this.discovery()).get(key);
    if (found || Date.now() - this.discoveredAt < 10_000) return found;
    return (await this.discovery(true)).get(key);
  }

  /**
   * Every kind the server serves, one entry per group/version/kind (a kind served under several
   * versions appears once per version), sorted by group, version and kind. From the cached
   * discovery, as `resource` uses; subresources are left out.
   */
  async resources(): Promise<ApiResource[]> {
    const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...(await this.discovery()).values()].sort((a, b) => compare(a.group, b.group) || compare(a.version, b.version) || compare(a.kind, b.kind));
  }

  /** Like `resource`, but an unknown kind throws kubectl's message. */
  async mustResource(apiVersion: string, kind: string): Promise<ApiResource> {
    const r = await this.resource(apiVersion, kind);
    if (!r) throw new Error(noMatchesMessage(apiVersion, kind));
    return r;
  }

  /** URL path of a collection (`name` absent) or of one object. */
  objectPath(resource: ApiResource, namespace?: string, name?: string): string {
    const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
    const ns = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${resource.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /**
   * Server-side apply of `object` as written (raw JSON, nothing dropped). Returns the raw
   * answer: 200/201 carry the object, anything else a Status.
   */
  async apply(object: KubeObject, options: ApplyOptions = {}): Promise<RawResponse> {
    const resource = await this.mustResource(object.apiVersion, object.kind);
    const namespace = resource.namespaced ? object.metadata.namespace || this.defaultNamespace : undefined;
    return this.request('PATCH', this.objectPath(resource, namespace, object.metadata.name), {
      query: {
        fieldManager: options.fieldManager ?? 'tenantctl',
        fieldValidation: options.fieldValidation ?? 'Strict',
        force: options.force ?? true,
        dryRun: options.dryRun ? 'All' : undefined,
      },
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml', // JSON is YAML; the server reads it as written
      timeoutMs: options.timeoutMs,
    });
  }

  /** One object, or undefined when it does not exist. */
  async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const resource = await this.mustResource(apiVersion, kind);
    const path = this.objectPath(resource, resource.namespaced ? namespace || this.defaultNamespace : undefined, name);
    const res = await this.request('GET', path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new KubeApiError('GET', path, res.status, parseStatus(res.body), res.body);
    return JSON.parse(res.body) as KubeObject;
  }

  /**
   * One page of objects. Items get `apiVersion` and `kind` filled in (list answers leave them
   * out), so they compare directly with manifests.
   */
  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<ListPage> {
    const resource = await this.mustResource(apiVersion, kind);
    const path = this.objectPath(resource, options.namespace);
    const list = await this.requestJson<{ items?: KubeObject[]; metadata?: { continue?: string; resourceVersion?: string } }>('GET', path, {
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: options.limit, continue: options.continue },
    });
    // Filled in place: the parsed answer is ours alone, and a copy of each object would double the garbage of a page.
    const items = list.items ?? [];
    for (const item of items as Array<{ apiVersion: string; kind: string }>) {
      item.apiVersion = apiVersion;
      item.kind = kind;
    }
    return {
      items,
      ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}),
      ...(list.metadata?.resourceVersion ? { resourceVersion: list.metadata.resourceVersion } : {}),
    };
  }

  /** Every object, following `continue` tokens page by page. */
  async listAll(apiVersion: string, kind: string, options: Omit<ListOptions, 'continue'> = {}): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.list(apiVersion, kind, { limit: 500, ...options, continue: token });
      items.push(...page.items);
      token = page.continue;
    } while (token);
    return items;
  }

  /** Closes kept-alive connections (lets the process exit at once). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  // ---------------------------------------------------------------- internals

  private discovery(refresh = false): Promise<DiscoveryIndex> {
    if (!this.discoveryCache || refresh) {
      const started = Date.now();
      const getJson = <T>(path: string, accept?: string) => this.requestJson<T>('GET', path, { accept });
      const pending = discover(getJson).then((index) => {
        this.discoveredAt = started;
        return index;
      });
      // A failed discovery is not cached: the next call tries again.
      pending.catch(() => {
        if (this.discoveryCache === pending) this.discoveryCache = undefined;
      });
      this.discoveryCache = pending;
    }
    return this.discoveryCache;
  }

  private async once(method: string, url: URL, options: RequestOptionsRaw): Promise<RawResponse> {
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', 'User-Agent': 'tenantctl' };
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    const opts: RequestOptions = { method, headers };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    opts.agent = this.reuse(opts.agent);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = send(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => fail(e.message));
      });
      const fail = (message: string, timedOut = false) => {
        clearTimeout(timer);
        req.destroy();
        reject(new KubeTransportError(method, redact(url), message, timedOut));
      };
      const timer = setTimeout(() => fail(`no complete answer within ${timeoutMs} ms`, true), timeoutMs);
      req.on('error', (e) => fail(e.message));
      req.end(options.body);
    });
  }

  /**
   * client-node builds a new agent per request (no connection reuse). A plain HTTPS agent is
   * swapped for a kept-alive one with the same TLS material; proxy agents are left alone.
   */
  private reuse(agent: RequestOptions['agent']): RequestOptions['agent'] {
    if (!(agent instanceof HttpsAgent) || agent.constructor !== HttpsAgent) return agent;
    const o = agent.options;
    // Hashed as they are (each field tagged and length-prefixed): base64 and JSON of the TLS
    // material on every request cost more than the request's own work.
    const hash = createHash('sha256');
    for (const v of [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername]) {
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(v === undefined ? '' : `${typeof v} ${JSON.stringify(v)}`);
      hash.update(`${Buffer.isBuffer(v) ? 'b' : 'j'}${bytes.length}:`).update(bytes);
    }
    const key = hash.digest('hex');
    let kept = this.agents.get(key);
    if (!kept) {
      kept = new HttpsAgent({ ...o, keepAlive: true, maxSockets: this.maxSockets });
      this.agents.set(key, kept);
    }
    return kept;
  }
}

function retryDelay(retryAfter: string | string[] | undefined, attempt: number): number {
  const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  if (Number.isFinite(seconds) && seconds > 0) return Math.min(seconds, 5) * 1000;
  return Math.min(200 * 2 ** (attempt - 1), 2000);
}

function redact(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
