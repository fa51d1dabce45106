/**
 * `tenantctl audit` against a real kube-apiserver: the example fleet's eu-central-1 objects
 * applied with server-side apply audit clean; then real out-of-band changes through the API (with
 * kubectl, under its own field-manager names) are each found with the right type, path and
 * manager, while what controllers do (HPA replicas, annotations, status) is not reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { auditCommand } from '../../../lib/cli/commands/audit.ts';
import type { AuditFinding, AuditReport } from '../../../lib/audit/types.ts';
import { REPO_ROOT } from '../../control-plane/control-plane.ts';
import { auditOptions, startLiveFleet, type LiveFleet } from './live-fleet.ts';

const CLUSTER = 'eu-central-1';
let fleet: LiveFleet;

async function audit(extra: Partial<Parameters<typeof auditCommand>[0]> = {}) {
  return auditCommand(auditOptions(fleet, CLUSTER, extra));
}

function describeFinding(f: AuditFinding): string {
  const r = f.resource;
  return `${f.type} ${r.kind}/${r.namespace ?? ''}/${r.name}${f.changes ? ` ${f.changes.map((c) => `${c.path}←${c.changedBy?.manager ?? '?'}`).join(',')}` : ''}${f.policy ? ` ${f.policy.id}` : ''}`;
}

function find(report: AuditReport, type: AuditFinding['type'], kind: string, namespace: string, name: string): AuditFinding | undefined {
  return report.clusters[0].findings.find((f) => f.type === type && f.resource.kind === kind && f.resource.namespace === namespace && f.resource.name === name);
}

beforeAll(async () => {
  fleet = await startLiveFleet(CLUSTER);
}, 240_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('tenantctl audit on a live cluster', () => {
  it('finds nothing on a cluster where generated/ was just applied, and controllers did their usual work', async () => {
    const ns = 'tenant-fjord-production';
    // The HPA scales a Deployment whose replicas Git leaves out (through the scale subresource).
    await fleet.client.request('PUT', `/apis/apps/v1/namespaces/${ns}/deployments/odoo-web/scale`, {
      query: { fieldManager: 'kube-controller-manager' },
      body: JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'odoo-web', namespace: ns }, spec: { replicas: 4 } }),
    });
    // The deployment controller annotates the revision and writes status.
    fleet.kubectl(['annotate', '-n', ns, 'deployment/odoo-web', 'deployment.kubernetes.io/revision=1', '--field-manager=kube-controller-manager']);
    const status = await fleet.client.request('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/odoo-web/status`, {
      query: { fieldManager: 'kube-controller-manager' },
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({ status: { replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4, observedGeneration: 1 } }),
    });
    expect(status.status, status.body).toBe(200);
    // External Secrets writes the Secret of an ExternalSecret, owned by it.
    fleet.kubectl(['create', '--field-manager=external-secrets', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'Secret',
        metadata: { name: 'odoo-db', namespace: ns, ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'odoo-db', uid: '0b7d4c7e-0000-4000-8000-000000000001', controller: true }] },
        data: { username: Buffer.from('fjord').toString('base64'), password: Buffer.from('initial-password').toString('base64') },
      }),
    });

    const { report, exitCode } = await audit();
    const cluster = report.clusters[0];
    expect(cluster.findings.map(describeFinding)).toEqual([]);
    expect(cluster).toMatchObject({ name: CLUSTER, status: 'ok', summary: { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 0 } });
    expect(cluster.objects!.desired).toBeGreaterThan(200);
    expect(exitCode).toBe(0);
    expect(report).toMatchObject({ schemaVersion: 2, generatedAt: '2026-11-23T03:00:00.000Z', gitRef: 'HEAD' });
  });

  describe('after out-of-band changes through the API', () => {
    let report: AuditReport;
    let exitCode: number;
    let htmlReport: string;

    beforeAll(async () => {
      const cobalt = 'tenant-cobalt-production';
      const fjord = 'tenant-fjord-production';
      fleet.kubectl(['scale', '-n', cobalt, 'deployment/odoo-web', '--replicas=5']);
      // kubectl edit, with an editor that adds an env var to the odoo container.
      const editor = join(mkdtempSync(join(tmpdir(), 'editor-')), 'add-env.mjs');
      writeFileSync(editor, `import { readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[2];
const text = readFileSync(file, 'utf8');
writeFileSync(file, text.replace(/(\\n(\\s+)env:\\n)/, '$1$2- name: LOG_LEVEL\\n$2  value: debug\\n'));
`);
      fleet.kubectl(['edit', '-n', cobalt, 'deployment/odoo-web'], { env: { KUBE_EDITOR: `${process.execPath} ${editor}` } });
      rmSync(editor);
      fleet.kubectl(['set', 'image', '-n', cobalt, 'deployment/odoo-cron', 'odoo=registry.odoo-hosting.example/odoo/odoo:18.0-20251201']);
      fleet.kubectl(['delete', '-n', fjord, 'networkpolicy/allow-dns']);
      fleet.kubectl(['create', 'service', 'loadbalancer', 'debug-lb', '-n', fjord, '--tcp=80:8069']);
      fleet.kubectl(['patch', '-n', fjord, 'ingressroute.traefik.io/odoo', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/routes/0/match', value: 'Host(`fjord-erp.attacker.example`)' }])]);
      fleet.kubectl(['patch', '-n', fjord, 'scheduledbackup.postgresql.cnpg.io/pg-daily', '--type=merge', '-p', JSON.stringify({ spec: { suspend: true } })]);
      fleet.kubectl(['patch', '-n', fjord, 'secret/odoo-db', '--type=merge', '-p', JSON.stringify({ data: { password: Buffer.from('hand-set-password').toString('base64') } })]);
      ({ report, exitCode } = await audit());
    });

    it('reports a kubectl scale of a Deployment Git sets replicas for, by kubectl through the scale subresource', () => {
      const f = find(report, 'modified', 'Deployment', 'tenant-cobalt-production', 'odoo-web');
      expect(f?.changes).toContainEqual(expect.objectContaining({ path: 'spec.replicas', live: 5, changedBy: expect.objectContaining({ manager: 'kubectl', subresource: 'scale' }) }));
      expect(f).toMatchObject({ tenant: 'cobalt', environment: 'production' });
    });

    it('reports an env var added with kubectl edit, which three-way tools miss', () => {
      const f = find(report, 'modified', 'Deployment', 'tenant-cobalt-production', 'odoo-web');
      const change = f?.changes?.find((c) => c.path.startsWith('spec.template.spec.containers[name=odoo].env[name=LOG_LEVEL]'));
      expect(change).toMatchObject({ desired: undefined, changedBy: { manager: 'kubectl-edit', operation: 'Update' } });
      expect(JSON.stringify(change?.live)).toContain('debug');
    });

    it('reports an image changed with kubectl set image, with the desired and the live tag', () => {
      const f = find(report, 'modified', 'Deployment', 'tenant-cobalt-production', 'odoo-cron');
      expect(f?.changes).toContainEqual({
        path: 'spec.template.spec.containers[name=odoo].image',
        desired: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110',
        live: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251201',
        changedBy: expect.objectContaining({ manager: 'kubectl-set', operation: 'Update' }),
      });
    });

    it('reports a deleted NetworkPolicy as missing, and the isolation policy it breaks', () => {
      expect(find(report, 'missing', 'NetworkPolicy', 'tenant-fjord-production', 'allow-dns')).toMatchObject({ tenant: 'fjord', environment: 'production' });
    });

    it('reports a hand-made LoadBalancer Service as unmanaged, created by kubectl create, and as a policy violation', () => {
      expect(find(report, 'unmanaged', 'Service', 'tenant-fjord-production', 'debug-lb')).toMatchObject({ createdBy: { manager: 'kubectl-create', operation: 'Update' } });
      const policy = find(report, 'policy', 'Service', 'tenant-fjord-production', 'debug-lb');
      expect(policy?.policy).toMatchObject({ severity: 'error' });
    });

    it('reports an IngressRoute host changed with kubectl patch', () => {
      const f = find(report, 'modified', 'IngressRoute', 'tenant-fjord-production', 'odoo');
      expect(f?.changes).toContainEqual(expect.objectContaining({ path: 'spec.routes[0].match', live: 'Host(`fjord-erp.attacker.example`)', changedBy: expect.objectContaining({ manager: 'kubectl-patch' }) }));
    });

    it('reports a ScheduledBackup suspended by hand', () => {
      const f = find(report, 'modified', 'ScheduledBackup', 'tenant-fjord-production', 'pg-daily');
      expect(f?.changes).toContainEqual(expect.objectContaining({ path: 'spec.suspend', live: true, changedBy: expect.objectContaining({ manager: 'kubectl-patch' }) }));
    });

    it('reports a Secret key changed by hand without its value, and without a digest when no key is set', () => {
      const f = find(report, 'modified', 'Secret', 'tenant-fjord-production', 'odoo-db');
      expect(f).toMatchObject({ derivedFrom: { kind: 'ExternalSecret', name: 'odoo-db' } });
      expect(f?.changes).toEqual([{ path: 'data.password', live: '<hidden>', changedBy: expect.objectContaining({ manager: 'kubectl-patch' }) }]);
      const json = JSON.stringify(report);
      for (const secret of ['hand-set-password', 'initial-password']) {
        expect(json).not.toContain(secret);
        expect(json).not.toContain(Buffer.from(secret).toString('base64'));
      }
    });

    it('still leaves HPA-managed replicas, controller annotations and status alone', () => {
      const web = find(report, 'modified', 'Deployment', 'tenant-fjord-production', 'odoo-web');
      expect(web).toBeUndefined();
    });

    it('reports nothing it was not asked to find, and exits 1', () => {
      const unexpected = report.clusters[0].findings
        .filter((f) => !['tenant-cobalt-production', 'tenant-fjord-production'].includes(f.resource.namespace ?? ''))
        .map(describeFinding);
      expect(unexpected).toEqual([]);
      expect(exitCode).toBe(1);
    });

    it('confirms the changes a sync would revert with a server-side dry-run, and not the ones it would not', async () => {
      const { report: confirmed } = await audit({ serverDryRun: true });
      expect(find(confirmed, 'modified', 'Deployment', 'tenant-cobalt-production', 'odoo-cron')?.confirmed).toBe(true);
      expect(find(confirmed, 'modified', 'IngressRoute', 'tenant-fjord-production', 'odoo')?.confirmed).toBe(true);
      // Git leaves `suspend` to its default, so applying Git again would leave the backup suspended:
      // the drift is real, and the report says a sync will not undo it.
      expect(find(confirmed, 'modified', 'ScheduledBackup', 'tenant-fjord-production', 'pg-daily')?.confirmed).toBe(false);
      // Nothing was written: the drift is still there.
      const again = await audit();
      expect(find(again.report, 'modified', 'ScheduledBackup', 'tenant-fjord-production', 'pg-daily')).toBeDefined();
    });

    it('runs end to end from the command line: JSON, HTML and exit code 1', () => {
      const out = join(mkdtempSync(join(tmpdir(), 'audit-out-')), 'report.html');
      const args = ['bin/tenantctl.mjs', '-C', fleet.root, 'audit', '--cluster', CLUSTER, '--kubeconfig', fleet.controlPlane.kubeconfigPath, '--context', fleet.context];
      const json = spawnSync(process.execPath, [...args, '--format', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(json.status, json.stderr).toBe(1);
      const parsed = JSON.parse(json.stdout) as AuditReport;
      expect(parsed.clusters[0].summary).toEqual(report.clusters[0].summary);
      expect(json.stderr).toBe('');
      const html = spawnSync(process.execPath, [...args, '--format', 'html', '--output', out], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(html.status, html.stderr).toBe(1);
      expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
      htmlReport = out;
    });

    it('opens the HTML report of this audit in Chromium, showing the fleet and the drifted tenants', async () => {
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
      try {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(htmlReport).href);
        const cell = (tenant: string) => page.locator(`[data-testid="overview-cell"][data-cluster="${CLUSTER}"][data-tenant="${tenant}"]`);
        await expect(cell('fjord').getAttribute('data-worst')).resolves.toBe('missing');
        await expect(cell('cobalt').getAttribute('data-worst')).resolves.toBe('modified');
        // Tenants the cluster hosts without findings show clean; every tenant of the cluster has a column.
        await expect(cell('delta').getAttribute('data-worst')).resolves.toBe('clean');
        expect(await page.locator('[data-testid="overview-row"]').count()).toBe(1);
        await cell('cobalt').locator('a').click();
        const image = page.locator('[data-testid="diff-row"][data-path="spec.template.spec.containers[name=odoo].image"]');
        await expect(image.locator('[data-testid="diff-live"]').innerText()).resolves.toContain('18.0-20251201');
        await expect(image.locator('[data-testid="diff-desired"]').innerText()).resolves.toContain('18.0-20251110');
      } finally {
        await browser.close();
      }
    });
  });

  it('reports an unreachable cluster next to a healthy one, and exits 3 with the healthy one still audited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    const kubeconfig = join(dir, 'config');
    // Two clusters of the fleet: eu-central-1 is the live control plane, eu-west-shared-1 a port nobody listens on.
    const config = parse(readFileSync(fleet.controlPlane.kubeconfigPath, 'utf8')) as { clusters: object[]; contexts: Array<{ name: string; context: { cluster: string; user: string } }> };
    const live = config.contexts.find((c) => c.name === fleet.context)!.context;
    config.clusters.push({ name: 'gone', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } });
    config.contexts.push({ name: CLUSTER, context: live }, { name: 'eu-west-shared-1', context: { cluster: 'gone', user: live.user } });
    writeFileSync(kubeconfig, stringify(config));
    const { report, exitCode } = await audit({ clusters: [CLUSTER, 'eu-west-shared-1'], kubeconfig, context: undefined, timeoutMs: 2000, attempts: 1 });
    rmSync(dir, { recursive: true, force: true });
    expect(report.clusters.map((c) => [c.name, c.status])).toEqual([[CLUSTER, 'ok'], ['eu-west-shared-1', 'unreachable']]);
    const gone = report.clusters[1];
    expect(gone.error).toMatch(/127\.0\.0\.1:9/);
    expect(gone.errorDetail?.code).toBe('unreachable');
    expect(gone.findings).toEqual([]);
    expect(report.clusters[0].findings.length).toBeGreaterThan(0);
    expect(exitCode).toBe(3);
  });
});
