/**
 * Real Flux in the loop: source-controller and kustomize-controller built from Go modules sync
 * generated/eu-west-shared-1/ (engine flux in fleet.ts) from a local Git server onto a control
 * plane that has only the operators' CRDs and the flux-system namespace; no traefik or velero
 * namespace is made by hand. Then the audit must agree with what Flux really does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../lib/cli/commands/audit.ts';
import type { AuditFinding, AuditReport } from '../../lib/audit/types.ts';
import { readManifests } from '../../lib/io/read-manifests.ts';
import { KubeClient } from '../../lib/live/kube-client.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { REPO_ROOT, startControlPlane, type ControlPlane } from '../control-plane/control-plane.ts';
import { FLUX_NAMESPACE, startFluxLoop, type FluxLoop } from '../flux/loop.ts';

const CLUSTER = 'eu-west-shared-1';
const NS = 'tenant-acme-staging';
let cp: ControlPlane;
let loop: FluxLoop;
let client: KubeClient;
let dataDir: string;

const describeFinding = (f: AuditFinding) => `${f.type} ${f.resource.kind}/${f.resource.namespace ?? ''}/${f.resource.name}${f.changes ? ` ${f.changes.map((c) => `${c.path}←${c.changedBy?.manager ?? '?'}`).join(',')}` : ''}${f.policy ? ` ${f.policy.id}` : ''}`;

async function audit(serverDryRun = false): Promise<{ report: AuditReport; exitCode: number }> {
  return auditCommand({ root: loop.workspace.root, packageRoot: REPO_ROOT, clusters: [CLUSTER], kubeconfig: cp.kubeconfigPath, context: client.context, format: 'json', serverDryRun });
}

interface Condition { type: string; status: string; message?: string }
const readyOf = (o: KubeObject) => ((o as { status?: { conditions?: Condition[] } }).status?.conditions ?? []).find((c) => c.type === 'Ready');

async function kustomizations(): Promise<KubeObject[]> {
  return (await client.list('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', {})).items;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, describeState: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s: ${await describeState()}`);
}

const ksState = async () => (await kustomizations()).map((k) => `${k.metadata.name}: ${readyOf(k)?.status ?? '?'} ${readyOf(k)?.message ?? ''}`).join('\n  ');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tenantctl-flux-'));
  cp = await startControlPlane();
  client = KubeClient.fromKubeconfig({ kubeconfig: cp.kubeconfigPath });
  loop = await startFluxLoop(cp.kubeconfigPath, dataDir);
}, 600_000);

afterAll(async () => {
  await loop?.stop();
  client?.close();
  await cp?.stop();
  if (cp) rmSync(cp.dataDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('real Flux syncing generated/ from Git', () => {
  it('syncs generated/<cluster>/flux/, unchanged but for the fleet\'s repository URL, to every Kustomization Ready; the audit then finds nothing', async () => {
    const started = Date.now();
    const { docs, problems } = readManifests(join(loop.workspace.root, 'generated', CLUSTER, 'flux'), { base: loop.workspace.root });
    expect(problems).toEqual([]);
    const objects = docs.map((d) => d.object).filter((o) => o.apiVersion !== 'kustomize.config.k8s.io/v1beta1');
    expect(objects.find((o) => o.kind === 'GitRepository')?.spec).toMatchObject({ url: loop.repoURL });
    for (const o of objects) {
      const res = await client.apply(o, { fieldManager: 'kustomize-controller' });
      expect(res.status, res.body).toBeLessThan(300);
    }
    const names = objects.filter((o) => o.kind === 'Kustomization').map((o) => o.metadata.name).sort();
    await until('every Kustomization Ready', async () => {
      const all = await kustomizations();
      return all.length === names.length && all.every((k) => readyOf(k)?.status === 'True') ? all : undefined;
    }, 480_000, ksState);
    process.stderr.write(`[flux-loop] ${names.length} Kustomizations Ready ${((Date.now() - started) / 1000).toFixed(0)} s after apply\n`);
    // The platform namespaces came from the cluster base, with Flux's labels.
    for (const ns of ['traefik', 'velero']) {
      const live = await client.get('v1', 'Namespace', ns);
      expect(live?.metadata.labels?.['kustomize.toolkit.fluxcd.io/name']).toBe(`${CLUSTER}-cluster`);
    }

    const t = Date.now();
    const { report, exitCode } = await audit();
    process.stderr.write(`[flux-loop] audit of ${CLUSTER}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    expect(report.clusters[0].findings.map(describeFinding)).toEqual([]);
    expect(report.clusters[0]).toMatchObject({ status: 'ok', engine: 'flux' });
    expect(exitCode).toBe(0);
  }, 600_000);

  it('finds a kubectl set env with its manager, and says Flux\'s next sync reverts it while Argo CD\'s would not', async () => {
    const r = await client.request('GET', `/apis/apps/v1/namespaces/${NS}/deployments/odoo-web`);
    expect(r.status, r.body).toBe(200);
    const kubectl = (await import('node:child_process')).spawnSync(cp.binaries.kubectl, ['--kubeconfig', cp.kubeconfigPath, 'set', 'env', '-n', NS, 'deployment/odoo-web', '-c', 'odoo', 'DEBUG_SQL=1'], { encoding: 'utf8' });
    expect(kubectl.status, kubectl.stderr).toBe(0);

    const { report, exitCode } = await audit(true);
    const findings = report.clusters[0].findings;
    expect(findings.map(describeFinding)).toEqual([
      `modified Deployment/${NS}/odoo-web spec.template.spec.containers[name=odoo].env[name=DEBUG_SQL].value←kubectl-set`,
    ]);
    expect(findings[0]).toMatchObject({ confirmed: true, confirmedBy: { flux: true, argocd: false } });
    expect(exitCode).toBe(1);
  }, 300_000);

  it('syncs on a flux reconcile request without a finding for it, and Flux has removed the kubectl field afterwards: the audit is clean', async () => {
    const name = `${CLUSTER}-acme-staging`;
    const requestedAt = new Date().toISOString();
    // What `flux reconcile kustomization NAME` does: annotate the object, then wait for the controller.
    const res = await client.request('PATCH', `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${FLUX_NAMESPACE}/kustomizations/${name}`, {
      query: { fieldManager: 'flux' },
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } }),
    });
    expect(res.status, res.body).toBe(200);
    await until('the requested reconcile', async () => {
      const k = (await kustomizations()).find((o) => o.metadata.name === name);
      const status = (k as { status?: { lastHandledReconcileAt?: string } } | undefined)?.status;
      return status?.lastHandledReconcileAt === requestedAt && readyOf(k!)?.status === 'True' ? k : undefined;
    }, 180_000, ksState);

    const live = await client.get('apps/v1', 'Deployment', 'odoo-web', NS);
    const env = ((live?.spec as any).template.spec.containers[0].env ?? []) as Array<{ name: string }>;
    expect(env.map((e) => e.name)).not.toContain('DEBUG_SQL');
    const { report, exitCode } = await audit();
    expect(report.clusters[0].findings.map(describeFinding)).toEqual([]);
    expect(exitCode).toBe(0);
  }, 300_000);
});
