import { describe, expect, it } from 'vitest';
import { classifyManager, judgeChange, managerClassifier } from '../../lib/drift/attribution.ts';
import { indexManagedFields, managedPaths } from '../../lib/drift/managed-fields.ts';
import type { Segment } from '../../lib/drift/path.ts';
import { fixture, managed } from './helpers.ts';

const f = (name: string): Segment => ({ kind: 'field', name });
const key = (item: Record<string, string | number>): Segment => ({ kind: 'key', keys: Object.entries(item), item });
const envDebug = [f('spec'), f('template'), f('spec'), f('containers'), key({ name: 'odoo' }), f('env'), key({ name: 'DEBUG' }), f('value')];

describe('managedFields', () => {
  const edited = fixture('env-added-kubectl-edit').live.find((o) => o.kind === 'Deployment')!;

  it('finds the manager of a list item by its k: key', () => {
    expect(indexManagedFields(edited).ownersOf(envDebug)).toEqual([{ manager: 'kubectl-edit', operation: 'Update', time: expect.any(String) }]);
  });

  it('flattens the field sets into dotted paths', () => {
    const paths = managedPaths(edited);
    expect(paths.get('spec.template.spec.containers[name=odoo].env[name=DEBUG].value')?.map((o) => o.manager)).toEqual(['kubectl-edit']);
    expect(paths.get('spec.template.spec.containers[name=odoo].ports[containerPort=8069,protocol=TCP].containerPort')?.map((o) => o.manager)).toEqual(['tenantctl']);
    const scaled = managedPaths(fixture('kubectl-scale').live.find((o) => o.kind === 'Deployment')!);
    expect(scaled.get('spec.replicas')?.map((o) => `${o.manager}/${o.subresource}`)).toEqual(['kubectl/scale']);
  });

  it('records no owner when the scale subresource sets replicas nobody owned (the HPA case)', () => {
    const deployment = fixture('hpa-replicas').live.find((o) => o.kind === 'Deployment')!;
    expect((deployment.spec as { replicas: number }).replicas).toBe(3);
    expect(managedPaths(deployment).get('spec.replicas')).toBeUndefined();
  });

  it('gives the owner of an atomic list ownership of its items, unless asked for exact owners', () => {
    const obj = { metadata: { name: 'x', managedFields: [managed('kubectl-patch', { 'f:spec': { 'f:routes': {} } })] } };
    const path = [f('spec'), f('routes'), { kind: 'index', index: 2 } as Segment, f('match')];
    expect(indexManagedFields(obj).ownersOf(path).map((o) => o.manager)).toEqual(['kubectl-patch']);
    expect(indexManagedFields(obj).ownersOf(path, true)).toEqual([]);
  });

  it('says when an object has no managedFields', () => {
    expect(indexManagedFields({ metadata: { name: 'x' } }).tracked).toBe(false);
  });
});

describe('classifyManager', () => {
  it.each([
    ['kubectl', 'human'], ['kubectl-edit', 'human'], ['kubectl-client-side-apply', 'human'], ['kubectl-scale', 'human'],
    ['Mozilla/5.0 (X11; Linux x86_64)', 'human'], ['k9s', 'human'], ['Lens', 'human'], ['OpenLens', 'human'], ['headlamp', 'human'],
    ['kube-controller-manager', 'controller'], ['argocd-controller', 'controller'], ['kustomize-controller', 'controller'],
    ['cert-manager-certificates-issuing', 'controller'], ['external-secrets', 'controller'], ['cloudnative-pg', 'controller'],
    ['traefik', 'controller'], ['velero-server', 'controller'], ['tenantctl', 'controller'],
    ['Go-http-client', 'unknown'], ['terraform-provider-kubernetes', 'unknown'],
  ])('%s is %s', (manager, expected) => {
    expect(classifyManager(manager)).toBe(expected);
  });

  it('takes extra names from options', () => {
    const managers = managerClassifier({ controllers: ['vault-*'], humans: ['rancher-ui'], appliers: ['flux-client-side-apply'] });
    expect(managers.classify('vault-operator')).toBe('controller');
    expect(managers.classify('rancher-ui')).toBe('human');
    expect(managers.isApplier('flux-client-side-apply')).toBe(true);
    expect(managers.isApplier('tenantctl')).toBe(false);
    expect(managerClassifier({ humans: ['manager'] }).classify('manager')).toBe('human');
  });
});

describe('judgeChange', () => {
  const managers = managerClassifier();
  const path = [f('spec'), f('x')];
  const owned = (...entries: object[]) => indexManagedFields({ metadata: { name: 'o', managedFields: entries } });
  const owns = (manager: string, operation = 'Update') => managed(manager, { 'f:spec': { 'f:x': {} } }, operation);

  it('reports a declared field whatever wrote it, blaming the writer', () => {
    expect(judgeChange({ path, desired: 1, live: 3, declared: true }, owned(owns('kube-controller-manager')), managers))
      .toEqual({ drift: true, changedBy: expect.objectContaining({ manager: 'kube-controller-manager' }) });
  });

  it('reports an undeclared live field owned by a person or an unknown tool', () => {
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, owned(owns('kubectl-edit')), managers).drift).toBe(true);
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, owned(owns('Go-http-client')), managers).drift).toBe(true);
  });

  it('leaves undeclared fields of controllers, of nobody (defaults) and of untracked objects alone', () => {
    expect(judgeChange({ path, desired: 1, live: 3, declared: false }, owned(owns('kube-controller-manager')), managers).drift).toBe(false);
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, owned(managed('tenantctl', { 'f:spec': { 'f:y': {} } }, 'Apply')), managers).drift).toBe(false);
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, indexManagedFields({ metadata: { name: 'o' } }), managers).drift).toBe(false);
  });

  it('reports a field the applier still applies by name but generated/ dropped', () => {
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, owned(owns('tenantctl', 'Apply')), managers).drift).toBe(true);
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, owned(owns('argocd-application-controller', 'Update')), managers).drift).toBe(false);
  });

  it('reports a field dropped from Git that only the applier\'s client-side apply entry owns, once the applier applies server-side', () => {
    const migrated = owned(owns('argocd-controller', 'Update'), managed('argocd-controller', { 'f:spec': { 'f:y': {} } }, 'Apply'));
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, migrated, managers))
      .toEqual({ drift: true, changedBy: expect.objectContaining({ manager: 'argocd-controller', operation: 'Update' }) });
    // Client-side apply only (no migration): every field it sent, defaults included, is its own; not drift.
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, owned(owns('argocd-controller', 'Update')), managers).drift).toBe(false);
    // Shared with a controller: the controller may be why it is there.
    const shared = owned(owns('argocd-controller', 'Update'), owns('kube-controller-manager'), managed('argocd-controller', { 'f:spec': { 'f:y': {} } }, 'Apply'));
    expect(judgeChange({ path, desired: undefined, live: 3, declared: false }, shared, managers).drift).toBe(false);
  });

  it('takes a zero value the server dropped but the applier still owns as equal, a removed one as drift', () => {
    expect(judgeChange({ path, desired: false, live: undefined, declared: true }, owned(owns('tenantctl', 'Apply')), managers).drift).toBe(false);
    expect(judgeChange({ path, desired: false, live: undefined, declared: true }, owned(managed('tenantctl', { 'f:spec': { 'f:y': {} } }, 'Apply')), managers))
      .toEqual({ drift: true });
    expect(judgeChange({ path, desired: true, live: undefined, declared: true }, owned(owns('tenantctl', 'Apply')), managers).drift).toBe(true);
  });
});
