import { describe, expect, it } from 'vitest';
import { discover, discoveryKey, type GetJson } from '../../lib/live/discovery.ts';
import { KubeApiError } from '../../lib/live/errors.ts';

/** What KubeClient.requestJson throws for a non-2xx answer carrying a Status. */
function apiError(path: string, code: number, message: string): KubeApiError {
  const status = { kind: 'Status', code, message };
  return new KubeApiError('GET', path, code, status, JSON.stringify(status));
}

/** A GetJson answering from a table; a missing path is a 404 Status, as the API server answers. */
function fake(answers: Record<string, unknown>, seen: string[] = []): GetJson {
  return async <T>(path: string, accept?: string) => {
    seen.push(`${path}${accept ? ` accept=${accept.split(',')[0]}` : ''}`);
    if (!(path in answers)) throw apiError(path, 404, `the server could not find the requested resource`);
    return answers[path] as T;
  };
}

describe('discover', () => {
  it('reads aggregated discovery in two requests, keyed by apiVersion and kind', async () => {
    const seen: string[] = [];
    const index = await discover(fake({
      '/api': { kind: 'APIGroupDiscoveryList', items: [{ metadata: {}, versions: [{ version: 'v1', resources: [
        { resource: 'configmaps', responseKind: { kind: 'ConfigMap' }, scope: 'Namespaced', verbs: ['get', 'list'] },
        { resource: 'bindings' }, // no responseKind: not an object kind
      ] }] }] },
      '/apis': { kind: 'APIGroupDiscoveryList', items: [{ metadata: { name: 'rbac.authorization.k8s.io' }, versions: [{ version: 'v1', resources: [
        { resource: 'clusterroles', responseKind: { kind: 'ClusterRole' }, scope: 'Cluster' },
      ] }] }] },
    }, seen));
    expect(seen).toEqual(['/api accept=application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', '/apis accept=application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList']);
    expect([...index.keys()]).toEqual(['v1|ConfigMap', 'rbac.authorization.k8s.io/v1|ClusterRole']);
    expect(index.get(discoveryKey('v1', 'ConfigMap'))).toEqual({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: ['get', 'list'] });
    expect(index.get(discoveryKey('rbac.authorization.k8s.io/v1', 'ClusterRole'))).toMatchObject({ plural: 'clusterroles', namespaced: false, verbs: [] });
  });

  it('falls back to one request per group/version, skipping subresources and group/versions that are down', async () => {
    const index = await discover(fake({
      '/api': { kind: 'APIVersions', versions: ['v1'] },
      '/apis': { kind: 'APIGroupList', groups: [
        { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] },
        { name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }] }, // not in the table: 404
      ] },
      '/api/v1': { resources: [{ name: 'pods', kind: 'Pod', namespaced: true }, { name: 'pods/log', kind: 'Pod', namespaced: true }] },
      '/apis/apps/v1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['patch'] }] },
    }));
    expect([...index.values()].map((r) => `${r.group}/${r.version}/${r.kind} ${r.plural}`).sort()).toEqual(['/v1/Pod pods', 'apps/v1/Deployment deployments']);
  });

  it('fails when a group/version answers other than 404 or 503', async () => {
    const getJson: GetJson = async <T>(path: string) => {
      if (path === '/api') return { kind: 'APIVersions', versions: ['v1'] } as T;
      if (path === '/apis') return { kind: 'APIGroupList', groups: [] } as T;
      throw apiError(path, 403, `forbidden: cannot get path "${path}"`);
    };
    await expect(discover(getJson)).rejects.toThrow('forbidden: cannot get path "/api/v1"');
  });
});
