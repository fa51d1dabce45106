import { describe, expect, it } from 'vitest';
import { planChanges } from '../../lib/plan/plan.ts';
import { PLAN_JSON_VERSION, renderPlanJson } from '../../lib/report/plan-json.ts';
import { PLAN_COMMENT_MARKER, renderPlanMarkdown } from '../../lib/report/plan-markdown.ts';
import { renderPlanText } from '../../lib/report/plan-text.ts';
import { ACME, BETA, envFiles, type EnvFixture } from './fixtures.ts';

const side = { base: { ref: 'origin/main', commit: 'a'.repeat(40), from: 'synthesized' as const }, head: { ref: 'working tree', from: 'working-tree' as const } };
const GAMMA: EnvFixture = { tenant: 'gamma', env: 'staging', cluster: 'eu-west-1' };

/** acme's workers change, beta goes away, gamma is new. */
function samplePlan() {
  const base = [...envFiles(ACME), ...envFiles(BETA)];
  const head = [...envFiles(ACME, (name, o) => (name === 'config' ? { ...o, data: { 'odoo.conf': '[options]\nworkers = 6\nmax_cron_threads = 1\n' } } : o)), ...envFiles(GAMMA)];
  return planChanges(base, head, side);
}

describe('plan reports', () => {
  it('renders a PR comment with the marker, a summary, risky changes first and one details block per environment', () => {
    const md = renderPlanMarkdown(samplePlan());
    expect(md.startsWith(`${PLAN_COMMENT_MARKER}\n## tenantctl plan\n`)).toBe(true);
    expect(md).toContain('Base: origin/main @ aaaaaaaaaaaa (synthesized from its own sources)');
    expect(md).toContain('```yaml\nTotal: 3 tenant environments changed; objects: 11 added, 1 modified, 11 removed\n\nAdded:\n- gamma/staging (+');
    expect(md).toContain('\nRemoved:\n- beta/production (+0|-');
    expect(md).toContain('\nModified:\n- acme/production (+1|-1)\n```');
    const risks = md.indexOf('### ⚠️ Risky changes (4)');
    expect(risks).toBeGreaterThan(0);
    expect(md).toContain('- ⚠️ **database deleted**: `beta/production` `Cluster/tenant-beta-production/pg`: PostgreSQL cluster removed');
    const summaries = [...md.matchAll(/<details><summary>(.*)<\/summary>/g)].map((m) => m[1]);
    expect(summaries).toEqual([
      '⚠️ beta/production (tenants/beta.ts) on eu-west-1: removed (+0|-' + summaries[0].split('(+0|-')[1],
      'acme/production (tenants/acme.ts) on eu-west-1: modified (+1|-1)',
      expect.stringMatching(/^gamma\/staging \(tenants\/gamma\.ts\) on eu-west-1: added \(\+\d+\|-0\)$/),
    ]);
    expect(md.indexOf('<details>')).toBeGreaterThan(risks);
    expect(md).toContain('```diff\n@@ ConfigMap/tenant-acme-production/odoo-conf modified @@\n--- a/eu-west-1/tenants/acme-production/configmap-odoo-conf.yaml');
    expect(md).toContain('@@ PersistentVolumeClaim/tenant-beta-production/odoo-filestore removed ⚠️ volume deleted @@');
    expect(md).toMatch(/_Stats_: 33 objects compared, 10 unchanged, 4 risky changes\.\n$/);
  });

  it('keeps the comment under the length limit, listing objects of whole environments first, then cutting diffs with a note', () => {
    const plan = samplePlan();
    const full = renderPlanMarkdown(plan);
    const listed = renderPlanMarkdown(plan, { maxLength: full.length - 1 });
    expect(listed.length).toBeLessThan(full.length);
    expect(listed).toContain('@@ removed: 11 objects (contents not shown to fit the comment) @@\n- Cluster/tenant-beta-production/pg');
    expect(listed).toContain('Whole added or removed environments list their objects without contents');
    const cut = renderPlanMarkdown(plan, { maxLength: 3000, fullReportHint: 'run `npx tenantctl plan --base origin/main` locally' });
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut).toContain('### ⚠️ Risky changes (4)');
    expect(cut).toMatch(/> ⚠️ \*\*Truncated\*\* to fit a 3,000-character comment; not shown in full: `.*`\. To see the full plan, run `npx tenantctl plan --base origin\/main` locally\./);
    expect(cut.split('```').length % 2).toBe(1); // every fence closed
  });

  it('never exceeds the length limit and always closes its code fences, whatever the limit', () => {
    const plan = planChanges(
      [...envFiles(ACME), ...envFiles(BETA)],
      [...envFiles(ACME, (name, o) => (name === 'config' ? { ...o, data: { 'odoo.conf': 'line\n'.repeat(300) } } : o)), ...envFiles(GAMMA)],
      side,
    );
    const full = renderPlanMarkdown(plan).length;
    const broken: number[] = [];
    for (let limit = 2500; limit <= full + 50; limit += 97) {
      const md = renderPlanMarkdown(plan, { maxLength: limit });
      if (md.length > limit || md.split('```').length % 2 !== 1) broken.push(limit);
    }
    expect(broken).toEqual([]);
  });

  it('says so when nothing changes', () => {
    const plan = planChanges(envFiles(ACME), envFiles(ACME), side);
    expect(renderPlanMarkdown(plan)).toContain('No changes: the generated manifests are the same on both sides.');
    expect(renderPlanText(plan)).toContain('No changes: both sides produce the same manifests.');
  });

  it('renders text with counts, risks, objects and the diffs of changed objects', () => {
    const text = renderPlanText(samplePlan());
    const lines = text.split('\n');
    expect(lines[0]).toBe('tenantctl plan: origin/main @ aaaaaaaaaaaa (synthesized from its own sources) → working tree (synthesized)');
    expect(lines[1]).toBe('tenant environments: 1 added, 1 changed, 1 removed; objects: 11 to add, 1 to change, 11 to remove (10 unchanged)');
    expect(text).toContain('Risky changes (4):\n  ! database deleted  beta/production  Cluster/tenant-beta-production/pg\n');
    expect(text).toContain('  - PersistentVolumeClaim/tenant-beta-production/odoo-filestore  [volume-deleted]');
    expect(text).toContain('  ~ ConfigMap/tenant-acme-production/odoo-conf\n      --- a/eu-west-1/tenants/acme-production/configmap-odoo-conf.yaml');
    expect(text).not.toContain('+++ b/eu-west-1/tenants/gamma-staging/');
  });

  it('renders versioned JSON with the plan data', () => {
    const json = JSON.parse(renderPlanJson(samplePlan()));
    expect(json.version).toBe(PLAN_JSON_VERSION);
    expect(json.base).toEqual(side.base);
    expect(json.summary.environments).toEqual({ added: ['gamma/staging'], removed: ['beta/production'], changed: ['acme/production'], moved: [] });
    expect(json.risks.map((r: { flag: string }) => r.flag)).toEqual(['database-deleted', 'database-deleted', 'volume-deleted', 'namespace-deleted']);
    expect(json.groups[1].changes[0].diff).toContain('+    workers = 6');
    expect(JSON.parse(renderPlanJson(samplePlan(), { diffs: false })).groups[1].changes[0].diff).toBeUndefined();
  });
});
