/**
 * Server-side validation (lib/live/dry-run.ts, `tenantctl validate-server`) against the real test
 * control plane: the example fleet must pass, broken manifests must fail with the server's words.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { validateServerCommand } from '../../lib/cli/commands/validate-server.ts';
import { parseManifests, readManifests } from '../../lib/io/read-manifests.ts';
import { serverDryRun } from '../../lib/live/dry-run.ts';
import { KubeClient } from '../../lib/live/kube-client.ts';
import { REPO_ROOT, requestRaw } from '../control-plane/control-plane.ts';

const kubeconfigPath = inject('kubeconfig');
const kubectlPath = inject('kubectl');
const suffix = Date.now().toString(36);
const scratch = `dry-run-${suffix}`;

let client: KubeClient;

function kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(kubectlPath, ['--kubeconfig', kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Namespaces the fleet's objects live in but does not declare: they belong to platform components (Argo CD, Flux, Traefik, Velero), installed before any tenant. */
function platformNamespaces(): string[] {
  const { docs } = readManifests(join(REPO_ROOT, 'generated'), { base: REPO_ROOT });
  const declared = new Set(docs.filter((d) => d.object.kind === 'Namespace').map((d) => d.object.metadata.name));
  return [...new Set(docs.map((d) => d.object.metadata.namespace).filter((ns): ns is string => !!ns && !declared.has(ns)))].sort();
}

beforeAll(async () => {
  client = KubeClient.fromKubeconfig({ kubeconfig: kubeconfigPath });
  for (const name of [...platformNamespaces(), scratch]) {
    const res = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test-setup' });
    expect(res.status, res.body).toBeLessThan(300);
  }
  return () => client.close();
});

