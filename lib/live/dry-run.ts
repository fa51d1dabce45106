/**
 * Server-side validation of manifests: a server-side apply dry-run (`dryRun=All`, field manager
 * `tenantctl`, `fieldValidation=Strict`, `force=true`) of every object, as
 * `kubectl apply --server-side --dry-run=server --validate=strict --force-conflicts` does.
 * The server runs its whole write path (decoding, defaulting, CRD schemas, mutating and
 * validating admission, validation) and persists nothing, so this finds what offline schema
 * checks cannot: CEL rules, admission policies, quota and immutable-field errors.
 *
 * Order: Namespaces, then CustomResourceDefinitions, then other cluster-scoped objects, then
 * namespaced ones (Helm's and Argo CD's order). Within a phase, objects go in input order, at
 * most `concurrency` at a time; results come back in that execution order, one per document.
 *
 * Namespaces that do not exist yet: a dry-run creates nothing, so a namespaced object whose
 * namespace is not on the server yet cannot be checked; the server answers
 * `namespaces "x" not found` before it validates the object. This is reported distinctly, as
 * outcome `error` with reason `namespace-not-found` (not as a rejection of the manifest), with a
 * hint saying whether the namespace is declared in the same manifests. By default nothing on the
 * cluster changes, as a validation must not; `kubectl apply --dry-run=server` users get the same
 * error and either apply the namespaces first or accept it, and Argo CD likewise skips the
 * dry-run of resources it cannot check yet. `createNamespaces: true` is that "apply the namespaces
 * first" step: Namespace objects from the manifests that do not exist on the server are really
 * created (server-side apply, no dry-run, no force; existing namespaces are never touched),
 * then everything is dry-run. Meant for throwaway clusters (CI, the test control plane).
 * Custom resources whose CRD is in the same manifests but not installed get the same treatment
 * (reason `crd-pending`); CRDs are never installed for real.
 *
 * Outcomes: `accepted` (2xx), `rejected` (the server refused the object: 400 bad request or
 * strict-decoding errors, 422 invalid, admission denials, schema errors of server-side apply
 * (which the server answers with 500, see classifyAnswer), a kind the server does not serve,
 * a document without identity), `error` (the object could not be checked: a missing namespace or
 * CRD, no permission, a server or network failure). `message` is the server's Status.message
 * verbatim.
 */
import { formatKey, keyOf, type KubeObject } from '../model/resource.ts';
import type { ApiResource } from './discovery.ts';
import { KubeTransportError, noMatchesMessage, parseStatus, statusMessage, warningsOf } from './errors.ts';
import type { KubeClient, RawResponse } from './kube-client.ts';
import { mapLimit } from './map-limit.ts';

/** What of KubeClient the dry-run needs (a fake in unit tests). */
export type DryRunClient = Pick<KubeClient, 'resource' | 'apply' | 'get'>;

export interface DryRunDoc {
  readonly file: string;
  readonly object: KubeObject;
}

export type DryRunOutcome = 'accepted' | 'rejected' | 'error';

export type DryRunReason =
  /** The server refused the object (HTTP 400, 409, 413, 422, an admission denial, an SSA schema error). */
  | 'invalid'
  /** The server does not serve this apiVersion/kind (wrong apiVersion, or its CRD is not installed). */
  | 'kind-not-served'
  /** The document has no apiVersion, kind or metadata.name. */
  | 'malformed'
  /** The object's namespace does not exist on the server, so it could not be checked. */
  | 'namespace-not-found'
  /** The kind's CRD is in the same manifests but not installed, so the object could not be checked. */
  | 'crd-pending'
  /** The credentials may not do this (RBAC) or were not accepted. */
  | 'forbidden'
  /** 5xx, timeouts, network failures and other answers that say nothing about the object. */
  | 'server-error';

