/**
 * detectDrift on objects recorded from a real kube-apiserver (fixtures/record.ts): each case
 * applies generated objects as tenantctl does, plays the controllers, then makes one change the
 * way people do it (kubectl scale, edit, set image, patch, delete, create).
 */
import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../lib/drift/engine.ts';
import { maskSecretValue } from '../../lib/drift/mask.ts';
import type { DriftFinding } from '../../lib/drift/types.ts';
import { fixture, NS, vendorCrds } from './helpers.ts';

const AT = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
const ACME = { tenant: 'acme', environment: 'production' };
const ref = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, namespace: NS, name });

function drift(name: string, withCrds = true, digestKey?: string): DriftFinding[] {
  const { desired, live } = fixture(name);
  return detectDrift({ desired, live, crds: withCrds ? vendorCrds() : undefined, digestKey });
}

const CASES: ReadonlyArray<[string, string, DriftFinding[]]> = [
  ['fresh-apply', 'a freshly applied tenant with server defaults, controller writes and controller-made objects has no drift', []],
  ['hpa-replicas', 'replicas the HPA set through the scale subresource on a Deployment that omits replicas are not drift', []],
  ['controller-annotations', 'deployment.kubernetes.io/revision and kubectl.kubernetes.io/restartedAt are not drift', []],
  ['quantities', 'quantities the server rewrote (1024Mi → 1Gi, 30000m → 30) are not drift', []],
  ['crd-defaults', 'CRD defaults filled by the server into client-side-applied custom resources are not drift', []],
  ['kubectl-scale', '`kubectl scale` of a Deployment without HPA is drift of spec.replicas by kubectl', [{
    type: 'modified', ...ACME, resource: ref('apps/v1', 'Deployment', 'odoo-cron'),
    changes: [{ path: 'spec.replicas', desired: 1, live: 3, changedBy: { manager: 'kubectl', operation: 'Update', subresource: 'scale' } }],
  }]],
  ['env-added-kubectl-edit', 'an env var added with kubectl edit is drift, although desired does not have it', [{
    type: 'modified', ...ACME, resource: ref('apps/v1', 'Deployment', 'odoo-web'),
    changes: [{ path: 'spec.template.spec.containers[name=odoo].env[name=DEBUG].value', desired: undefined, live: '1', changedBy: { manager: 'kubectl-edit', operation: 'Update', time: AT } }],
  }]],
  ['field-removed-kubectl-edit', 'a field removed with kubectl edit is drift with live undefined (the remover is not recorded)', [{
    type: 'modified', ...ACME, resource: ref('apps/v1', 'Deployment', 'odoo-web'),
    changes: [{ path: 'spec.template.spec.containers[name=odoo].securityContext.readOnlyRootFilesystem', desired: true, live: undefined }],
  }]],
  ['image-changed', 'an image changed with kubectl set image is drift of the container image', [{
    type: 'modified', ...ACME, resource: ref('apps/v1', 'Deployment', 'odoo-web'),
    changes: [{
      path: 'spec.template.spec.containers[name=odoo].image',
      desired: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110',
      live: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251201',
      changedBy: { manager: 'kubectl-set', operation: 'Update', time: AT },
    }],
  }]],
  ['networkpolicy-deleted', 'a deleted NetworkPolicy is missing', [
    { type: 'missing', ...ACME, resource: ref('networking.k8s.io/v1', 'NetworkPolicy', 'allow-dns') },
  ]],
  ['unmanaged-loadbalancer', 'a LoadBalancer Service created by hand in the tenant namespace is unmanaged; system and controller objects are not', [
    { type: 'unmanaged', ...ACME, resource: ref('v1', 'Service', 'odoo-debug'), createdBy: { manager: 'kubectl-create', operation: 'Update', time: AT } },
  ]],
  ['orphaned-object', 'an object tenantctl applied that generated/ no longer has is orphaned', [
    { type: 'orphaned', ...ACME, resource: ref('v1', 'ConfigMap', 'odoo-conf-2024'), createdBy: { manager: 'tenantctl', operation: 'Apply', time: AT } },
  ]],
  ['ingressroute-host-changed', 'a host changed in an IngressRoute (routes: an atomic list) is drift at the route index', [{
    type: 'modified', ...ACME, resource: ref('traefik.io/v1alpha1', 'IngressRoute', 'odoo'),
    changes: [{
      path: 'spec.routes[2].match',
      desired: '(Host(`erp.acme.example`) || Host(`acme.eu-west.erp.odoo-hosting.example`))',
      live: '(Host(`erp.acme.example`) || Host(`erp-new.acme.example`))',
      changedBy: { manager: 'kubectl-patch', operation: 'Update', time: AT },
    }],
  }]],
  ['scheduledbackup-suspended', 'a ScheduledBackup suspended by hand is drift of spec.suspend (no CRD default: desired undefined)', [{
    type: 'modified', ...ACME, resource: ref('postgresql.cnpg.io/v1', 'ScheduledBackup', 'pg-daily'),
    changes: [{ path: 'spec.suspend', desired: undefined, live: true, changedBy: { manager: 'kubectl-patch', operation: 'Update', time: AT } }],
  }]],
  ['secret-key-changed', 'a Secret key changed by hand is drift with both values masked', [{
    type: 'modified', ...ACME, resource: ref('v1', 'Secret', 'smtp-relay'),
    changes: [{
      path: 'data.password',
      desired: maskSecretValue(Buffer.from('s3cr3t-relay-password').toString('base64')),
      live: maskSecretValue(Buffer.from('rotated-by-hand').toString('base64')),
      changedBy: { manager: 'kubectl-patch', operation: 'Update', time: AT },
    }],
  }]],
];

