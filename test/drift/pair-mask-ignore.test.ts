import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { managerClassifier } from '../../lib/drift/attribution.ts';
import { detectDrift } from '../../lib/drift/engine.ts';
import { compileIgnoreRules } from '../../lib/drift/ignore.ts';
import { ABSENT, HIDDEN, maskSecretChanges, maskSecretValue } from '../../lib/drift/mask.ts';
import { isControllerMade, pairObjects, tenantNamespaces } from '../../lib/drift/pair.ts';
import type { DriftFinding } from '../../lib/drift/types.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { asLive, deployment, fixture, managed, NS, OURS, TENANTCTL_APPLY } from './helpers.ts';

const managers = managerClassifier();
const obj = (kind: string, name: string, extra: Partial<KubeObject['metadata']> = {}, apiVersion = 'v1'): KubeObject =>
  ({ apiVersion, kind, metadata: { name, namespace: NS, ...extra } });

describe('pairObjects', () => {
  it('pairs by group, kind, namespace and name, whatever the API version', () => {
    const desired = [obj('HorizontalPodAutoscaler', 'web', {}, 'autoscaling/v2')];
    const live = [obj('HorizontalPodAutoscaler', 'web', {}, 'autoscaling/v1')];
    expect(pairObjects(desired, live, { managers }).map((p) => p.kind)).toEqual(['matched']);
  });

  it('pairs a desired object without namespace with the one live object of its kind and name', () => {
    const desired = [{ ...obj('ConfigMap', 'c'), metadata: { name: 'c' } }];
    expect(pairObjects(desired, [obj('ConfigMap', 'c')], { managers }).map((p) => p.kind)).toEqual(['matched']);
  });

  it('sorts out orphans, unmanaged objects, controller-made objects of tenants and what belongs to nobody', () => {
    const live = [
      obj('ConfigMap', 'old', { labels: OURS }),
      obj('Service', 'debug', { managedFields: [managed('kubectl-create', {})] }),
      obj('ConfigMap', 'kube-root-ca.crt'),
      obj('ServiceAccount', 'default'),
      obj('Pod', 'web-1', { ownerReferences: [{ kind: 'ReplicaSet', name: 'web', uid: 'u' }] }),
      obj('Event', 'web.1'),
      obj('Lease', 'l', {}, 'coordination.k8s.io/v1'),
      obj('Secret', 'odoo-tls', { managedFields: [managed('cert-manager-certificates-issuing', {}, 'Apply')] }),
      { ...obj('ConfigMap', 'elsewhere'), metadata: { name: 'elsewhere', namespace: 'kube-system' } },
    ];
    expect(pairObjects([], live, { managers }).map((p) => `${p.kind} ${'live' in p ? p.live.metadata.name : ''}`)).toEqual([
      'orphan old',
      'unmanaged debug',
      'derived web-1',
      'derived odoo-tls',
    ]);
  });

  it('treats an object created by a GitOps applier but not labelled as ours as unmanaged', () => {
    const live = [obj('ConfigMap', 'x', { managedFields: [managed('argocd-controller', {}, 'Apply')] })];
    expect(isControllerMade(live[0], managers)).toBe(false);
    expect(pairObjects([], live, { managers }).map((p) => p.kind)).toEqual(['unmanaged']);
  });

  it('knows tenant namespaces by label or by name', () => {
    const labelled: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme', labels: { 'tenantctl.io/tenant': 'acme' } } };
    const named: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-beta-staging' } };
    const other: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } };
    expect([...tenantNamespaces([labelled], [named, other])].sort()).toEqual(['acme', 'tenant-beta-staging']);
  });
});

describe('masking', () => {
  it('digests the decoded value with the key, so data and stringData agree, and names absent values', () => {
    expect(maskSecretValue('aHVudGVyMg==', 'k1')).toBe(maskSecretValue('hunter2', 'k1'));
    expect(maskSecretValue('aHVudGVyMg==', 'k1')).toMatch(/^hmac-sha256:[0-9a-f]{16}$/);
    expect(maskSecretValue(undefined, 'k1')).toBe(ABSENT);
  });

  it('keys the digest: stable under one key, different under another, and not the plain SHA-256 anyone can compute', () => {
    const digest = maskSecretValue('hunter2', 'ci-secret');
    expect(maskSecretValue('hunter2', 'ci-secret')).toBe(digest);
    expect(maskSecretValue('hunter2', 'other-key')).not.toBe(digest);
    expect(digest).not.toContain(createHash('sha256').update('hunter2').digest('hex').slice(0, 12));
    expect(digest).toBe(`hmac-sha256:${createHmac('sha256', 'ci-secret').update('hunter2').digest('hex').slice(0, 16)}`);
  });

  it('says only that a value is there, with no digest, without a key', () => {
    expect(maskSecretValue('hunter2')).toBe(HIDDEN);
    expect(maskSecretValue('hunter2', '')).toBe(HIDDEN);
    expect(maskSecretChanges([{ path: 'data.password', desired: 'a', live: 'b' }])).toEqual([{ path: 'data.password', desired: HIDDEN, live: HIDDEN }]);
  });

  it('masks everything but metadata and type, and reports stringData as data', () => {
    const changes = maskSecretChanges([
      { path: 'stringData.token', desired: 'a', live: undefined },
      { path: 'type', desired: 'Opaque', live: 'kubernetes.io/tls' },
      { path: 'metadata.labels.team', desired: 'a', live: 'b' },
    ], 'k1');
    expect(changes).toEqual([
      { path: 'data.token', desired: maskSecretValue('a', 'k1'), live: ABSENT },
      { path: 'type', desired: 'Opaque', live: 'kubernetes.io/tls' },
      { path: 'metadata.labels.team', desired: 'a', live: 'b' },
    ]);
  });

  it('masks a key added to a Secret by hand', () => {
    const desired: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: NS, labels: OURS }, stringData: { user: 'u' } };
    const live = { ...desired, type: 'Opaque', data: { user: 'dQ==', 'extra.key': 'c2VjcmV0' }, stringData: undefined,
      metadata: { ...desired.metadata, managedFields: [managed('kubectl-edit', { 'f:data': { 'f:extra.key': {} } })] } } as KubeObject;
    const [finding] = detectDrift({ desired: [desired], live: [live] });
    expect(finding.changes).toEqual([{ path: 'data["extra.key"]', desired: ABSENT, live: maskSecretValue('secret'), changedBy: expect.objectContaining({ manager: 'kubectl-edit' }) }]);
  });
});

