/**
 * The recoverability view of the HTML report in Debian's Chromium: the fleet overview's column,
 * coloured by the worst environment and linking to the tables; a table per tenant environment
 * with promise, evidence and age; evidence findings; and statuses from a hostile cluster shown as
 * text, never run.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceFindings } from '../../lib/audit/evidence.ts';
import { buildReport } from '../../lib/audit/fleet.ts';
import { summarize, type ClusterReport } from '../../lib/audit/types.ts';
import type { EvidenceTarget } from '../../lib/evidence/context.ts';
import { evaluateEvidence } from '../../lib/evidence/evaluate.ts';
import { evidenceThresholds } from '../../lib/evidence/thresholds.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { renderAuditHtml } from '../../lib/report/audit-html.ts';
import { VERDICT_COLOURS } from '../../lib/report/audit-recoverability-html.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const NOW = new Date('2026-11-23T03:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3600_000).toISOString();
const HOSTILE = '<img src=x onerror="document.title=\'pwned\'">';

function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

const target = (tenant: string): EvidenceTarget => ({
  tenant, environment: 'production', tier: 'dedicated', namespace: `tenant-${tenant}-production`, dataPlane: 'dedicated',
  promises: { rpoMinutes: 15, rtoMinutes: 120, retentionDays: 30 }, webReplicas: 2, crossRegion: false, dumpEveryMinutes: 1440, filestoreEveryMinutes: 60,
  thresholds: evidenceThresholds(), waivers: [],
});

const o = (apiVersion: string, kind: string, namespace: string, name: string, status: unknown, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion, kind, metadata: { name, namespace, creationTimestamp: ago(24 * 60) }, status, ...extra,
});

/** acme keeps every promise it has evidence for; beta's restore test failed and its certificate is refused by a hostile message. */
function report() {
  const objects: KubeObject[] = [
    o('postgresql.cnpg.io/v1', 'Cluster', 'tenant-acme-production', 'pg', { readyInstances: 2, instances: 2, conditions: [{ type: 'ContinuousArchiving', status: 'True', lastTransitionTime: ago(100) }] }, { spec: { instances: 2 } }),
    o('barmancloud.cnpg.io/v1', 'ObjectStore', 'tenant-acme-production', 'pg-backup', { serverRecoveryWindow: { pg: { firstRecoverabilityPoint: ago(31 * 24), lastSuccessfulBackupTime: ago(3) } } }),
    o('cert-manager.io/v1', 'Certificate', 'tenant-acme-production', 'odoo-tls', { conditions: [{ type: 'Ready', status: 'True' }], notAfter: ago(-60 * 24) }),
    o('cert-manager.io/v1', 'Certificate', 'tenant-beta-production', 'odoo-tls', { conditions: [{ type: 'Ready', status: 'False', reason: 'Failed', message: HOSTILE }] }),
    o('batch/v1', 'CronJob', 'tenant-beta-production', 'restore-test', {}),
    o('batch/v1', 'Job', 'tenant-beta-production', 'restore-test-1', {
      startTime: ago(50), conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: ago(49) }],
    }, { metadata: { name: 'restore-test-1', namespace: 'tenant-beta-production', creationTimestamp: ago(50), ownerReferences: [{ kind: 'CronJob', name: 'restore-test' }] } }),
  ];
  const recoverability = evaluateEvidence({ targets: [target('acme'), target('beta')], objects, now: NOW });
  const findings = evidenceFindings(recoverability);
  const cluster: ClusterReport = { name: 'eu-1', status: 'ok', summary: summarize(findings), findings, tenants: ['acme', 'beta'], recoverability };
  return buildReport({ generatedAt: NOW.toISOString(), gitRef: 'HEAD' }, [cluster]);
}

const missingChromium = existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\`, or set CHROMIUM_PATH`;
let browser: Browser;
let page: Page;
let dir: string;
const problems: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (missingChromium) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  dir = mkdtempSync(join(tmpdir(), 'tenantctl-recoverability-'));
  const file = join(dir, 'audit.html');
  writeFileSync(file, renderAuditHtml(report()));
  page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('recoverability view in Chromium', () => {
  it('shows a recoverability column in the fleet overview, coloured by the worst environment, that leads to the tables', async () => {
    if (missingChromium) throw new Error(missingChromium);
    const cell = page.locator('[data-testid="recoverability-cell"][data-cluster="eu-1"]');
    // acme: no evidence yet for what has no status; beta: violated.
    expect(await cell.textContent()).toBe('❌ 1 ⏳ 1');
    expect(await cell.getAttribute('data-verdict')).toBe('violated');
    expect(await cell.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(VERDICT_COLOURS.violated));
    expect(await page.locator('table.overview thead th').nth(2).textContent()).toBe('recoverability');
    await cell.locator('a').click();
    expect(new URL(page.url()).hash).toBe('#recoverability-eu-1');
    await expect(page.locator('#recoverability-eu-1').isVisible()).resolves.toBe(true);
  });

  it('has a table per tenant environment with each check\'s promise, evidence and age, coloured by verdict', async () => {
    if (missingChromium) throw new Error(missingChromium);
    const acme = page.locator('[data-testid="evidence-table"][data-tenant="acme"]');
    const base = acme.locator('[data-testid="evidence-row"][data-check="base-backup"]');
    const cells = await base.locator('th, td').allTextContents();
    expect(cells).toEqual([
      'evidence/base-backup', '✅ ok', 'newest base backup younger than 24 h 30 min (daily + 30 min grace), not failed since', ago(3), '3 h ago',
      'ObjectStore/tenant-acme-production/pg-backup status.serverRecoveryWindow.pg.lastSuccessfulBackupTime',
    ]);
    expect(await base.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(VERDICT_COLOURS.ok));
    const dump = acme.locator('[data-testid="evidence-row"][data-check="logical-dump"]');
    expect(await dump.getAttribute('data-verdict')).toBe('no-evidence');
    expect(await dump.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(VERDICT_COLOURS['no-evidence']));
    const beta = page.locator('[data-testid="evidence-table"][data-tenant="beta"]');
    const restore = beta.locator('[data-testid="evidence-row"][data-check="restore-test"]');
    expect(await restore.locator('[data-testid="evidence-observed"]').textContent()).toContain('restore-test-1 failed (BackoffLimitExceeded) after 1 h');
    expect(await restore.locator('[data-testid="evidence-age"]').textContent()).toBe('2 d 1 h ago');
    expect(await restore.evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(rgb(VERDICT_COLOURS.violated));
  });

  it('lists evidence findings with their check and shows a hostile status message as text', async () => {
    if (missingChromium) throw new Error(missingChromium);
    const finding = page.locator('[data-testid="finding"][data-type="evidence"][data-resource="Certificate/tenant-beta-production/odoo-tls"]');
    expect(await finding.locator('[data-testid="evidence"] dd[data-field="check"]').textContent()).toBe('evidence/certificate');
    expect(await finding.locator('[data-testid="evidence"] dd[data-field="message"]').textContent()).toBe(`the certificate is not ready: ${HOSTILE}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });
});