export interface DryRunResult {
  readonly file: string;
  /** `Kind/namespace/name`. */
  readonly resource: string;
  readonly apiVersion?: string;
  readonly outcome: DryRunOutcome;
  readonly reason?: DryRunReason;
  /** The server's Status.message verbatim (or ours, for what never reached the server). */
  readonly message?: string;
  /** HTTP status of the dry-run request. */
  readonly httpStatus?: number;
  /** What to do about an `error` outcome. */
  readonly hint?: string;
  /** `Warning` headers of the answer (deprecations, unknown fields under Warn, PodSecurity...). */
  readonly warnings?: readonly string[];
  /** The Namespace was really created first (`createNamespaces`). */
  readonly created?: boolean;
}

export interface DryRunOptions {
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Really create Namespace objects missing on the server before the dry-run (see the file comment). @default false */
  readonly createNamespaces?: boolean;
  /** @default 'tenantctl' */
  readonly fieldManager?: string;
}

/** Phases, applied one after the other. */
export type ApplyPhase = 0 | 1 | 2 | 3;

export function isNamespaceObject(o: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return o.kind === 'Namespace' && o.apiVersion === 'v1';
}

export function isCrdObject(o: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return o.kind === 'CustomResourceDefinition' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('apiextensions.k8s.io/');
}

/**
 * Phase of an object: Namespaces 0, CRDs 1, other cluster-scoped 2, namespaced 3. `scope` is
 * what discovery says; when it is unknown, an object without metadata.namespace counts as
 * cluster-scoped.
 */
export function phaseOf(object: KubeObject, scope?: 'Cluster' | 'Namespaced'): ApplyPhase {
  if (isNamespaceObject(object)) return 0;
  if (isCrdObject(object)) return 1;
  const clusterScoped = scope ? scope === 'Cluster' : !object.metadata?.namespace;
  return clusterScoped ? 2 : 3;
}

