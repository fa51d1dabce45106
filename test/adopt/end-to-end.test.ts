/**
 * Adoption end to end on the project's own tenant files, in temporary repositories: render an
 * environment with the real compiler, change it the way a person would on the cluster, detect the
 * drift, map it to tenant settings, edit the file, then load, type-check and compile the edited
 * file and render again: the adopted fields no longer drift and no other environment changes.
 */
import { join } from 'node:path';
import { Project } from 'ts-morph';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAdoptions } from '../../lib/adopt/edit-source.ts';
import { adoptionsFor } from '../../lib/adopt/mapping.ts';
import { compileWorkspace } from '../../lib/workspace/compile.ts';
import { detectDrift } from '../../lib/drift/engine.ts';
import type { DriftFinding } from '../../lib/drift/types.ts';
import { isIssue, loadInputs } from '../../lib/io/load-modules.ts';
import { readSchemaSource } from '../../lib/io/read-schemas.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import type { LoadedFile } from '../../lib/synth/compile.ts';
import { renderEnvironment } from '../../lib/synth/render.ts';
import { renderEnvironmentFolder } from '../../lib/synth/synthesize.ts';
import type { TenantSpec } from '../../lib/tenant/schema.ts';
import { webResources } from '../../lib/tenant/sizing.ts';
import { cleanRepos, makeRepo, PROJECT, readTenant, writeTenant } from '../cli/repo.ts';

afterAll(cleanRepos);

const crds = readSchemaSource().crds;

async function compiled(root: string) {
  const fleet = await compileWorkspace(root);
  const { tenants } = await loadInputs(root);
  const specs = new Map(tenants.filter((t): t is LoadedFile => !isIssue(t)).map((t) => [t.file, t.value as TenantSpec]));
  const env = (tenant: string, name: string): TenantEnvironment => fleet.environments.find((e) => e.tenant.name === tenant && e.name === name)!;
  return { fleet, specs, env, render: (tenant: string, name: string) => renderEnvironment(env(tenant, name), fleet.templates.tiers) };
}

/** The object of `kind` and `name`, for changing it the way a person would with kubectl edit. */
function object(objects: ReadonlyArray<Record<string, any>>, kind: string, name: string): Record<string, any> {
  return objects.find((o) => o.kind === kind && o.metadata.name === name)!;
}