describe('ignore rules', () => {
  const finding: DriftFinding = {
    type: 'modified', resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'odoo-web' },
    changes: [
      { path: 'spec.replicas', desired: 1, live: 3, changedBy: { manager: 'kubectl', operation: 'Update' } },
      { path: 'spec.template.spec.containers[name=odoo].resources.requests.cpu', desired: '1', live: '2', changedBy: { manager: 'vpa-updater', operation: 'Update' } },
    ],
  };

  it('drop changes by path pattern and by manager, and findings left without changes', () => {
    expect(compileIgnoreRules([{ paths: ['spec.template.spec.containers[*].resources'] }]).apply(finding)?.changes?.map((c) => c.path)).toEqual(['spec.replicas']);
    expect(compileIgnoreRules([{ managers: ['vpa-*'] }]).apply(finding)?.changes).toHaveLength(1);
    expect(compileIgnoreRules([{ managers: ['vpa-*'] }, { paths: ['spec.replicas'] }]).apply(finding)).toBeUndefined();
  });

  it('drop whole findings by resource and type, globs allowed', () => {
    expect(compileIgnoreRules([{ kind: 'Deploy*', name: 'odoo-*' }]).apply(finding)).toBeUndefined();
    expect(compileIgnoreRules([{ kind: 'Deployment', types: ['unmanaged'] }]).apply(finding)).toBe(finding);
    expect(compileIgnoreRules([{ group: 'apps', namespace: 'other' }]).apply(finding)).toBe(finding);
  });

  it('fail on a bad path, naming the rule and the expected form', () => {
    expect(() => compileIgnoreRules([{ paths: ['spec.containers[name=odoo'], reason: 'typo' }])).toThrow(/ignore rule 1 \(typo\).*never closed.*write paths like/);
  });
});

describe('detectDrift on hand-made objects', () => {
  it('reports a label added by hand, and leaves a controller-owned annotation alone', () => {
    const desired = deployment();
    const live = asLive(desired, [TENANTCTL_APPLY,
      managed('kubectl-label', { 'f:metadata': { 'f:labels': { 'f:owner': {} } } }),
      managed('vpa-admission-controller', { 'f:metadata': { 'f:annotations': { 'f:vpa.example/updated': {} } } })], (o) => {
      o.metadata.labels.owner = 'jane';
      o.metadata.annotations = { 'vpa.example/updated': 'yes' };
    });
    expect(detectDrift({ desired: [desired], live: [live] })[0].changes).toEqual([
      { path: 'metadata.labels.owner', desired: undefined, live: 'jane', changedBy: expect.objectContaining({ manager: 'kubectl-label' }) },
    ]);
  });

  it('reports replicas a person patched on a Deployment whose desired omits them, with the default as desired', () => {
    const desired = deployment();
    const live = asLive(desired, [TENANTCTL_APPLY, managed('kubectl-patch', { 'f:spec': { 'f:replicas': {} } }, 'Update', '2026-11-21T08:00:00Z')], (o) => { o.spec.replicas = 5; });
    expect(detectDrift({ desired: [desired], live: [live] })[0].changes).toEqual([
      { path: 'spec.replicas', desired: 1, live: 5, changedBy: { manager: 'kubectl-patch', operation: 'Update', time: '2026-11-21T08:00:00Z' } },
    ]);
  });

  it('leaves replicas an HPA owns alone when desired omits them', () => {
    const desired = deployment();
    const live = asLive(desired, [TENANTCTL_APPLY, managed('kube-controller-manager', { 'f:spec': { 'f:replicas': {} } }, 'Update', '2026-11-21T08:00:00Z', 'scale')], (o) => { o.spec.replicas = 5; });
    expect(detectDrift({ desired: [desired], live: [live] })).toEqual([]);
  });

  it('takes tenant and environment from the namespace when the object has no labels', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'tenantctl.io/tenant': 'acme', 'tenantctl.io/environment': 'production' } } };
    const stray = obj('ConfigMap', 'notes', { managedFields: [managed('kubectl-create', {})] });
    expect(detectDrift({ desired: [ns], live: [asLive(ns, []), stray] })).toEqual([
      { type: 'unmanaged', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'notes' }, createdBy: expect.objectContaining({ manager: 'kubectl-create' }) },
    ]);
  });

  it('sorts findings by namespace, kind, name and type', () => {
    const { desired, live } = fixture('networkpolicy-deleted');
    const more = [obj('ConfigMap', 'b', { labels: OURS }), obj('ConfigMap', 'a', { labels: OURS })];
    expect(detectDrift({ desired, live: [...live, ...more] }).map((f) => `${f.type} ${f.resource.kind}/${f.resource.name}`)).toEqual([
      'orphaned ConfigMap/a', 'orphaned ConfigMap/b', 'missing NetworkPolicy/allow-dns',
    ]);
  });
});
