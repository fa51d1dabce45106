import { describe, expect, it } from 'vitest';
import { applyOrder, classifyAnswer, phaseOf, serverDryRun, type DryRunClient } from '../../lib/live/dry-run.ts';
import type { ApiResource } from '../../lib/live/discovery.ts';
import type { ApplyOptions, RawResponse } from '../../lib/live/kube-client.ts';
import type { KubeObject } from '../../lib/model/resource.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, rest: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  ...rest,
});
const doc = (object: KubeObject, file = `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`) => ({ file, object });

describe('apply order', () => {
  it('puts Namespaces first, then CRDs, then cluster-scoped objects, then namespaced ones, keeping input order within each', () => {
    const docs = [
      doc(obj('apps/v1', 'Deployment', 'web', 'a')),
      doc(obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader')),
      doc(obj('v1', 'Namespace', 'a')),
      doc(obj('v1', 'ConfigMap', 'conf', 'a')),
      doc(obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'things.example.com')),
      doc(obj('v1', 'Namespace', 'b')),
      doc(obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'reader')),
    ];
    expect(applyOrder(docs).map((o) => `${o.phase} ${o.doc.object.kind}/${o.doc.object.metadata.name}`)).toEqual([
      '0 Namespace/a',
      '0 Namespace/b',
      '1 CustomResourceDefinition/things.example.com',
      '2 ClusterRole/reader',
      '2 ClusterRoleBinding/reader',
      '3 Deployment/web',
      '3 ConfigMap/conf',
    ]);
  });

  it('trusts discovery over metadata.namespace to tell cluster-scoped kinds', () => {
    // A namespace written on a cluster-scoped object is ignored by the server; a namespaced object without one goes to the default namespace.
    expect(phaseOf(obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'r', 'stray'), 'Cluster')).toBe(2);
    expect(phaseOf(obj('v1', 'ConfigMap', 'c'), 'Namespaced')).toBe(3);
    expect(phaseOf(obj('v1', 'ConfigMap', 'c'))).toBe(2);
  });
});

describe('classifying dry-run answers', () => {
  const status = (code: number, message: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code, ...extra });
  const cm = obj('v1', 'ConfigMap', 'c', 'tenant-a');

  it('accepts 2xx answers', () => {
    expect(classifyAnswer({ status: 201, body: '{}' }, cm)).toEqual({ outcome: 'accepted', httpStatus: 201 });
  });

  it('rejects invalid objects with the server message verbatim', () => {
    const message = 'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0';
    expect(classifyAnswer({ status: 422, body: status(422, message, { reason: 'Invalid' }) }, cm)).toEqual({ outcome: 'rejected', reason: 'invalid', message, httpStatus: 422 });
  });

  it('rejects server-side apply schema errors although the server answers 500', () => {
    const message = 'failed to create typed patch object (default/x; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string';
    expect(classifyAnswer({ status: 500, body: status(500, message) }, cm)).toMatchObject({ outcome: 'rejected', reason: 'invalid', message });
  });

  it('reports a missing namespace as not checked, saying whether the manifests declare it', () => {
    const body = status(404, 'namespaces "tenant-a" not found', { reason: 'NotFound', details: { name: 'tenant-a', kind: 'namespaces' } });
    const declared = classifyAnswer({ status: 404, body }, cm, 'generated/x/namespace-tenant-a.yaml');
    expect(declared).toMatchObject({ outcome: 'error', reason: 'namespace-not-found', message: 'namespaces "tenant-a" not found' });
    expect(declared.hint).toContain('declared in generated/x/namespace-tenant-a.yaml');
    expect(declared.hint).toContain('--create-namespaces');
    expect(classifyAnswer({ status: 404, body }, cm).hint).toContain('is not in these manifests');
  });

  it('tells RBAC denials (not checked) from admission denials (rejected)', () => {
    const rbac = 'configmaps "c" is forbidden: User "bob" cannot patch resource "configmaps" in API group "" in the namespace "tenant-a"';
    expect(classifyAnswer({ status: 403, body: status(403, rbac, { reason: 'Forbidden' }) }, cm)).toMatchObject({ outcome: 'error', reason: 'forbidden' });
    const quota = 'persistentvolumeclaims "data" is forbidden: exceeded quota: tenant-quota, requested: requests.storage=100Gi, used: requests.storage=0, limited: requests.storage=50Gi';
    expect(classifyAnswer({ status: 403, body: status(403, quota, { reason: 'Forbidden' }) }, cm)).toMatchObject({ outcome: 'rejected', reason: 'invalid', message: quota });
  });

  it('treats other server failures and non-Status bodies as errors', () => {
    expect(classifyAnswer({ status: 500, body: status(500, 'Internal error occurred: failed calling webhook "x"') }, cm)).toMatchObject({ outcome: 'error', reason: 'server-error' });
    expect(classifyAnswer({ status: 502, body: '<html>bad gateway</html>' }, cm)).toMatchObject({ outcome: 'error', message: 'HTTP 502: <html>bad gateway</html>' });
  });
});

