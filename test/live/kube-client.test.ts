import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeTransportError, warningsOf } from '../../lib/live/errors.ts';
import { KubeClient } from '../../lib/live/kube-client.ts';

type Handler = (req: IncomingMessage, url: URL, res: ServerResponse) => void;

let server: Server | undefined;
let client: KubeClient | undefined;
afterEach(async () => {
  client?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = client = undefined;
});

/** A plain-HTTP fake API server (client-node allows http:// with skipTLSVerify) and a client with a bearer token. */
async function serve(handler: Handler, timeoutMs?: number): Promise<{ client: KubeClient; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search} auth=${req.headers.authorization ?? ''}`);
    handler(req, url, res);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'u', namespace: 'team-a' }],
    currentContext: 'fake',
  });
  client = new KubeClient(kc, { timeoutMs, attempts: 3 });
  return { client, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** Legacy discovery only (a server older than aggregated discovery). */
const legacyDiscovery: Handler = (_req, url, res) => {
  switch (url.pathname) {
    case '/api': return json(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    case '/apis': return json(res, 200, { kind: 'APIGroupList', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] }] });
    case '/api/v1': return json(res, 200, { kind: 'APIResourceList', resources: [
      { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get', 'list', 'patch'] },
      { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['get'] },
      { name: 'namespaces/status', kind: 'Namespace', namespaced: false, verbs: ['get'] },
    ] });
    case '/apis/apps/v1': return json(res, 200, { kind: 'APIResourceList', resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['patch'] }] });
    default: return json(res, 404, { kind: 'Status', message: 'not found', code: 404 });
  }
};

describe('KubeClient', () => {
  it('maps kinds to plurals and scope through legacy discovery, sending the kubeconfig token', async () => {
    const { client, seen } = await serve(legacyDiscovery);
    expect(await client.resource('apps/v1', 'Deployment')).toMatchObject({ group: 'apps', version: 'v1', plural: 'deployments', namespaced: true });
    expect(await client.resource('v1', 'Namespace')).toMatchObject({ plural: 'namespaces', namespaced: false });
    expect(client.defaultNamespace).toBe('team-a');
    const requests = seen.length;
    await client.resource('v1', 'ConfigMap');
    expect(seen.length).toBe(requests); // cached
    expect(seen.every((s) => s.endsWith('auth=Bearer secret-token'))).toBe(true);
  });

  it('lists every served kind from the cached discovery, sorted, without subresources', async () => {
    const { client, seen } = await serve(legacyDiscovery);
    await client.resource('v1', 'ConfigMap');
    const requests = seen.length;
    expect((await client.resources()).map((r) => `${r.group}/${r.version}/${r.kind} ${r.plural} ${r.namespaced ? 'namespaced' : 'cluster'}`)).toEqual([
      '/v1/ConfigMap configmaps namespaced',
      '/v1/Namespace namespaces cluster',
      'apps/v1/Deployment deployments namespaced',
    ]);
    expect(seen.length).toBe(requests); // cached
  });

  it('server-side applies the object as written, in the context namespace when it names none', async () => {
    let body = '';
    let contentType = '';
    const { client, seen } = await serve((req, url, res) => {
      if (req.method !== 'PATCH') return legacyDiscovery(req, url, res);
      contentType = req.headers['content-type'] ?? '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => json(res, 201, JSON.parse(body)));
    });
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'x-kubernetes-int-or-string': 'kept' } };
    const res = await client.apply(object, { dryRun: true });
    expect(res.status).toBe(201);
    expect(JSON.parse(body)).toEqual(object);
    expect(contentType).toBe('application/apply-patch+yaml');
    expect(seen.at(-1)).toMatch(/^PATCH \/api\/v1\/namespaces\/team-a\/configmaps\/c\?fieldManager=tenantctl&fieldValidation=Strict&force=true&dryRun=All /);
  });

  it('lists with label selectors, following continue tokens, and fills in apiVersion and kind', async () => {
    const { client, seen } = await serve((req, url, res) => {
      if (url.pathname !== '/apis/apps/v1/namespaces/t/deployments') return legacyDiscovery(req, url, res);
      const page = url.searchParams.get('continue') ? 2 : 1;
      json(res, 200, { kind: 'DeploymentList', metadata: { resourceVersion: '7', ...(page === 1 ? { continue: 'next' } : {}) }, items: [{ metadata: { name: `d${page}` } }] });
    });
    const items = await client.listAll('apps/v1', 'Deployment', { namespace: 't', labelSelector: 'app.kubernetes.io/managed-by=tenantctl', limit: 1 });
    expect(items).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd2' } },
    ]);
    const lists = seen.filter((s) => s.includes('/deployments'));
    expect(lists[0]).toContain('labelSelector=app.kubernetes.io%2Fmanaged-by%3Dtenantctl&limit=1 ');
    expect(lists[1]).toContain('continue=next');
  });

  it('retries 429 answers and gives up on requests that take longer than the timeout', async () => {
    let calls = 0;
    const { client } = await serve((req, url, res) => {
      if (url.pathname === '/slow') return; // never answers
      if (url.pathname === '/busy' && ++calls < 3) {
        res.writeHead(429, { 'Retry-After': '0' });
        return res.end();
      }
      json(res, 200, { ok: true });
    }, 1_500); // per-request timeout: long enough for a loaded machine to answer locally
    expect((await client.request('GET', '/busy')).status).toBe(200);
    expect(calls).toBe(3);
    const failure = await client.request('GET', '/slow').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KubeTransportError);
    expect((failure as KubeTransportError).timedOut).toBe(true);
  });

  it('reads Warning headers as kubectl prints them, also when Node joined several', () => {
    expect(warningsOf({ warning: '299 - "a: deprecated; use \\"b\\" instead", 299 - "c, d: non-functional"' })).toEqual([
      'a: deprecated; use "b" instead',
      'c, d: non-functional',
    ]);
    expect(warningsOf({})).toEqual([]);
  });

  it('names the contexts when the requested one is not in the kubeconfig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantctl-kc-'));
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: one, context: {cluster: c, user: u}}, {name: two, context: {cluster: c, user: u}}]
current-context: one
`);
    try {
      expect(() => KubeClient.fromKubeconfig({ kubeconfig: path, context: 'three' })).toThrow(`context "three" is not in the kubeconfig ${path} (contexts: one, two)`);
      expect(KubeClient.fromKubeconfig({ kubeconfig: path, context: 'two' }).context).toBe('two');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
