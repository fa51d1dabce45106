/**
 * The HTML audit report in a real browser: Debian's Chromium, headless, driven by playwright-core.
 * String tests (test/report/audit-html.test.ts) show what is written; these show what a reader
 * gets: colours as computed, links that navigate, a filter that filters, and a page that neither
 * errs nor touches the network.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../lib/audit/types.ts';
import { emptySummary } from '../../lib/audit/types.ts';
import { renderAuditHtml } from '../../lib/report/audit-html.ts';
import { CELL_COLOURS, STATUS_COLOURS } from '../../lib/report/audit-html-style.ts';
import { MALICIOUS, auditReport } from '../report/fixtures/audit-report.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** `#c8f0d2` → `rgb(200, 240, 210)`, the way getComputedStyle reports it. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

let browser: Browser;
let dir: string;
let fixtureUrl: string;
let page: Page;
let requests: string[];
let problems: string[];

function writePage(name: string, report: AuditReport): string {
  const file = join(dir, name);
  writeFileSync(file, renderAuditHtml(report));
  return pathToFileURL(file).href;
}

const cell = (cluster: string, tenant: string) => page.locator(`[data-testid="overview-cell"][data-cluster="${cluster}"][data-tenant="${tenant}"]`);
const visibleFindings = () => page.locator('[data-testid="finding"]:visible');

// Without Chromium every test fails with this message (a skip would hide the gap in CI).
const missingChromium = existsSync(CHROMIUM)
  ? undefined
  : `Chromium not found at ${CHROMIUM}: run \`apt-get install chromium\` (Debian; as root or with sudo), or set CHROMIUM_PATH to a Chromium binary`;

beforeAll(async () => {
  if (missingChromium) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  dir = mkdtempSync(join(tmpdir(), 'tenantctl-audit-html-'));
  fixtureUrl = writePage('audit.html', auditReport);
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  if (missingChromium) throw new Error(missingChromium);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  requests = [];
  problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
});

afterEach(async () => {
  await page?.close();
});

describe('the HTML audit report in Chromium', () => {
  it('shows every cluster and every tenant in the fleet overview', async () => {
    await page.goto(fixtureUrl);
    const rows = await page.locator('[data-testid="overview-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster')));
    expect(rows).toEqual(['eu-1', 'eu-2', 'us-1']);
    const tenants = await page.locator('[data-testid="overview"] thead th[data-tenant]').allTextContents();
    expect(tenants).toEqual(['acme', 'beta', 'gamma', '(cluster)']);
    expect(await page.locator('[data-testid="report-header"]').innerText()).toContain('origin/main @ 0123456789ab');
  });

  it('colours each overview cell by the worst finding type in it', async () => {
    await page.goto(fixtureUrl);
    const expected: Array<[string, string, keyof typeof CELL_COLOURS]> = [
      ['eu-1', 'acme', 'modified'],
      ['eu-1', 'beta', 'missing'],
      ['eu-1', 'gamma', 'unmanaged'],
      ['eu-1', '(cluster)', 'orphaned'],
      ['eu-2', 'gamma', 'policy'],
      ['eu-2', 'acme', 'clean'],
    ];
    for (const [cluster, tenant, worst] of expected) {
      const c = cell(cluster, tenant);
      expect(await c.getAttribute('data-worst')).toBe(worst);
      expect(await c.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(rgb(CELL_COLOURS[worst]));
    }
    // Distinct colours, or the grid says nothing.
    expect(new Set(Object.values(CELL_COLOURS)).size).toBe(Object.keys(CELL_COLOURS).length);
  });

  it('shows the unreachable cluster as a grey row with its error instead of cells', async () => {
    await page.goto(fixtureUrl);
    const error = page.locator('[data-testid="overview-error"][data-cluster="us-1"]');
    expect(await error.innerText()).toContain('dial tcp 10.20.0.1:6443: connect: connection refused');
    expect(await error.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(rgb(STATUS_COLOURS.unreachable));
    expect(await page.locator('[data-testid="overview-cell"][data-cluster="us-1"]').count()).toBe(0);
    expect(await page.locator('#cluster-us-1 [data-testid="cluster-error"]').innerText()).toContain('check the VPN to us-1');
  });

  it('navigates to the tenant detail when a cell is clicked', async () => {
    await page.goto(fixtureUrl);
    await cell('eu-1', 'beta').locator('a').click();
    expect(new URL(page.url()).hash).toBe('#tenant-eu-1-beta');
    const section = page.locator('#tenant-eu-1-beta');
    expect(await section.evaluate((el) => el.matches(':target'))).toBe(true);
    const top = await section.evaluate((el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(200);
    const types = await section.locator('[data-testid="type-badge"]').allTextContents();
    expect(types).toEqual(['missing', 'policy']);
    expect(await section.locator('[data-testid="policy"]').innerText()).toContain('security/run-as-non-root');
  });

  it('shows desired and live values side by side in separate columns', async () => {
    await page.goto(fixtureUrl);
    const row = page.locator('#tenant-eu-1-acme [data-testid="diff-row"][data-path="spec.replicas"]');
    const desired = row.locator('[data-testid="diff-desired"]');
    const live = row.locator('[data-testid="diff-live"]');
    expect(await desired.innerText()).toBe('3');
    expect(await live.innerText()).toBe('1');
    const [left, right] = [await desired.boundingBox(), await live.boundingBox()];
    expect(left!.x + left!.width).toBeLessThanOrEqual(right!.x + 1);
    expect(Math.abs(left!.y - right!.y)).toBeLessThan(1);
    const change = page.locator('#tenant-eu-1-acme [data-testid="diff-change"][data-path="spec.replicas"]');
    expect(await change.locator('[data-testid="changed-by"]').innerText()).toBe('changed by kubectl-edit, Update, 2025-11-10T08:15:00Z');
  });

  it('shows a hostile value as text and never runs it', async () => {
    await page.goto(fixtureUrl);
    const banner = page.locator('[data-testid="diff-row"][data-path$="env[name=BANNER].value"] [data-testid="diff-live"]');
    expect(await banner.innerText()).toBe(MALICIOUS);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('filters findings by text, dims the overview and counts what is shown', async () => {
    await page.goto(fixtureUrl);
    expect(await visibleFindings().count()).toBe(7);
    await page.locator('[data-testid="filter"]').fill('kubectl-edit');
    const shown = await visibleFindings().evaluateAll((els) => els.map((e) => e.getAttribute('data-resource')));
    expect(shown).toEqual(['Deployment/tenant-acme-production/odoo', 'Secret/tenant-acme-production/odoo-admin']);
    expect(await page.locator('[data-testid="shown-count"]').innerText()).toBe('2 of 7 findings shown');
    expect(await page.locator('#tenant-eu-1-beta').isVisible()).toBe(false);
    expect(await cell('eu-1', 'beta').getAttribute('class')).toContain('dimmed');
    expect(await cell('eu-1', 'acme').getAttribute('class')).not.toContain('dimmed');
    await page.locator('[data-testid="filter"]').fill('');
    expect(await visibleFindings().count()).toBe(7);
    expect(await page.locator('[data-testid="shown-count"]').innerText()).toBe('7 findings');
  });

  it('clears the filter when a cell links to a section the filter hides', async () => {
    await page.goto(fixtureUrl);
    await page.locator('[data-testid="filter"]').fill('run-as-non-root');
    await cell('eu-1', 'acme').locator('a').click();
    expect(await page.locator('[data-testid="filter"]').inputValue()).toBe('');
    expect(await page.locator('#tenant-eu-1-acme').isVisible()).toBe(true);
  });

  it('hides clean clusters with "findings only" and keeps failed ones', async () => {
    const clean = { name: 'eu-3', status: 'ok' as const, summary: emptySummary(), findings: [] };
    await page.goto(writePage('with-clean.html', { ...auditReport, clusters: [...auditReport.clusters.slice(0, 2), clean, auditReport.clusters[2]] }));
    const row = page.locator('[data-testid="overview-row"][data-cluster="eu-3"]');
    expect(await row.isVisible()).toBe(true);
    await page.locator('[data-testid="findings-only"]').check();
    expect(await row.isVisible()).toBe(false);
    expect(await page.locator('#cluster-eu-3').isVisible()).toBe(false);
    expect(await page.locator('[data-testid="overview-row"][data-cluster="us-1"]').isVisible()).toBe(true);
    expect(await visibleFindings().count()).toBe(7);
  });

  it('loads nothing but the file itself and logs no errors while used', async () => {
    await page.goto(fixtureUrl);
    await cell('eu-2', 'gamma').locator('a').click();
    await page.locator('[data-testid="filter"]').fill('policy');
    await page.locator('[data-testid="findings-only"]').check();
    await page.reload();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => u.replace(/#.*$/, '') !== fixtureUrl)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