/** The edited file in a fresh repository: loaded, compiled and type-checked for real. */
async function recompile(tenant: string, source: string) {
  const root = makeRepo([]);
  writeTenant(root, tenant, source);
  const project = new Project({ tsConfigFilePath: join(PROJECT, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
  const file = project.addSourceFileAtPath(join(root, 'tenants', `${tenant}.ts`));
  project.resolveSourceFileDependencies();
  expect(file.getPreEmitDiagnostics().map((d) => String(d.getMessageText()))).toEqual([]);
  return compiled(root);
}

const changed = (findings: readonly DriftFinding[]) => findings.flatMap((f) => (f.changes ?? []).map((c) => `${f.resource.kind} ${f.resource.name} ${c.path}`));

describe('adopting live changes into the tenant file', () => {
  it("fjord: workers and HPA replicas edited in production become production overrides; staging and training render as before", async () => {
    const before = await compiled(makeRepo(['fjord']));
    const desired = before.render('fjord', 'production');
    const live = structuredClone(desired) as Array<Record<string, any>>;
    const conf = object(live, 'ConfigMap', 'odoo-conf');
    conf.data['odoo.conf'] = conf.data['odoo.conf'].replace('workers = 4\n', 'workers = 6\n');
    object(live, 'Deployment', 'odoo-web').spec.template.spec.containers[0].resources = webResources(6);
    object(live, 'HorizontalPodAutoscaler', 'odoo-web').spec.minReplicas = 3;
    const findings = detectDrift({ desired, live: live as KubeObject[], crds });

    const plan = adoptionsFor(findings, before.fleet.environments, { specs: before.specs, tiers: before.fleet.templates.tiers });
    expect(plan.notAdoptable).toEqual([]);
    expect(plan.adoptions.map((a) => [a.file, a.setting.join('.'), a.value, 1 + a.alsoFrom.length])).toEqual([
      ['tenants/fjord.ts', 'environments.production.workers', 6, 5],
      ['tenants/fjord.ts', 'environments.production.replicas', 3, 1],
    ]);

    const source = readTenant(makeRepo(['fjord']), 'fjord');
    const edited = applyAdoptions(source, 'tenants/fjord.ts', plan.adoptions);
    expect(edited).toBe(source.replace("production: { domains: ['erp.fjord-marine.example'] },", "production: { domains: ['erp.fjord-marine.example'], workers: 6, replicas: 3 },"));

    const after = await recompile('fjord', edited);
    const files = renderEnvironmentFolder(after.env('fjord', 'production'), after.fleet.templates);
    expect(files.find((f) => f.path.endsWith('/configmap-odoo-conf.yaml'))!.content).toContain('    workers = 6\n');
    expect(files.find((f) => f.path.endsWith('/horizontalpodautoscaler-odoo-web.yaml'))!.content).toContain('  minReplicas: 3\n');
    // The adopted fields match live now. What still differs is derived from the new settings and
    // is what merging the pull request rolls out: the config hash (pods restart to read the new
    // odoo.conf), the quota and PostgreSQL's connection limit, which grow with workers and replicas.
    const remaining = changed(detectDrift({ desired: after.render('fjord', 'production'), live: live as KubeObject[], crds }));
    expect(remaining.filter((c) => changed(findings).includes(c))).toEqual([]);
    expect(remaining).toEqual([
      'Cluster pg spec.postgresql.parameters.max_connections',
      'Deployment odoo-cron spec.template.metadata.annotations["tenantctl.io/config-hash"]',
      'Deployment odoo-web spec.template.metadata.annotations["tenantctl.io/config-hash"]',
      'ResourceQuota tenant-quota spec.hard["limits.cpu"]',
      'ResourceQuota tenant-quota spec.hard["limits.memory"]',
      'ResourceQuota tenant-quota spec.hard["requests.cpu"]',
      'ResourceQuota tenant-quota spec.hard["requests.memory"]',
    ]);
    for (const other of ['staging', 'training']) expect(after.render('fjord', other)).toEqual(before.render('fjord', other));
  }, 120_000);

  it('acme: an admin address allowed by hand in both environments is appended to ingress.adminAllowList', async () => {
    const before = await compiled(makeRepo(['acme']));
    const findings: DriftFinding[] = [];
    const lives = new Map<string, KubeObject[]>();
    for (const name of ['production', 'staging']) {
      const desired = before.render('acme', name);
      const live = structuredClone(desired) as Array<Record<string, any>>;
      object(live, 'Middleware', 'admin-allowlist').spec.ipAllowList.sourceRange.push('198.51.100.7/32');
      lives.set(name, live as KubeObject[]);
      findings.push(...detectDrift({ desired, live: live as KubeObject[], crds }));
    }
    const plan = adoptionsFor(findings, before.fleet.environments, { specs: before.specs, tiers: before.fleet.templates.tiers });
    expect(plan.notAdoptable).toEqual([]);
    expect(plan.adoptions.map((a) => [a.setting.join('.'), a.value, a.environment, a.alsoFrom.map((s) => s.environment)])).toEqual([
      ['ingress.adminAllowList', ['203.0.113.0/24', '198.51.100.7/32'], 'production', ['staging']],
    ]);

    const source = readTenant(makeRepo(['acme']), 'acme');
    const edited = applyAdoptions(source, 'tenants/acme.ts', plan.adoptions);
    expect(edited).toBe(source.replace("adminAllowList: ['203.0.113.0/24']", "adminAllowList: ['203.0.113.0/24', '198.51.100.7/32']"));

    const after = await recompile('acme', edited);
    for (const name of ['production', 'staging']) {
      expect(detectDrift({ desired: after.render('acme', name), live: lives.get(name)!, crds })).toEqual([]);
    }
  }, 120_000);
});
