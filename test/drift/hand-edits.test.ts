import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../lib/drift/engine.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { managed, NS } from './helpers.ts';

const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'tenantctl.io/tenant': 'acme', 'tenantctl.io/environment': 'production' } } };

/** The Secret External Secrets writes for the ExternalSecret `odoo-db`, as the server returns it. */
function syncedSecret(extra: object[] = [], data: Record<string, string> = { password: Buffer.from('s3cret').toString('base64') }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'odoo-db',
      namespace: NS,
      ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'odoo-db', uid: 'u', controller: true }],
      managedFields: [managed('external-secrets', { 'f:data': { '.': {}, 'f:password': {}, 'f:user': {} }, 'f:type': {} }, 'Update', '2026-11-20T09:00:00Z'), ...extra],
    },
    type: 'Opaque',
    data: { user: Buffer.from('odoo').toString('base64'), ...data },
  };
}

describe('hand edits of controller-made objects', () => {
  it('reports a Secret key changed with kubectl edit over the controller output, masked, with who did it', () => {
    const edited = syncedSecret([managed('kubectl-edit', { 'f:data': { 'f:password': {} } }, 'Update', '2026-11-22T14:03:00Z')], { password: Buffer.from('hunter2').toString('base64') });
    const findings = detectDrift({ desired: [namespace], live: [namespace, edited], digestKey: 'k' });
    expect(findings).toEqual([
      {
        type: 'modified',
        tenant: 'acme',
        environment: 'production',
        resource: { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'odoo-db' },
        changes: [{ path: 'data.password', desired: undefined, live: expect.stringMatching(/^hmac-sha256:[0-9a-f]{16}$/), changedBy: { manager: 'kubectl-edit', operation: 'Update', time: '2026-11-22T14:03:00Z' } }],
        createdBy: { manager: 'external-secrets', operation: 'Update', time: '2026-11-20T09:00:00Z' },
        derivedFrom: { kind: 'ExternalSecret', name: 'odoo-db' },
      },
    ]);
    expect(JSON.stringify(findings)).not.toContain('hunter2');
    expect(JSON.stringify(findings)).not.toContain(Buffer.from('hunter2').toString('base64'));
  });

  it('says nothing about a controller-made object only controllers wrote', () => {
    expect(detectDrift({ desired: [namespace], live: [namespace, syncedSecret()] })).toEqual([]);
  });

  it('ignores controller-made objects outside tenant namespaces', () => {
    const edited = syncedSecret([managed('kubectl-edit', { 'f:data': { 'f:password': {} } })]);
    const elsewhere = { ...edited, metadata: { ...edited.metadata, namespace: 'kube-system' } };
    expect(detectDrift({ desired: [namespace], live: [namespace, elsewhere] })).toEqual([]);
  });
});

describe('credential-named fields outside Secrets', () => {
  it('masks an env var named like a password that a person added to a Deployment', () => {
    const desired: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'odoo-web', namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } },
      spec: { template: { spec: { containers: [{ name: 'odoo', image: 'odoo:18', env: [{ name: 'LOG_LEVEL', value: 'info' }] }] } } } };
    const live: KubeObject = { ...desired, metadata: { ...desired.metadata, managedFields: [
      managed('tenantctl', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"odoo"}': { 'f:image': {}, 'f:env': { 'k:{"name":"LOG_LEVEL"}': { 'f:value': {} } } } } } } } }, 'Apply'),
      managed('kubectl-set', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"odoo"}': { 'f:env': { 'k:{"name":"DB_PASSWORD"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } } }),
    ] },
      spec: { template: { spec: { containers: [{ name: 'odoo', image: 'odoo:18', env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_PASSWORD', value: 'hunter2' }] }] } } } };
    const findings = detectDrift({ desired: [namespace, desired], live: [namespace, live], digestKey: 'k' });
    const text = JSON.stringify(findings);
    expect(findings.map((f) => f.type)).toEqual(['modified']);
    expect(text).toContain('DB_PASSWORD');
    expect(text).not.toContain('hunter2');
    expect(text).toMatch(/hmac-sha256:[0-9a-f]{16}/);
  });
});
