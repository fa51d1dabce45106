/**
 * The test control plane (test/control-plane) is a real kube-apiserver + etcd:
 * these tests pin down what the rest of the suite relies on.
 */
import { spawnSync } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  kubernetesVersion,
  readCrdFiles,
  REPO_ROOT,
  vendorCrdFiles,
} from '../control-plane/control-plane.ts';

const kubeconfigPath = inject('kubeconfig');
const kubectlPath = inject('kubectl');
const namespace = `cp-test-${Date.now().toString(36)}`;

let kc: k8s.KubeConfig;

/** Runs the kubectl built from our module set against the test server. */
function kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(kubectlPath, ['--kubeconfig', kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The Kubernetes Status object carried by a client-node ApiException. */
function apiStatus(e: unknown): { code: number; status: k8s.V1Status } {
  if (!(e instanceof k8s.ApiException)) throw e;
  const body: unknown = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  return { code: e.code, status: body as k8s.V1Status };
}

async function expectRejected(p: Promise<unknown>): Promise<{ code: number; status: k8s.V1Status }> {
  try {
    await p;
  } catch (e) {
    return apiStatus(e);
  }
  throw new Error('the API server accepted a request it should have rejected');
}

beforeAll(async () => {
  kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
});

describe('the test control plane', () => {
  it('the API server reports the version it was built as', async () => {
    const expected = kubernetesVersion(); // from test/control-plane/go.mod
    const info = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(info.gitVersion).toBe(expected);
    expect(`v${info.major}.${info.minor}`).toBe(expected.split('.').slice(0, 2).join('.'));
  });

  it('the written kubeconfig authenticates as an admin in system:masters', async () => {
    const review = await kc.makeApiClient(k8s.AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe('admin');
    expect(review.status?.userInfo?.groups).toContain('system:masters');
  });

  it('the CRDs from vendor/crds are served', async () => {
    const crds = await readCrdFiles(await vendorCrdFiles(REPO_ROOT));
    expect(crds.length).toBeGreaterThan(30);
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    for (const crd of crds) {
      const live = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
      const established = live.status?.conditions?.find((c) => c.type === 'Established');
      expect(established?.status, `${crd.metadata!.name} Established`).toBe('True');
      for (const v of crd.spec.versions.filter((v) => v.served)) {
        const resources = await custom.getAPIResources({ group: crd.spec.group, version: v.name });
        expect(resources.resources.map((r) => r.name), `${crd.spec.group}/${v.name}`).toContain(crd.spec.names.plural);
      }
    }
  });

  it('a custom resource is validated against its vendored CRD schema, including int-or-string fields', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const cluster = (instances: number) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: `pg-${instances}` },
      spec: { instances, storage: { size: '1Gi' }, ephemeralVolumesSizeLimit: { shm: '256Mi' } },
    });
    const created = (await custom.createNamespacedCustomObject({
      group: 'postgresql.cnpg.io', version: 'v1', namespace, plural: 'clusters', body: cluster(1),
    })) as { spec: { ephemeralVolumesSizeLimit: { shm: string } } };
    expect(created.spec.ephemeralVolumesSizeLimit.shm).toBe('256Mi');

    const { code, status } = await expectRejected(custom.createNamespacedCustomObject({
      group: 'postgresql.cnpg.io', version: 'v1', namespace, plural: 'clusters', body: cluster(0),
    }));
    expect(code).toBe(422);
    expect(status.message).toMatch(/spec\.instances: Invalid value: 0: spec\.instances in body should be greater than or equal to 1/);
  });

  it('an invalid Deployment is rejected by server-side validation with the server\'s message', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const labels = { app: 'bad' };
    const { code, status } = await expectRejected(apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'bad' },
        spec: {
          replicas: -1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
    }));
    expect(code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.details?.causes?.map((c) => c.field)).toContain('spec.replicas');
    expect(status.message).toBe(
      'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  it('RBAC is enforced for identities outside system:masters', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      name: 'reader', namespace, body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const saKc = new k8s.KubeConfig();
    saKc.loadFromOptions({
      clusters: [kc.getCurrentCluster()!],
      users: [{ name: 'reader', token: tokenRequest.status!.token }],
      contexts: [{ name: 'reader', cluster: kc.getCurrentCluster()!.name, user: 'reader' }],
      currentContext: 'reader',
    });
    const saCore = saKc.makeApiClient(k8s.CoreV1Api);

    const denied = await expectRejected(saCore.listNamespacedConfigMap({ namespace }));
    expect(denied.code).toBe(403);
    expect(denied.status.message).toContain(
      `User "system:serviceaccount:${namespace}:reader" cannot list resource "configmaps" in API group "" in the namespace "${namespace}"`,
    );

    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'cm-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });
    await expect.poll(async () => saCore.listNamespacedConfigMap({ namespace }).then(() => 'allowed', (e) => `denied ${apiStatus(e).code}`), { timeout: 10_000 })
      .toBe('allowed');
  });

  it('kubectl built from the same modules lists namespaces with the written kubeconfig', () => {
    const r = kubectl(['get', 'namespaces', '-o', 'name']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system', `namespace/${namespace}`]));

    const version = JSON.parse(kubectl(['version', '-o', 'json']).stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(version.clientVersion.gitVersion).toBe(kubernetesVersion());
    expect(version.serverVersion.gitVersion).toBe(kubernetesVersion());
  });

  it('kubectl diff --server-side shows only the fields that would change', () => {
    const configMap = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: diffed
  namespace: ${namespace}
data:
  greeting: "${value}"
`;
    const applied = kubectl(['apply', '--server-side', '--field-manager=test', '-f', '-'], configMap('hello'));
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim()).toBe('configmap/diffed serverside-applied');

    const same = kubectl(['diff', '--server-side', '--field-manager=test', '-f', '-'], configMap('hello'));
    expect(same.stderr).toBe('');
    expect(same).toMatchObject({ status: 0, stdout: '' });

    const changed = kubectl(['diff', '--server-side', '--field-manager=test', '-f', '-'], configMap('bonjour'));
    expect(changed.status).toBe(1); // kubectl diff: 1 means "differences found"
    const changedLines = changed.stdout.split('\n').filter((l) => /^[+-] /.test(l));
    expect(changedLines).toEqual(['-  greeting: hello', '+  greeting: bonjour']);
  });
});
