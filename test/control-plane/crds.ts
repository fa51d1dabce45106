/**
 * Installing CustomResourceDefinitions into the test control plane and waiting
 * until they are really usable (served by discovery, as envtest's WaitForCRDs).
 */
import { readdir, readFile } from 'node:fs/promises';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

type Log = (message: string) => void;

/** vendor/crds/*.yaml of the repo, sorted: the project's own copy of upstream CRDs. */
export async function vendorCrdFiles(repoRoot: string): Promise<string[]> {
  const dir = join(repoRoot, 'vendor', 'crds');
  const names = await readdir(dir).catch((e: Error) => {
    throw new Error(`cannot list CRDs in ${dir}: ${e.message}`);
  });
  return names.filter((n) => /\.ya?ml$/.test(n)).sort().map((n) => join(dir, n));
}

/** Every CustomResourceDefinition document in the given multi-document YAML files. */
export async function readCrdFiles(files: string[]): Promise<k8s.V1CustomResourceDefinition[]> {
  const crds: k8s.V1CustomResourceDefinition[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(await readFile(file, 'utf8'));
    for (const [i, doc] of docs.entries()) {
      if (doc.errors.length) throw new Error(`${file}: YAML document ${i + 1} does not parse: ${doc.errors[0].message}`);
      const obj = doc.toJS({ maxAliasCount: -1 }) as k8s.V1CustomResourceDefinition | null;
      if (obj?.kind === 'CustomResourceDefinition') crds.push(obj);
    }
  }
  return crds;
}

/**
 * Server-side applies every CRD in `files` (create-or-update; SSA keeps no
 * last-applied annotation, so megabyte-sized CRDs such as argo-cd's fit),
 * then waits for discovery to serve each served version.
 */
export async function installCrds(
  kc: k8s.KubeConfig,
  files: string[],
  opts: { deadline?: number; log?: Log } = {},
): Promise<k8s.V1CustomResourceDefinition[]> {
  const deadline = opts.deadline ?? Date.now() + 60_000;
  const t0 = Date.now();
  const crds: k8s.V1CustomResourceDefinition[] = [];
  for (const file of files) {
    for (const crd of await readCrdFiles([file])) {
      // Only what we declare: some upstream files carry status or creationTimestamp.
      const { status: _status, metadata, ...rest } = crd;
      const body = { ...rest, metadata: { name: metadata!.name, labels: metadata?.labels, annotations: metadata?.annotations } };
      // Sent as raw JSON, not through client-node's model serializer: that
      // serializer drops keys it does not know in camelCase form (e.g.
      // `x-kubernetes-int-or-string`), which makes valid CRDs invalid.
      const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${metadata!.name}?fieldManager=tenantctl-test&force=true`;
      const res = await requestRaw(kc, 'PATCH', path, JSON.stringify(body), 'application/apply-patch+yaml');
      if (res.status !== 200 && res.status !== 201) {
        throw new Error(`applying CRD ${metadata?.name} from ${file} failed (HTTP ${res.status}): ${statusMessage(res.body)}`);
      }
      crds.push(crd);
    }
  }
  await waitForCrds(kc, crds, deadline);
  opts.log?.(`installed ${crds.length} CRDs from ${files.length} files in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  return crds;
}

/** Polls discovery (every 100 ms) until each CRD's plural is listed in each served group/version. */
export async function waitForCrds(kc: k8s.KubeConfig, crds: k8s.V1CustomResourceDefinition[], deadline: number): Promise<void> {
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const pending = new Map<string, Set<string>>(); // "group/version" -> plurals
  for (const crd of crds) {
    for (const v of crd.spec.versions.filter((v) => v.served)) {
      const gv = `${crd.spec.group}/${v.name}`;
      if (!pending.has(gv)) pending.set(gv, new Set());
      pending.get(gv)!.add(crd.spec.names.plural);
    }
  }
  while (pending.size) {
    for (const [gv, plurals] of pending) {
      const [group, version] = gv.split('/');
      try {
        const list = await api.getAPIResources({ group, version });
        for (const r of list.resources) plurals.delete(r.name);
      } catch {
        // group/version not in discovery yet
      }
      if (!plurals.size) pending.delete(gv);
    }
    if (!pending.size) return;
    if (Date.now() > deadline) {
      const missing = [...pending].map(([gv, p]) => `${gv}: ${[...p].join(', ')}`).join('; ');
      throw new Error(`CRDs not served by discovery in time: ${missing}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One HTTPS request with the kubeconfig's server, CA and credentials, body
 * passed through untouched (for server-side apply of documents as written).
 */
export async function requestRaw(
  kc: k8s.KubeConfig,
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; body: string }> {
  const url = new URL(path, kc.getCurrentCluster()!.server);
  const opts: RequestOptions = { method, headers: { Accept: 'application/json', 'Content-Type': contentType } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new Error(`${method} ${url.href} failed: ${e.message}`)));
    req.end(body);
  });
}

/** The `message` of a Kubernetes Status body, else the body's start. */
function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body.slice(0, 500);
  } catch {
    return body.slice(0, 500);
  }
}