/** Documents in apply order (stable: input order within a phase), with their input index. Pure. */
export function applyOrder<T extends { readonly object: KubeObject }>(
  docs: readonly T[],
  scopeOf: (doc: T, index: number) => 'Cluster' | 'Namespaced' | undefined = () => undefined,
): Array<{ doc: T; index: number; phase: ApplyPhase }> {
  return docs
    .map((doc, index) => ({ doc, index, phase: phaseOf(doc.object, scopeOf(doc, index)) }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index);
}

/** `group/kind` → files of CRDs in the set that define that kind, with their versions. */
function declaredCrds(docs: readonly DryRunDoc[]): Map<string, { file: string; versions: string[] }> {
  const out = new Map<string, { file: string; versions: string[] }>();
  for (const { file, object } of docs) {
    if (!isCrdObject(object)) continue;
    const spec = object.spec as { group?: string; names?: { kind?: string }; versions?: Array<{ name?: string }> } | undefined;
    if (!spec?.group || !spec.names?.kind) continue;
    out.set(`${spec.group}/${spec.names.kind}`, { file, versions: (spec.versions ?? []).map((v) => v.name ?? '') });
  }
  return out;
}

/** A label that never throws, for documents that may lack metadata. */
function resourceLabel(object: Partial<KubeObject>): string {
  const kind = typeof object.kind === 'string' && object.kind ? object.kind : '<no kind>';
  const meta = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const name = typeof meta.name === 'string' && meta.name ? meta.name : meta.name === undefined || meta.name === null || meta.name === '' ? '<no name>' : String(meta.name);
  return formatKey({ kind, namespace: typeof meta.namespace === 'string' ? meta.namespace || undefined : undefined, name });
}

function missingIdentity(object: Partial<KubeObject>): string | undefined {
  const problems: string[] = [];
  const check = (path: string, value: unknown) => {
    if (value === undefined || value === null || value === '') problems.push(`has no ${path}`);
    else if (typeof value !== 'string') problems.push(`has ${path} ${JSON.stringify(value)}, which is not a string (quote it in YAML)`);
  };
  check('apiVersion', object.apiVersion);
  check('kind', object.kind);
  const meta = object.metadata as { name?: unknown; namespace?: unknown } | undefined;
  check('metadata.name', meta && typeof meta === 'object' ? meta.name : undefined);
  if (meta && typeof meta === 'object' && meta.namespace !== undefined && meta.namespace !== null && typeof meta.namespace !== 'string') {
    problems.push(`has metadata.namespace ${JSON.stringify(meta.namespace)}, which is not a string (quote it in YAML)`);
  }
  return problems.length ? `the document ${problems.join(', ')}` : undefined;
}

/**
 * Outcome of one dry-run answer. Pure. `namespaceDeclaredIn` is the file declaring the
 * object's namespace in the same manifests, if any.
 */
export function classifyAnswer(
  res: Pick<RawResponse, 'status' | 'body'>,
  object: KubeObject,
  namespaceDeclaredIn?: string,
): Pick<DryRunResult, 'outcome' | 'reason' | 'message' | 'hint' | 'httpStatus'> {
  const { status, body } = res;
  if (status >= 200 && status <= 299) return { outcome: 'accepted', httpStatus: status };
  const message = statusMessage(status, body);
  const details = parseStatus(body)?.details;
  const base = { httpStatus: status, message };
  if (status === 404 && details?.kind === 'namespaces') {
    const ns = details.name ?? object.metadata.namespace ?? '';
    return {
      ...base,
      outcome: 'error',
      reason: 'namespace-not-found',
      hint: namespaceDeclaredIn
        ? `namespace "${ns}" is declared in ${namespaceDeclaredIn} but does not exist on the cluster, and a dry-run creates nothing: apply the namespaces first, or run with --create-namespaces on a cluster where creating them is fine`
        : `namespace "${ns}" is not in these manifests and does not exist on the cluster: it must exist before these objects can be applied (created by whatever installs that component)`,
    };
  }
  if (status === 401 || (status === 403 && /is forbidden: User ".*" cannot /.test(message))) {
    return { ...base, outcome: 'error', reason: 'forbidden', hint: 'the kubeconfig identity needs permission to patch this kind (a dry-run needs the same RBAC as a real apply)' };
  }
  if (status === 400 || status === 403 || status === 409 || status === 413 || status === 415 || status === 422) {
    return { ...base, outcome: 'rejected', reason: 'invalid' };
  }
  // Server-side apply answers 500 when the object does not fit the kind's schema (a field not
  // declared in schema, a string where a number belongs, duplicate list keys): an upstream bug,
  // kubernetes/kubernetes#122480 and #139253. The message is the object's fault, so it is a rejection.
  if (status === 500 && message.startsWith('failed to create typed patch object')) {
    return { ...base, outcome: 'rejected', reason: 'invalid' };
  }
  return { ...base, outcome: 'error', reason: 'server-error' };
}

/**
 * Dry-runs every document against the server `client` talks to. Never throws for a single
 * object: each document gets exactly one result. Throws only when discovery itself fails
 * (server unreachable, bad credentials), since then nothing can be checked.
 */
export async function serverDryRun(client: DryRunClient, docs: readonly DryRunDoc[], options: DryRunOptions = {}): Promise<DryRunResult[]> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const fieldManager = options.fieldManager ?? 'tenantctl';
  const crds = declaredCrds(docs);
  const namespaceFiles = new Map<string, string>();
  for (const { file, object } of docs) {
    if (isNamespaceObject(object) && typeof object.metadata?.name === 'string' && !namespaceFiles.has(object.metadata.name)) namespaceFiles.set(object.metadata.name, file);
  }

  // Resolve every kind first (one discovery, cached by the client); unknown kinds never reach the server.
  const immediate = new Map<number, DryRunResult>();
  const resources = new Map<number, ApiResource>();
  for (const [index, { file, object }] of docs.entries()) {
    const resource = resourceLabel(object);
    const missing = missingIdentity(object);
    if (missing) {
      immediate.set(index, { file, resource, outcome: 'rejected', reason: 'malformed', message: missing });
      continue;
    }
    const found = await client.resource(object.apiVersion, object.kind);
    if (found) {
      resources.set(index, found);
      continue;
    }
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
    const crd = crds.get(`${group}/${object.kind}`);
    immediate.set(index, crd?.versions.includes(version)
      ? {
          file, resource, apiVersion: object.apiVersion, outcome: 'error', reason: 'crd-pending', message: noMatchesMessage(object.apiVersion, object.kind),
          hint: `its CustomResourceDefinition is in ${crd.file} but not installed on the cluster, and a dry-run installs nothing: install the CRD first`,
        }
      : {
          file, resource, apiVersion: object.apiVersion, outcome: 'rejected', reason: 'kind-not-served',
          message: `${noMatchesMessage(object.apiVersion, object.kind)}: the server does not serve this kind under this apiVersion`,
          hint: crd ? `the CRD in ${crd.file} does not define version "${version}"` : 'check the apiVersion, or install the CustomResourceDefinition that defines this kind',
        });
  }

  const created = new Set<string>();
  if (options.createNamespaces) {
    await mapLimit([...namespaceFiles.keys()], concurrency, async (name) => {
      // Only namespaces known to be absent are created; when that cannot be told, nothing is.
      if (await client.get('v1', 'Namespace', name).catch(() => 'unknown')) return;
      const object = docs.find((d) => isNamespaceObject(d.object) && d.object.metadata.name === name)!.object;
      try {
        const res = await client.apply(object, { fieldManager, dryRun: false, force: false });
        if (res.status === 200 || res.status === 201) created.add(name);
      } catch {
        // A failure shows up in the Namespace's own dry-run below.
      }
    });
  }

  const ordered = applyOrder(docs, (_doc, i) => {
    const r = resources.get(i);
    return r ? (r.namespaced ? 'Namespaced' : 'Cluster') : undefined;
  });
  const results: DryRunResult[] = [];
  for (const phase of [0, 1, 2, 3] as const) {
    const batch = ordered.filter((o) => o.phase === phase);
    const phaseResults = await mapLimit(batch, concurrency, async ({ doc, index }): Promise<DryRunResult> => {
      const early = immediate.get(index);
      if (early) return early;
      const { file, object } = doc;
      const resource = formatKey(keyOf(object));
      const base = { file, resource, apiVersion: object.apiVersion };
      const createdHere = isNamespaceObject(object) && created.delete(object.metadata.name) ? { created: true } : {};
      let res: RawResponse;
      try {
        res = await client.apply(object, { fieldManager, dryRun: true, force: true, fieldValidation: 'Strict' });
      } catch (error) {
        const message = error instanceof KubeTransportError || error instanceof Error ? error.message : String(error);
        return { ...base, ...createdHere, outcome: 'error', reason: 'server-error', message };
      }
      const warnings = warningsOf(res.headers);
      const namespace = resources.get(index)?.namespaced ? object.metadata.namespace : undefined;
      return {
        ...base,
        ...classifyAnswer(res, object, namespace ? namespaceFiles.get(namespace) : undefined),
        ...(warnings.length ? { warnings } : {}),
        ...createdHere,
      };
    });
    results.push(...phaseResults);
  }
  return results;
}

/** Counts per outcome. */
export function summarize(results: readonly DryRunResult[]): { total: number; accepted: number; rejected: number; errors: number; warnings: number } {
  return {
    total: results.length,
    accepted: results.filter((r) => r.outcome === 'accepted').length,
    rejected: results.filter((r) => r.outcome === 'rejected').length,
    errors: results.filter((r) => r.outcome === 'error').length,
    warnings: results.reduce((n, r) => n + (r.warnings?.length ?? 0), 0),
  };
}