/** A fake API server: a few kinds, a set of existing namespaces, records calls. */
function fakeClient(existing: string[]) {
  const kinds: Record<string, ApiResource> = {
    'v1|Namespace': { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: [] },
    'v1|ConfigMap': { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [] },
    'apiextensions.k8s.io/v1|CustomResourceDefinition': { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, verbs: [] },
    'rbac.authorization.k8s.io/v1|ClusterRole': { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, verbs: [] },
  };
  const namespaces = new Set(existing);
  const calls: string[] = [];
  const answer = (status: number, body: unknown): RawResponse => ({ status, headers: {}, body: JSON.stringify(body) });
  const client: DryRunClient = {
    resource: async (apiVersion, kind) => kinds[`${apiVersion}|${kind}`],
    get: async (_apiVersion, kind, name) => {
      calls.push(`get ${kind}/${name}`);
      return kind === 'Namespace' && namespaces.has(name) ? obj('v1', 'Namespace', name) : undefined;
    },
    apply: async (object: KubeObject, options: ApplyOptions = {}) => {
      calls.push(`${options.dryRun ? 'dry-run' : 'apply'} ${object.kind}/${object.metadata.name}`);
      if (object.kind === 'Namespace') {
        if (!options.dryRun) namespaces.add(object.metadata.name);
        return answer(201, object);
      }
      const ns = object.metadata.namespace;
      if (ns && !namespaces.has(ns)) return answer(404, { kind: 'Status', message: `namespaces "${ns}" not found`, code: 404, details: { name: ns, kind: 'namespaces' } });
      if (object.data && typeof object.data !== 'object') return answer(400, { kind: 'Status', message: 'bad data', code: 400 });
      return answer(201, object);
    },
  };
  return { client, calls, namespaces };
}

describe('serverDryRun', () => {
  const docs = [
    doc(obj('v1', 'ConfigMap', 'conf', 'tenant-a'), 'tenant-a/configmap.yaml'),
    doc(obj('v1', 'ConfigMap', 'broken', 'default', { data: 'oops' }), 'default/broken.yaml'),
    doc(obj('v1', 'Namespace', 'tenant-a'), 'tenant-a/namespace.yaml'),
    doc(obj('example.com/v1', 'Widget', 'w', 'default'), 'default/widget.yaml'),
    doc(obj('example.com/v1', 'Gadget', 'g', 'default'), 'default/gadget.yaml'),
    doc(obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gadgets.example.com', undefined, {
      spec: { group: 'example.com', names: { kind: 'Gadget', plural: 'gadgets' }, versions: [{ name: 'v1' }] },
    }), 'crds/gadget.yaml'),
    doc({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } as KubeObject, 'default/nameless.yaml'),
  ];

  it('gives every document one result, in apply order, and changes nothing on the cluster by default', async () => {
    const { client, calls, namespaces } = fakeClient(['default']);
    const results = await serverDryRun(client, docs, { concurrency: 2 });
    expect(results.map((r) => `${r.resource} ${r.outcome} ${r.reason ?? ''}`.trim())).toEqual([
      'Namespace/tenant-a accepted',
      'CustomResourceDefinition/gadgets.example.com accepted',
      'ConfigMap/<no name> rejected malformed', // no namespace, kind unresolved: counted as cluster-scoped
      'ConfigMap/tenant-a/conf error namespace-not-found',
      'ConfigMap/default/broken rejected invalid',
      'Widget/default/w rejected kind-not-served',
      'Gadget/default/g error crd-pending',
    ]);
    expect(results.find((r) => r.resource === 'ConfigMap/tenant-a/conf')?.hint).toContain('declared in tenant-a/namespace.yaml');
    expect(results.find((r) => r.resource === 'Gadget/default/g')?.hint).toContain('crds/gadget.yaml');
    expect(calls.filter((c) => c.startsWith('apply'))).toEqual([]);
    expect(namespaces).toEqual(new Set(['default']));
  });

  it('with createNamespaces really creates only the Namespaces that are missing, then dry-runs everything', async () => {
    const { client, calls } = fakeClient(['default', 'tenant-b']);
    const withB = [...docs, doc(obj('v1', 'Namespace', 'tenant-b'), 'tenant-b/namespace.yaml')];
    const results = await serverDryRun(client, withB, { createNamespaces: true });
    expect(calls.filter((c) => c.startsWith('apply'))).toEqual(['apply Namespace/tenant-a']);
    expect(results.find((r) => r.resource === 'Namespace/tenant-a')).toMatchObject({ outcome: 'accepted', created: true });
    expect(results.find((r) => r.resource === 'Namespace/tenant-b')).not.toHaveProperty('created');
    expect(results.find((r) => r.resource === 'ConfigMap/tenant-a/conf')).toMatchObject({ outcome: 'accepted' });
  });
});
