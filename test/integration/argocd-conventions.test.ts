/**
 * Argo CD's conventions on a real API server: generated/eu-west-dedicated-1/ (engine argocd in
 * fleet.ts) synced as Argo CD's server-side sync does it, one Application per folder (the
 * ApplicationSet's names): each folder rendered with the real kustomize, as the repo-server does,
 * each object given Argo CD's tracking label (`app.kubernetes.io/instance`, label tracking) and
 * tracking annotation (`argocd.argoproj.io/tracking-id`), and server-side applied with field
 * manager `argocd-controller`. The Argo CD controllers themselves do not run here (see README,
 * "The test control plane"). No traefik or velero namespace is made by hand.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { auditCommand } from '../../lib/cli/commands/audit.ts';
import type { AuditFinding } from '../../lib/audit/types.ts';
import { readManifests } from '../../lib/io/read-manifests.ts';
import { KubeClient } from '../../lib/live/kube-client.ts';
import { groupOf, type KubeObject } from '../../lib/model/resource.ts';
import { REPO_ROOT, startControlPlane, type ControlPlane } from '../control-plane/control-plane.ts';
import { ensureFluxBuilt } from '../flux/build.ts';

const CLUSTER = 'eu-west-dedicated-1';
const NS = 'tenant-acme-production';
const MANAGER = 'argocd-controller';
let cp: ControlPlane;
let client: KubeClient;
let kustomize: string;

const describeFinding = (f: AuditFinding) => `${f.type} ${f.resource.kind}/${f.resource.namespace ?? ''}/${f.resource.name}${f.changes ? ` ${f.changes.map((c) => `${c.path}←${c.changedBy?.manager ?? '?'}`).join(',')}` : ''}`;

const audit = (serverDryRun = false) => auditCommand({ root: REPO_ROOT, packageRoot: REPO_ROOT, clusters: [CLUSTER], kubeconfig: cp.kubeconfigPath, context: client.context, format: 'json', serverDryRun });

/** Argo CD's sync of one Application: kustomize build, tracking label and annotation, server-side apply. */
async function syncApplication(app: string, folder: string): Promise<number> {
  const built = spawnSync(kustomize, ['build', folder], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(built.status, built.stderr).toBe(0);
  const objects = parseAllDocuments(built.stdout).map((d) => d.toJS() as KubeObject).filter(Boolean);
  // Argo CD applies Namespaces first (sync phase ordering by kind), then the rest.
  objects.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
  for (const o of objects) {
    o.metadata.labels = { ...o.metadata.labels, 'app.kubernetes.io/instance': app };
    o.metadata.annotations = { ...o.metadata.annotations, 'argocd.argoproj.io/tracking-id': `${app}:${groupOf(o.apiVersion)}/${o.kind}:${o.metadata.namespace ?? ''}/${o.metadata.name}` };
    const res = await client.apply(o, { fieldManager: MANAGER, force: true });
    expect(res.status, `${o.kind}/${o.metadata.name}: ${res.body}`).toBeLessThan(300);
  }
  return objects.length;
}

beforeAll(async () => {
  kustomize = (await ensureFluxBuilt()).kustomize;
  cp = await startControlPlane();
  client = KubeClient.fromKubeconfig({ kubeconfig: cp.kubeconfigPath });
}, 600_000);

afterAll(async () => {
  client?.close();
  await cp?.stop();
  if (cp) rmSync(cp.dataDir, { recursive: true, force: true });
}, 120_000);

describe('Argo CD conventions: label and annotation tracking, server-side sync as argocd-controller', () => {
  it('syncs the cluster base and every tenant folder first try, and the audit finds nothing', async () => {
    const created = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } } as KubeObject, { fieldManager: 'argocd-install' });
    expect(created.status).toBeLessThan(300);
    // The bootstrap: generated/<cluster>/argocd/ applied once to the Argo CD instance.
    const bootstrap = readManifests(join(REPO_ROOT, 'generated', CLUSTER, 'argocd'), { base: REPO_ROOT }).docs.map((d) => d.object).filter((o) => o.apiVersion.startsWith('argoproj.io/'));
    for (const o of bootstrap) expect((await client.apply(o, { fieldManager: MANAGER })).status).toBeLessThan(300);
    await syncApplication(`${CLUSTER}-cluster`, join(REPO_ROOT, 'generated', CLUSTER, 'cluster'));
    const tenants = join(REPO_ROOT, 'generated', CLUSTER, 'tenants');
    for (const folder of readdirSync(tenants).sort()) await syncApplication(`${CLUSTER}-${folder}`, join(tenants, folder));

    const { report, exitCode } = await audit();
    expect(report.clusters[0].findings.map(describeFinding)).toEqual([]);
    expect(report.clusters[0]).toMatchObject({ status: 'ok', engine: 'argocd' });
    expect(exitCode).toBe(0);
  }, 300_000);

  it('finds a kubectl set env with its manager, and says Argo CD\'s sync does not revert it (Flux\'s would)', async () => {
    const r = spawnSync(cp.binaries.kubectl, ['--kubeconfig', cp.kubeconfigPath, 'set', 'env', '-n', NS, 'deployment/odoo-web', '-c', 'odoo', 'DEBUG_SQL=1'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { report, exitCode } = await audit(true);
    const findings = report.clusters[0].findings;
    expect(findings.map(describeFinding)).toEqual([`modified Deployment/${NS}/odoo-web spec.template.spec.containers[name=odoo].env[name=DEBUG_SQL].value←kubectl-set`]);
    expect(findings[0]).toMatchObject({ confirmed: false, confirmedBy: { argocd: false, flux: true } });
    expect(exitCode).toBe(1);
  }, 300_000);

  it('a refresh request is no finding, and after Argo CD\'s next sync the kubectl field is still there and still reported', async () => {
    const refresh = await client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/argocd/applicationsets/tenants-${CLUSTER}`, {
      query: { fieldManager: 'argocd-server' },
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ metadata: { annotations: { 'argocd.argoproj.io/refresh': 'hard', 'argocd.argoproj.io/application-set-refresh': 'true' } } }),
    });
    expect(refresh.status, refresh.body).toBe(200);
    await syncApplication(`${CLUSTER}-acme-production`, join(REPO_ROOT, 'generated', CLUSTER, 'tenants', 'acme-production'));
    const { report } = await audit();
    expect(report.clusters[0].findings.map(describeFinding)).toEqual([`modified Deployment/${NS}/odoo-web spec.template.spec.containers[name=odoo].env[name=DEBUG_SQL].value←kubectl-set`]);
  }, 300_000);
});
