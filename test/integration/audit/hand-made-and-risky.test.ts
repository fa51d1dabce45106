/**
 * Issue 12 on a real kube-apiserver: what the audit must see beyond the first pass of
 * audit.test.ts. A label removed from one of our objects (modified, not missing), hand-made
 * objects of kinds discovery serves (unmanaged), a field left behind by a client-side → server-side
 * migration, risky live changes (policies that say why), a modified Namespace confirmed by a
 * server-side dry-run, keyed secret digests, and one pairing rule for desired objects without a
 * namespace.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { auditCluster } from '../../../lib/audit/audit-cluster.ts';
import { segmentsOf } from '../../../lib/audit/desired.ts';
import type { AuditFinding, AuditReport } from '../../../lib/audit/types.ts';
import { auditCommand } from '../../../lib/cli/commands/audit.ts';
import { detectDrift } from '../../../lib/drift/engine.ts';
import { readManifests } from '../../../lib/io/read-manifests.ts';
import type { KubeObject } from '../../../lib/model/resource.ts';
import { REPO_ROOT } from '../../control-plane/control-plane.ts';
import { auditOptions, startLiveFleet, type LiveFleet } from './live-fleet.ts';

const CLUSTER = 'eu-central-1';
const DELTA = 'tenant-delta-production';
const FJORD = 'tenant-fjord-production';
let fleet: LiveFleet;

async function audit(extra: Partial<Parameters<typeof auditCommand>[0]> = {}): Promise<AuditReport> {
  const { report } = await auditCommand(auditOptions(fleet, CLUSTER, extra));
  expect(report.clusters[0].status, report.clusters[0].error).toBe('ok');
  return report;
}

function find(report: AuditReport, type: AuditFinding['type'], kind: string, namespace: string | undefined, name: string, policy?: string): AuditFinding | undefined {
  return report.clusters[0].findings.find((f) => f.type === type && f.resource.kind === kind && f.resource.namespace === namespace && f.resource.name === name && (!policy || f.policy?.id === policy));
}

const generatedObject = (file: string): KubeObject => parse(readFileSync(join(REPO_ROOT, 'generated', CLUSTER, file), 'utf8')) as KubeObject;

beforeAll(async () => {
  fleet = await startLiveFleet(CLUSTER);
}, 240_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('tenantctl audit: hand-made objects and risky changes', () => {
  let report: AuditReport;

  beforeAll(async () => {
    const k = fleet.kubectl;
    // 1. Our label removed, from a namespaced custom resource and from a cluster-scoped object.
    k(['label', '-n', DELTA, 'prometheusrule.monitoring.coreos.com/tenant-alerts', 'app.kubernetes.io/managed-by-']);
    k(['label', 'clusterrole/tenantctl-auditor', 'app.kubernetes.io/managed-by-']);
    // 2. Hand-made objects that move data, secrets or traffic, of kinds no fixed list named.
    const handMade = [
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'borrowed-db', namespace: FJORD },
        spec: { secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, target: { name: 'borrowed-db' }, data: [{ secretKey: 'password', remoteRef: { key: 'tenants/cobalt/production/db', property: 'password' } }] } },
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'lookalike', namespace: FJORD },
        spec: { secretName: 'lookalike-tls', dnsNames: ['fjord-erp.attacker.example'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } } },
      { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRouteTCP', metadata: { name: 'pg-direct', namespace: FJORD },
        spec: { entryPoints: ['postgres'], routes: [{ match: 'HostSNI(`*`)', services: [{ name: 'pg-rw', port: 5432 }] }] } },
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'scrape-all', namespace: FJORD },
        spec: { selector: {}, endpoints: [{ port: 'metrics' }] } },
      { apiVersion: 'velero.io/v1', kind: 'Backup', metadata: { name: 'copy-out', namespace: FJORD }, spec: { includedNamespaces: ['tenant-cobalt-production'] } },
    ];
    k(['apply', '-f', '-'], { input: handMade.map((o) => JSON.stringify(o)).join('\n') });
    k(['create', 'rolebinding', 'debug-admin', '--clusterrole=admin', '--user=eve', '-n', FJORD]);
    k(['create', 'cronjob', 'exfil', '--image=busybox:1.36', '--schedule=*/5 * * * *', '-n', FJORD, '--', 'true']);
    // 3. A client-side → server-side migration under Argo CD's manager name leaves a dropped key behind.
    const conf = generatedObject('tenants/delta-production/configmap-odoo-conf.yaml');
    k(['delete', '-n', DELTA, 'configmap/odoo-conf']);
    const created = await fleet.client.request('POST', `/api/v1/namespaces/${DELTA}/configmaps`, {
      query: { fieldManager: 'argocd-controller' },
      body: JSON.stringify({ ...conf, data: { ...(conf.data as object), 'legacy.conf': 'dropped from Git' } }),
    });
    expect(created.status, created.body).toBe(201);
    const applied = await fleet.client.apply(conf, { fieldManager: 'argocd-controller' });
    expect(applied.status, applied.body).toBe(200);
    // 4. Risky live changes.
    k(['patch', '-n', DELTA, 'scheduledbackup.postgresql.cnpg.io/pg-daily', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    k(['patch', '-n', DELTA, 'networkpolicy/allow-integrations', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/egress/0/to/0/ipBlock/cidr', value: '0.0.0.0/0' }, { op: 'remove', path: '/spec/egress/0/ports' }])]);
    k(['create', 'service', 'loadbalancer', 'debug-lb', '-n', DELTA, '--tcp=5432:5432']);
    k(['label', '--overwrite', 'namespace', 'tenant-delta-staging', 'pod-security.kubernetes.io/enforce=privileged']);
    k(['patch', '-n', DELTA, 'cluster.postgresql.cnpg.io/pg', '--type=merge', '-p', '{"spec":{"instances":1}}']);
    // 7. A Secret External Secrets wrote, changed by hand.
    k(['create', '--field-manager=external-secrets', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Secret',
        metadata: { name: 'odoo-db', namespace: DELTA, ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'odoo-db', uid: '0b7d4c7e-0000-4000-8000-000000000002', controller: true }] },
        data: { password: Buffer.from('initial-password').toString('base64') } }),
    });
    k(['patch', '-n', DELTA, 'secret/odoo-db', '--type=merge', '-p', JSON.stringify({ data: { password: Buffer.from('hunter2').toString('base64') } })]);
    report = await audit({ digestKey: 'ci-secret' });
  }, 240_000);

  it('reports a removed managed-by label as the drift of an object that exists, not as missing', () => {
    for (const [kind, namespace, name] of [['PrometheusRule', DELTA, 'tenant-alerts'], ['ClusterRole', undefined, 'tenantctl-auditor']] as const) {
      expect(find(report, 'missing', kind, namespace, name)).toBeUndefined();
      expect(find(report, 'modified', kind, namespace, name)?.changes).toContainEqual(expect.objectContaining({ path: 'metadata.labels["app.kubernetes.io/managed-by"]', desired: 'tenantctl', live: undefined }));
    }
  });

  it('reports hand-made objects of every kind the cluster serves in a tenant namespace as unmanaged, with who made them', () => {
    for (const [kind, name] of [['ExternalSecret', 'borrowed-db'], ['Certificate', 'lookalike'], ['IngressRouteTCP', 'pg-direct'], ['ServiceMonitor', 'scrape-all'], ['Backup', 'copy-out']]) {
      expect(find(report, 'unmanaged', kind, FJORD, name), kind).toMatchObject({ tenant: 'fjord', createdBy: { manager: 'kubectl-client-side-apply' } });
    }
    expect(find(report, 'unmanaged', 'RoleBinding', FJORD, 'debug-admin')).toMatchObject({ createdBy: { manager: 'kubectl-create' } });
    expect(find(report, 'unmanaged', 'CronJob', FJORD, 'exfil')).toBeDefined();
    // Nothing of the system's bookkeeping (events, leases, default service accounts) is reported.
    expect(report.clusters[0].findings.filter((f) => f.type === 'unmanaged' && ['Event', 'Lease', 'EndpointSlice', 'ServiceAccount', 'ConfigMap'].includes(f.resource.kind))).toEqual([]);
    expect(report.clusters[0].unscanned).toBeUndefined();
  });

  it('reports a key dropped from Git that only the engine\'s old client-side apply entry owns', () => {
    const f = find(report, 'modified', 'ConfigMap', DELTA, 'odoo-conf');
    expect(f?.changes).toEqual([{ path: 'data["legacy.conf"]', desired: undefined, live: 'dropped from Git', changedBy: expect.objectContaining({ manager: 'argocd-controller', operation: 'Update' }) }]);
  });

  it('reports risky live changes as policies that say why they matter', () => {
    const policy = (kind: string, namespace: string | undefined, name: string, id: string) => find(report, 'policy', kind, namespace, name, id)?.policy;
    expect(policy('ScheduledBackup', DELTA, 'pg-daily', 'backups/not-suspended')).toMatchObject({ severity: 'error', message: expect.stringContaining('RPO') });
    expect(policy('NetworkPolicy', DELTA, 'allow-integrations', 'isolation/egress-not-open')).toMatchObject({ severity: 'error', message: expect.stringContaining('isolation is broken') });
    expect(policy('Service', DELTA, 'debug-lb', 'ingress/no-direct-exposure')).toMatchObject({ severity: 'error', message: expect.stringContaining('past Traefik') });
    expect(policy('Namespace', undefined, 'tenant-delta-staging', 'security/pod-security-restricted')).toMatchObject({ severity: 'error', message: expect.stringContaining('"privileged"') });
    expect(policy('Cluster', DELTA, 'pg', 'resilience/database-instances')).toMatchObject({ severity: 'error', message: expect.stringContaining('runs 1 instance') });
  });

  it('reports a hand-changed secret value as a keyed digest, the same on every run with the same key, and only as hidden without a key', async () => {
    const change = (r: AuditReport) => find(r, 'modified', 'Secret', DELTA, 'odoo-db')?.changes?.find((c) => c.path === 'data.password');
    const expected = `hmac-sha256:${createHmac('sha256', 'ci-secret').update('hunter2').digest('hex').slice(0, 16)}`;
    expect(change(report)?.live).toBe(expected);
    expect(change(await audit({ digestKey: 'ci-secret' }))?.live).toBe(expected);
    const keyless = await audit();
    expect(change(keyless)?.live).toBe('<hidden>');
    for (const r of [report, keyless]) {
      const json = JSON.stringify(r);
      for (const secret of ['hunter2', 'initial-password']) expect(json).not.toContain(Buffer.from(secret).toString('base64'));
      expect(json).not.toContain('hunter2');
    }
  });

  it('audits with only the generated auditor role: every kind scanned, Secrets read in tenant namespaces only', async () => {
    const as = ['--as=system:serviceaccount:tenantctl-system:tenantctl-auditor'];
    const can = (...args: string[]) => {
      try {
        return fleet.kubectl(['auth', 'can-i', ...args, ...as]).trim();
      } catch (error) {
        // kubectl auth can-i exits 1 for "no"
        return /failed \(1\)/.test(String(error)) ? 'no' : String(error);
      }
    };
    expect(can('list', 'secrets', '-n', DELTA)).toBe('yes');
    expect(can('list', 'secrets', '-n', 'kube-system')).toBe('no');
    expect(can('list', 'secrets', '--all-namespaces')).toBe('no');
    expect(can('list', 'externalsecrets.external-secrets.io', '--all-namespaces')).toBe('yes');
    expect(can('patch', 'deployments', '-n', DELTA)).toBe('no');

    const token = fleet.kubectl(['create', 'token', 'tenantctl-auditor', '-n', 'tenantctl-system']).trim();
    const admin = parse(readFileSync(fleet.controlPlane.kubeconfigPath, 'utf8')) as { clusters: Array<{ name: string }> };
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'auditor-')), 'kubeconfig');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', clusters: admin.clusters, 'current-context': 'auditor',
      users: [{ name: 'auditor', user: { token } }],
      contexts: [{ name: 'auditor', context: { cluster: admin.clusters[0].name, user: 'auditor' } }],
    }), { mode: 0o600 });
    // A tenant namespace made by hand has no RoleBinding for the auditor: its Secrets are not read, and the report says so.
    fleet.kubectl(['create', 'namespace', 'tenant-rogue-production']);
    // A CRD of a group the role does not name: not readable, so named as not scanned; the audit still completes.
    fleet.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'tunnels.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'tunnels', singular: 'tunnel', kind: 'Tunnel' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } }) });
    fleet.kubectl(['wait', '--for=condition=Established', 'crd/tunnels.example.com', '--timeout=60s']);
    const asAuditor = await audit({ kubeconfig, context: 'auditor', digestKey: 'ci-secret' });
    expect(asAuditor.clusters[0].unscanned).toEqual(['Secret in tenant-rogue-production', 'example.com/Tunnel']);
    expect(asAuditor.clusters[0].findings.length).toBe(report.clusters[0].findings.length);
    expect(find(asAuditor, 'modified', 'Secret', DELTA, 'odoo-db')).toBeDefined();
    expect(find(asAuditor, 'unmanaged', 'ExternalSecret', FJORD, 'borrowed-db')).toBeDefined();
  });

  it('confirms a modified Namespace with a server-side dry-run', async () => {
    const confirmed = await audit({ serverDryRun: true });
    expect(find(confirmed, 'modified', 'Namespace', undefined, 'tenant-delta-staging')).toMatchObject({ confirmed: true });
  });
});