describe('detectDrift on recorded API server objects', () => {
  it.each(CASES)('%s: %s', (name, _title, expected) => {
    expect(drift(name)).toEqual(expected);
  });

  it('never lets a Secret value or its base64 out', () => {
    for (const key of ['ci-key', undefined]) {
      const text = JSON.stringify(drift('secret-key-changed', true, key));
      for (const secret of ['s3cr3t-relay-password', 'rotated-by-hand']) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(Buffer.from(secret).toString('base64'));
      }
      expect(text).toMatch(key ? /hmac-sha256:[0-9a-f]{16}/ : /<hidden>/);
    }
  });

  it('reports CRD defaults as drift when no CRD schemas are given (what the schemas fix)', () => {
    const findings = drift('crd-defaults', false);
    const paths = findings.flatMap((f) => (f.changes ?? []).map((c) => `${f.resource.kind} ${c.path} ${c.changedBy?.manager}`));
    expect(paths).toEqual(expect.arrayContaining([
      'ExternalSecret spec.data[0].remoteRef.conversionStrategy kubectl-client-side-apply',
      'Cluster spec.logLevel kubectl-client-side-apply',
      'IngressRoute spec.routes[1].observability.traceVerbosity kubectl-client-side-apply',
    ]));
  });

  it('gives the same findings whatever the order of the input', () => {
    const { desired, live } = fixture('fresh-apply');
    const extra = fixture('unmanaged-loadbalancer').live.filter((o) => o.metadata.name === 'odoo-debug');
    const forward = detectDrift({ desired, live: [...live, ...extra], crds: vendorCrds() });
    const backward = detectDrift({ desired: [...desired].reverse(), live: [...live, ...extra].reverse(), crds: vendorCrds() });
    expect(forward).toHaveLength(1);
    expect(backward).toEqual(forward);
  });

  it('without managedFields reports only what desired declares', () => {
    for (const name of ['env-added-kubectl-edit', 'image-changed']) {
      const { desired, live } = fixture(name);
      for (const o of live) delete o.metadata.managedFields;
      const paths = detectDrift({ desired, live, crds: vendorCrds() }).flatMap((f) => f.changes ?? []).map((c) => c.path);
      expect(paths).toEqual(name === 'image-changed' ? ['spec.template.spec.containers[name=odoo].image'] : []);
    }
  });

  it('finds every out-of-band change at once in a whole tenant', () => {
    const base = fixture('fresh-apply');
    const edited = fixture('env-added-kubectl-edit').live.find((o) => o.kind === 'Deployment')!;
    const live = base.live.filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'odoo-web') && !(o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-dns'));
    const findings = detectDrift({ desired: base.desired, live: [...live, edited], crds: vendorCrds() });
    expect(findings.map((f) => `${f.type} ${f.resource.kind}/${f.resource.name}`)).toEqual([
      'modified Deployment/odoo-web',
      'missing NetworkPolicy/allow-dns',
    ]);
  });

  it('drops findings and changes that ignore rules match', () => {
    const { desired, live } = fixture('kubectl-scale');
    expect(detectDrift({ desired, live, ignore: [{ kind: 'Deployment', paths: ['spec.replicas'], reason: 'scaled by on-call' }] })).toEqual([]);
    expect(detectDrift({ desired, live, ignore: [{ managers: ['kubectl'] }] })).toEqual([]);
    expect(detectDrift({ desired, live, ignore: [{ managers: ['kubectl-edit'] }] })).toHaveLength(1);
  });

  it('skips kustomization.yaml documents of generated/', () => {
    const { desired, live } = fixture('kubectl-scale');
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', metadata: { name: 'acme-production' }, resources: [] };
    expect(detectDrift({ desired: [...desired, kustomization], live })).toEqual(detectDrift({ desired, live }));
  });
});
