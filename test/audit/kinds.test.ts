import { describe, expect, it } from 'vitest';
import { MANAGED_SELECTOR, planListings } from '../../lib/audit/kinds.ts';
import type { ApiResource } from '../../lib/live/discovery.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { segmentsOf } from '../../lib/audit/desired.ts';

const served = (group: string, version: string, kind: string, namespaced = true): ApiResource => ({ group, version, kind, plural: `${kind.toLowerCase()}s`, namespaced, verbs: ['get', 'list', 'watch'] });
const SERVED = [
  served('', 'v1', 'Namespace', false), served('', 'v1', 'Pod'), served('', 'v1', 'Service'), served('', 'v1', 'Secret'),
  served('apps', 'v1', 'Deployment'), served('rbac.authorization.k8s.io', 'v1', 'ClusterRole', false),
  served('postgresql.cnpg.io', 'v1', 'ScheduledBackup'), served('autoscaling', 'v2', 'HorizontalPodAutoscaler'), served('autoscaling', 'v1', 'HorizontalPodAutoscaler'),
];
const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });

describe('planListings', () => {
  const desired = [
    obj('v1', 'Namespace', 'tenant-a-production'),
    obj('apps/v1', 'Deployment', 'odoo-web', 'tenant-a-production'),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'tenantctl-auditor'),
    obj('postgresql.cnpg.io/v1', 'ScheduledBackup', 'pg-daily', 'tenant-a-production'),
    obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'odoo-web', 'tenant-a-production'),
    obj('traefik.io/v1alpha1', 'IngressRoute', 'odoo', 'tenant-a-production'),
    obj('kustomize.config.k8s.io/v1beta1', 'Kustomization', 'k'),
  ];
  const plan = planListings(segmentsOf(desired), SERVED);
  const byKind = new Map(plan.kinds.map((k) => [k.kind, k]));

  it('lists every namespaced kind the server serves whole, to find unmanaged objects, and cluster-scoped kinds by our label', () => {
    expect(byKind.get('Deployment')?.selector).toBeUndefined();
    expect(byKind.get('Pod')).toMatchObject({ scanOnly: true });
    expect(byKind.get('Pod')?.selector).toBeUndefined();
    expect(byKind.get('ScheduledBackup')?.selector).toBeUndefined();
    expect(byKind.get('ClusterRole')).toMatchObject({ selector: MANAGED_SELECTOR, namespaced: false });
  });

  it('scans kinds it has never heard of, as discovery serves them, but not events, leases or endpoint slices', () => {
    const more = [...SERVED, served('external-secrets.io', 'v1', 'ExternalSecret'), served('velero.io', 'v1', 'Restore'), served('example.com', 'v1alpha1', 'Tunnel'),
      served('', 'v1', 'Event'), served('events.k8s.io', 'v1', 'Event'), served('coordination.k8s.io', 'v1', 'Lease'), served('discovery.k8s.io', 'v1', 'EndpointSlice'),
      { ...served('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview'), verbs: ['create'] }];
    const kinds = planListings([], more).kinds.map((k) => `${k.group}/${k.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['external-secrets.io/ExternalSecret', 'velero.io/Restore', 'example.com/Tunnel', '/Pod', 'postgresql.cnpg.io/ScheduledBackup']));
    for (const noise of ['/Event', 'events.k8s.io/Event', 'coordination.k8s.io/Lease', 'discovery.k8s.io/EndpointSlice', 'authorization.k8s.io/LocalSubjectAccessReview']) expect(kinds).not.toContain(noise);
  });

  it('lists Secrets only in tenant namespaces, one listing each, and not at all without any', () => {
    expect(planListings([], SERVED, ['tenant-b', 'tenant-a']).kinds.find((k) => k.kind === 'Secret')).toMatchObject({ inNamespaces: ['tenant-a', 'tenant-b'], scanOnly: true });
    expect(byKind.has('Secret')).toBe(false);
  });

  it('lists each kind once, at the version generated/ uses when the server serves it', () => {
    expect(plan.kinds.filter((k) => k.kind === 'HorizontalPodAutoscaler').map((k) => k.apiVersion)).toEqual(['autoscaling/v2']);
    expect(byKind.get('Deployment')?.desired.load().map((o) => o.metadata.name)).toEqual(['odoo-web']);
  });

  it('lists namespaces first and whole, and never lists build-time documents', () => {
    expect(plan.namespaces.kind).toBe('Namespace');
    expect(plan.namespaces.selector).toBeUndefined();
    expect(plan.namespaces.desired.load()).toHaveLength(1);
    expect([...byKind.keys()]).not.toContain('Kustomization');
  });

  it('sets apart desired kinds the cluster does not serve, so their objects count as missing', () => {
    expect(plan.unserved.map((k) => [k.kind, k.desired.count])).toEqual([['IngressRoute', 1]]);
    expect(byKind.has('IngressRoute')).toBe(false);
  });
});