describe('server-side dry-run', () => {
  it('the whole example fleet in generated/ is accepted by server-side dry-run', async () => {
    const { docs, problems } = readManifests(join(REPO_ROOT, 'generated'), { base: REPO_ROOT });
    expect(problems).toEqual([]);
    expect(docs.length).toBeGreaterThan(100);

    const outcome = await validateServerCommand({ root: REPO_ROOT, kubeconfig: kubeconfigPath, createNamespaces: true, format: 'json' });
    const notAccepted = outcome.results.filter((r) => r.outcome !== 'accepted').map((r) => `${r.outcome} ${r.resource} (${r.file}): ${r.message}`);
    expect(notAccepted).toEqual([]);
    expect(outcome.rejected).toBe(0);
    expect(outcome.errors).toBe(0);
    expect(outcome.results).toHaveLength(docs.length);
    const report = JSON.parse(outcome.output) as { summary: { total: number; accepted: number; rejected: number } };
    expect(report.summary).toMatchObject({ total: docs.length, accepted: docs.length, rejected: 0 });

    // --create-namespaces really created the fleet's namespaces; nothing else was persisted.
    const tenantNamespaces = docs.filter((d) => d.object.kind === 'Namespace').map((d) => d.object.metadata.name);
    const live = (await client.listAll('v1', 'Namespace')).map((n) => n.metadata.name);
    expect(live).toEqual(expect.arrayContaining(tenantNamespaces));
    const deployments = await client.listAll('apps/v1', 'Deployment', { labelSelector: 'app.kubernetes.io/managed-by=tenantctl' });
    expect(deployments).toEqual([]);

    const text = await validateServerCommand({ root: REPO_ROOT, kubeconfig: kubeconfigPath, format: 'text' });
    expect(text.output.split('\n').at(-1)).toMatch(new RegExp(`^server-side dry-run of ${docs.length} objects against https://127\\.0\\.0\\.1:\\d+ \\(context [\\w-]+\\): ${docs.length} accepted, 0 rejected\\.$`));
  });

  it('a deliberately broken manifest is rejected with the server\'s message', async () => {
    const file = 'test/integration/broken.yaml';
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: ${scratch}
spec:
  replicas: three
  selector:
    matchLabels: {app: odoo}
  template:
    metadata:
      labels: {app: odoo}
    spec:
      containers:
        - name: odoo
          image: odoo:18.0
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: odoo
  namespace: ${scratch}
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(\`erp.example\`)
      middleware:
        - name: security-headers
      services:
        - name: odoo
          port: 8069
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: odoo
  namespace: ${scratch}
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector:
    matchLabels: {app: odoo}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: fine
  namespace: ${scratch}
data:
  odoo.conf: "[options]"
`;
    const { docs } = parseManifests(yaml, file);
    const results = await serverDryRun(client, docs);
    expect(results.map((r) => ({ file: r.file, resource: r.resource, outcome: r.outcome }))).toEqual([
      { file, resource: `Deployment/${scratch}/odoo-web`, outcome: 'rejected' },
      { file, resource: `IngressRoute/${scratch}/odoo`, outcome: 'rejected' },
      { file, resource: `PodDisruptionBudget/${scratch}/odoo`, outcome: 'rejected' },
      { file, resource: `ConfigMap/${scratch}/fine`, outcome: 'accepted' },
    ]);
    const [deployment, route, pdb] = results;
    expect(deployment.message).toBe(`failed to create typed patch object (${scratch}/odoo-web; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string`);
    expect(route.message).toBe(`failed to create typed patch object (${scratch}/odoo; traefik.io/v1alpha1, Kind=IngressRoute): .spec.routes[0].middleware: field not declared in schema`);
    expect(pdb.message).toMatch(/^PodDisruptionBudget\.policy "odoo" is invalid: spec: Invalid value: .*: minAvailable and maxUnavailable cannot be both set$/);

    // Verbatim: the same request sent by hand gets the same Status.message...
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const raw = await requestRaw(kc, 'PATCH', `/apis/apps/v1/namespaces/${scratch}/deployments/odoo-web?fieldManager=tenantctl&dryRun=All&force=true&fieldValidation=Strict`, JSON.stringify(docs[0].object), 'application/apply-patch+yaml');
    expect((JSON.parse(raw.body) as { message: string }).message).toBe(deployment.message);
    // ...and kubectl reports the same rejection.
    const byKubectl = kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=tenantctl', '--force-conflicts', '-f', '-'], yaml.split('---\n')[0]);
    expect(byKubectl.status).toBe(1);
    expect(byKubectl.stderr).toContain(deployment.message);
    // Nothing was created.
    expect(await client.get('v1', 'ConfigMap', 'fine', scratch)).toBeUndefined();
  });

  it('objects in a namespace that does not exist yet are reported as not checked, and nothing is created by default', async () => {
    const ns = `not-yet-${suffix}`;
    const docs = parseManifests(`apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
  namespace: ${ns}
`, 'generated/x/new-tenant.yaml').docs;
    const results = await serverDryRun(client, docs);
    expect(results[0]).toMatchObject({ resource: `Namespace/${ns}`, outcome: 'accepted' });
    expect(results[1]).toMatchObject({ resource: `ConfigMap/${ns}/conf`, outcome: 'error', reason: 'namespace-not-found', message: `namespaces "${ns}" not found` });
    expect(results[1].hint).toContain('--create-namespaces');
    expect(await client.get('v1', 'Namespace', ns)).toBeUndefined();
  });

  it('kubectl built from the same modules lists namespaces with the written kubeconfig', () => {
    const r = kubectl(['get', 'namespaces', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { docs } = readManifests(join(REPO_ROOT, 'generated'), { base: REPO_ROOT });
    const fleet = docs.filter((d) => d.object.kind === 'Namespace').map((d) => `namespace/${d.object.metadata.name}`);
    expect(r.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['namespace/default', `namespace/${scratch}`, ...platformNamespaces().map((n) => `namespace/${n}`), ...fleet]));
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('a kubeconfig with a client certificate instead of a token works the same', async () => {
    // The control plane trusts client certificates signed by its CA (DIR/pki, next to the kubeconfig).
    const pki = join(dirname(kubeconfigPath), 'pki');
    const dir = mkdtempSync(join(tmpdir(), 'tenantctl-cert-'));
    try {
      const openssl = (args: string[]) => {
        const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      };
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'client.key']);
      openssl(['req', '-new', '-key', 'client.key', '-subj', '/O=system:masters/CN=cert-admin', '-out', 'client.csr']);
      openssl(['x509', '-req', '-in', 'client.csr', '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAcreateserial', '-days', '1', '-out', 'client.crt']);
      const b64 = (f: string) => readFileSync(f).toString('base64');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      writeFileSync(join(dir, 'kubeconfig'), `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "${kc.getCurrentCluster()!.server}", certificate-authority-data: ${b64(join(pki, 'ca.crt'))}}}]
users: [{name: cert, user: {client-certificate-data: ${b64(join(dir, 'client.crt'))}, client-key-data: ${b64(join(dir, 'client.key'))}}}]
contexts: [{name: token, context: {cluster: test, user: none}}, {name: cert, context: {cluster: test, user: cert}}]
current-context: token
`);
      const certClient = KubeClient.fromKubeconfig({ kubeconfig: join(dir, 'kubeconfig'), context: 'cert' });
      try {
        const review = await certClient.requestJson<{ status: { userInfo: { username: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
          body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
        });
        expect(review.status.userInfo.username).toBe('cert-admin');
        const [result] = await serverDryRun(certClient, [{ file: 'cm.yaml', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: scratch } } }]);
        expect(result.outcome).toBe('accepted');
      } finally {
        certClient.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