describe('one pairing rule for a namespaced desired object without a namespace', () => {
  it('pairs it with its live copy in auditCluster as in detectDrift: one modified finding, no missing or orphaned', async () => {
    fleet.kubectl(['patch', '-n', 'traefik', 'middleware.traefik.io/redirect-https', '--type=merge', '-p', '{"spec":{"redirectScheme":{"permanent":false}}}']);
    const { docs } = readManifests(join(REPO_ROOT, 'generated', CLUSTER), { base: REPO_ROOT });
    const objects = docs.map((d) => d.object).filter((o) => !(o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.config')) && !['argocd', 'flux'].some((p) => docs.find((d) => d.object === o)?.file.includes(`/${CLUSTER}/${p}/`)));
    const middleware = objects.find((o) => o.kind === 'Middleware' && o.metadata.name === 'redirect-https')!;
    const { namespace: _dropped, ...metadata } = middleware.metadata;
    const desired = objects.map((o) => (o === middleware ? { ...o, metadata } : o));
    const about = (f: AuditFinding) => f.resource.kind === 'Middleware' && f.resource.name === 'redirect-https';

    const audited = await auditCluster({
      cluster: { name: CLUSTER, region: 'eu-central', baseDomain: 'example.com', capacity: { cpu: 1, memoryGi: 1 } },
      loadDesired: () => ({ segments: segmentsOf(desired) }),
      reader: fleet.client,
      policies: false,
    });
    const live = await fleet.client.listAll('traefik.io/v1alpha1', 'Middleware');
    const direct = detectDrift({ desired: [{ ...middleware, metadata }], live });
    expect(audited.findings.filter(about).map((f) => `${f.type} ${f.resource.namespace ?? '-'}`)).toEqual(['modified -']);
    expect(direct.filter(about).map((f) => `${f.type} ${f.resource.namespace ?? '-'}`)).toEqual(['modified -']);
    expect(audited.findings.filter(about)[0].changes).toEqual(direct.filter(about)[0].changes);
  });
});
