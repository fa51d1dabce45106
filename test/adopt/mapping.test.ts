/**
 * From drift findings (paths in the engine's syntax, values as the API server returns them) to
 * the tenant setting each one adopts, or the reason it cannot be adopted. Tenants are compiled
 * in memory with the real tiers, so every desired value below is what the templates render.
 */
import { describe, expect, it } from 'vitest';
import { adoptionsFor as adopt, type AdoptOptions, type AdoptionPlan } from '../../lib/adopt/mapping.ts';
import type { Change, DriftFinding } from '../../lib/drift/types.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import type { TenantSpec } from '../../lib/tenant/schema.ts';
import { cronResources, redisResources, webResources } from '../../lib/tenant/sizing.ts';
import { odooConf } from '../../tiers/constructs/odoo.ts';
import { tiers } from '../../tiers/index.ts';
import { compileTenants, tenantFile, tenantSpec } from '../synth/fixtures.ts';

const API: Record<string, string> = {
  Deployment: 'apps/v1', StatefulSet: 'apps/v1', HorizontalPodAutoscaler: 'autoscaling/v2', ConfigMap: 'v1', CronJob: 'batch/v1',
  Middleware: 'traefik.io/v1alpha1', Schedule: 'velero.io/v1', ScheduledBackup: 'postgresql.cnpg.io/v1', Service: 'v1',
};
/** adoptionsFor with the project's tiers, which every world below is compiled with. */
const adoptionsFor = (findings: readonly DriftFinding[], environments: readonly TenantEnvironment[], options: Partial<AdoptOptions> = {}): AdoptionPlan => adopt(findings, environments, { tiers, ...options });

const KUBECTL = { manager: 'kubectl-edit', operation: 'Update', time: '2026-11-20T09:00:00Z' };

interface World {
  readonly environments: readonly TenantEnvironment[];
  readonly specs: ReadonlyMap<string, TenantSpec>;
  env(tenant: string, environment?: string): TenantEnvironment;
}

function world(...specs: TenantSpec[]): World {
  const { environments } = compileTenants(specs.map((s) => tenantFile(s)));
  return {
    environments,
    specs: new Map(specs.map((s) => [`tenants/${s.name}.ts`, s])),
    env: (tenant, environment = 'production') => environments.find((e) => e.tenant.name === tenant && e.name === environment)!,
  };
}

function modified(env: TenantEnvironment, kind: string, name: string, changes: Array<Omit<Change, 'changedBy'>>): DriftFinding {
  const namespace = kind === 'Schedule' ? 'velero' : env.namespace;
  return {
    type: 'modified',
    tenant: env.tenant.name,
    environment: env.name,
    resource: { apiVersion: API[kind], kind, namespace, name },
    changes: changes.map((c) => ({ ...c, changedBy: KUBECTL })),
  };
}

const ODOO = 'spec.template.spec.containers[name=odoo]';

/** The changed resource leaves of a container, from `desired` to `live` (quantities as written live). */
function resourceChanges(prefix: string, desired: ReturnType<typeof webResources>, live: Record<string, string>): Change[] {
  return Object.entries(live).map(([leaf, value]) => {
    const [group, name] = leaf.split('.') as ['requests' | 'limits', 'cpu' | 'memory'];
    return { path: `${prefix}.resources.${leaf}`, desired: desired[group][name], live: value };
  });
}

const settings = (plan: AdoptionPlan) => plan.adoptions.map((a) => [a.setting.join('.'), a.value]);
const reasons = (plan: AdoptionPlan) => plan.notAdoptable.map((n) => [n.path, n.reason]);

const shared = (name: string, overrides: Record<string, unknown> = {}) => tenantSpec(name, overrides);
const dedicated = (name: string, overrides: Record<string, unknown> = {}) => tenantSpec(name, { tier: 'dedicated', ...overrides });

describe('web replicas', () => {
  it("a Deployment scaled by hand (no HPA) on a Flux cluster is adopted as the environment's replicas, with the finding it came from", () => {
    const w = world(shared('cobalt'));
    const finding = modified(w.env('cobalt'), 'Deployment', 'odoo-web', [{ path: 'spec.replicas', desired: 1, live: 2 }]);
    expect(adoptionsFor([finding], w.environments, { specs: w.specs, engine: 'flux' })).toEqual({
      adoptions: [{
        tenant: 'cobalt',
        environment: 'production',
        file: 'tenants/cobalt.ts',
        setting: ['environments', 'production', 'replicas'],
        value: 2,
        from: { resource: finding.resource, environment: 'production', path: 'spec.replicas', desired: 1, live: 2, changedBy: KUBECTL },
        alsoFrom: [],
      }],
      notAdoptable: [],
    });
  });

  it('a Deployment scaled by hand (no HPA) is not adopted where the sync would leave kubectl owning the count: Argo CD, or no engine named', () => {
    const w = world(shared('cobalt'));
    const finding = modified(w.env('cobalt'), 'Deployment', 'odoo-web', [{ path: 'spec.replicas', desired: 1, live: 2 }]);
    const argo = adoptionsFor([finding], w.environments, { specs: w.specs, engine: 'argocd' });
    expect(argo.adoptions).toEqual([]);
    expect(reasons(argo)).toEqual([['spec.replicas', "2 replicas render an HPA and leave spec.replicas out of Git; Argo CD's sync does not take the field from kubectl-edit, so the audit would keep reporting it: set replicas in the tenant file and scale back to 1 by hand, or adopt on a Flux cluster"]]);
    expect(reasons(adoptionsFor([finding], w.environments, { specs: w.specs }))[0][1]).toMatch(/the audit report does not name the GitOps engine/);
  });

  it('replicas above the tier ceiling or below the schema minimum are not adoptable', () => {
    const w = world(shared('cobalt'));
    const plan = adoptionsFor([modified(w.env('cobalt'), 'Deployment', 'odoo-web', [{ path: 'spec.replicas', desired: 1, live: 3 }])], w.environments, { engine: 'flux' });
    expect(reasons(plan)).toEqual([['spec.replicas', '3 replicas exceed the shared tier ceiling of 2']]);
    const zero = adoptionsFor([modified(w.env('cobalt'), 'Deployment', 'odoo-web', [{ path: 'spec.replicas', desired: 1, live: 0 }])], w.environments);
    expect(zero.adoptions).toEqual([]);
    expect(zero.notAdoptable[0].reason).toMatch(/^0 is not a valid replicas: /);
  });

  it('replicas of a Deployment under an HPA are not adoptable: the HPA decides them', () => {
    const w = world(dedicated('delta'));
    const plan = adoptionsFor([modified(w.env('delta'), 'Deployment', 'odoo-web', [{ path: 'spec.replicas', desired: undefined, live: 3 }])], w.environments);
    expect(reasons(plan)).toEqual([['spec.replicas', 'the HPA owns the replica count of this Deployment: its minReplicas and maxReplicas are what can be adopted']]);
  });

  it('HPA minReplicas and maxReplicas (the Deployment has no replicas in Git) are adopted as replicas and maxReplicas', () => {
    const w = world(dedicated('delta'));
    const plan = adoptionsFor([modified(w.env('delta'), 'HorizontalPodAutoscaler', 'odoo-web', [
      { path: 'spec.maxReplicas', desired: 4, live: 8 },
      { path: 'spec.minReplicas', desired: 2, live: 3 },
    ])], w.environments);
    expect(settings(plan)).toEqual([['environments.production.replicas', 3], ['environments.production.maxReplicas', 8]]);
  });

  it('lowering minReplicas where the maximum came from the replica count pins maxReplicas, so the HPA keeps its maximum', () => {
    const w = world(dedicated('delta', { environments: { production: { domains: ['delta.west.example.com'], replicas: 6 } } }));
    const plan = adoptionsFor([modified(w.env('delta'), 'HorizontalPodAutoscaler', 'odoo-web', [{ path: 'spec.minReplicas', desired: 6, live: 5 }])], w.environments);
    expect(settings(plan)).toEqual([['environments.production.replicas', 5], ['environments.production.maxReplicas', 6]]);
  });

  it('an HPA capped at one replica is not adoptable: the templates render no HPA then', () => {
    const w = world(dedicated('delta'));
    const plan = adoptionsFor([modified(w.env('delta'), 'HorizontalPodAutoscaler', 'odoo-web', [
      { path: 'spec.maxReplicas', desired: 4, live: 1 },
      { path: 'spec.minReplicas', desired: 2, live: 1 },
    ])], w.environments);
    expect(plan.adoptions).toEqual([]);
    expect(reasons(plan).map(([p]) => p)).toEqual(['spec.maxReplicas', 'spec.minReplicas']);
    expect(plan.notAdoptable[0].reason).toBe('with maxReplicas 1 the templates render no HPA but a fixed replica count on the Deployment');
  });
});

describe('Odoo workers', () => {
  /** fjord-like: workers set for the tenant, production and staging inherit it, training overrides it. */
  const fjord = () => world(dedicated('fjord', {
    odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-20251110', workers: 4 },
    environments: {
      production: { domains: ['erp.fjord.example'] },
      staging: { tier: 'shared', domains: ['fjord-staging.west.example.com'] },
      training: { tier: 'shared', domains: ['fjord-training.west.example.com'], workers: 1 },
    },
  }));
  const confChange = (env: TenantEnvironment, workers: number): Omit<Change, 'changedBy'> => {
    const desired = odooConf(env, 'pg-rw');
    return { path: 'data["odoo.conf"]', desired, live: desired.replace(/^workers = \d+$/m, `workers = ${workers}`) };
  };

  it('workers changed in odoo.conf become an override of that environment when other environments share the tenant value', () => {
    const w = fjord();
    const plan = adoptionsFor([modified(w.env('fjord'), 'ConfigMap', 'odoo-conf', [confChange(w.env('fjord'), 6)])], w.environments, { specs: w.specs });
    expect(settings(plan)).toEqual([['environments.production.workers', 6]]);
  });

  it("an environment's own override is edited where it is", () => {
    const w = fjord();
    const training = w.env('fjord', 'training');
    const plan = adoptionsFor([modified(training, 'ConfigMap', 'odoo-conf', [confChange(training, 2)])], w.environments, { specs: w.specs });
    expect(settings(plan)).toEqual([['environments.training.workers', 2]]);
  });

  it('the tenant value is edited when no other environment uses it, and an override is written when the file is not at hand', () => {
    const w = world(shared('cobalt', { odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-20251110', workers: 3 } }));
    const finding = modified(w.env('cobalt'), 'ConfigMap', 'odoo-conf', [confChange(w.env('cobalt'), 2)]);
    expect(settings(adoptionsFor([finding], w.environments, { specs: w.specs }))).toEqual([['odoo.workers', 2]]);
    expect(settings(adoptionsFor([finding], w.environments))).toEqual([['environments.production.workers', 2]]);
  });

  it('other odoo.conf keys are not adoptable, while the workers change in the same text still is', () => {
    const w = world(shared('cobalt'));
    const change = confChange(w.env('cobalt'), 3);
    const live = (change.live as string).replace('limit_time_cpu = 60', 'limit_time_cpu = 600').replace('log_level = info\n', '');
    const plan = adoptionsFor([modified(w.env('cobalt'), 'ConfigMap', 'odoo-conf', [{ ...change, live }])], w.environments);
    expect(settings(plan)).toEqual([['environments.production.workers', 3]]);
    expect(reasons(plan)).toEqual([['data["odoo.conf"]', 'odoo.conf limit_time_cpu, log_level are fixed by the tier template (only workers comes from the tenant file)']]);
  });

  it('web resources that are exactly what some worker count renders are adopted as workers, whatever their notation', () => {
    const w = world(dedicated('delta'));
    const changes = resourceChanges(ODOO, webResources(4), { 'limits.cpu': '3', 'limits.memory': '3168Mi', 'requests.cpu': '1.5', 'requests.memory': '2112Mi' });
    const plan = adoptionsFor([modified(w.env('delta'), 'Deployment', 'odoo-web', changes)], w.environments);
    expect(settings(plan)).toEqual([['environments.production.workers', 5]]);
    expect(plan.adoptions[0].alsoFrom.map((s) => s.path)).toEqual(changes.slice(1).map((c) => c.path));
  });

  it('web resources that no worker count renders are not adoptable', () => {
    const w = world(dedicated('delta'));
    const plan = adoptionsFor([modified(w.env('delta'), 'Deployment', 'odoo-web', resourceChanges(ODOO, webResources(4), { 'requests.cpu': '2' }))], w.environments);
    expect(reasons(plan)).toEqual([[`${ODOO}.resources.requests.cpu`,
      'live resources (requests 2 CPU / 1792Mi, limits 2500m CPU / 2688Mi) match no workers value: web resources are sized from workers (lib/tenant/sizing.ts webResources)']]);
  });

  it('odoo.conf and resources that disagree on workers are both refused', () => {
    const w = world(dedicated('delta'));
    const env = w.env('delta');
    const plan = adoptionsFor([
      modified(env, 'ConfigMap', 'odoo-conf', [confChange(env, 6)]),
      modified(env, 'Deployment', 'odoo-web', resourceChanges(ODOO, webResources(4), { 'limits.cpu': '3000m', 'limits.memory': '3168Mi', 'requests.cpu': '1500m', 'requests.memory': '2112Mi' })),
    ], w.environments);
    expect(plan.adoptions).toEqual([]);
    expect(plan.notAdoptable).toHaveLength(5);
    expect(plan.notAdoptable[0].reason).toBe('findings disagree on environments.production.workers in tenants/delta.ts: 6 from ConfigMap odoo-conf data["odoo.conf"] in production; 5 from Deployment odoo-web spec.template.spec.containers[name=odoo].resources.limits.cpu in production');
  });
});

describe('cron, Redis and PostgreSQL sizes', () => {
  it('the cron --max-cron-threads argument and cron resources are adopted as cronThreads; cron replicas are not adoptable', () => {
    const w = world(dedicated('delta'));
    const env = w.env('delta');
    const plan = adoptionsFor([modified(env, 'Deployment', 'odoo-cron', [
      { path: `${ODOO}.args`, desired: ['--no-http', '--workers=0', '--max-cron-threads=2'], live: ['--no-http', '--workers=0', '--max-cron-threads=3'] },
      ...resourceChanges(ODOO, cronResources(2), { 'requests.cpu': '550m', 'requests.memory': '1280Mi', 'limits.cpu': '1100m', 'limits.memory': '1920Mi' }),
      { path: 'spec.replicas', desired: 1, live: 2 },
    ])], w.environments);
    expect(settings(plan)).toEqual([['odoo.cronThreads', 3]]);
    expect(reasons(plan)).toEqual([['spec.replicas', 'the cron Deployment always runs one replica: a second one would run every scheduled job twice']]);
  });

  it('Redis resources are adopted as redis.memory; PostgreSQL resources are not adoptable', () => {
    const w = world(dedicated('delta'));
    const env = w.env('delta');
    const plan = adoptionsFor([
      modified(env, 'StatefulSet', 'redis', resourceChanges('spec.template.spec.containers[name=redis]', redisResources('256Mi'), { 'limits.memory': '1Gi', 'requests.memory': '1024Mi' })),
      { ...modified(env, 'Cluster', 'pg', [{ path: 'spec.resources.requests.cpu', desired: '1000m', live: '2' }]), resource: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', namespace: env.namespace, name: 'pg' } },
    ], w.environments);
    expect(settings(plan)).toEqual([['redis.memory', '1Gi']]);
    expect(reasons(plan)).toEqual([['spec.resources.requests.cpu', 'PostgreSQL resources follow database.storage in steps (lib/tenant/sizing.ts postgresResources); adopting them would resize the volume']]);
  });
});

describe('the Odoo image', () => {
  const IMAGE = 'registry.example/odoo/odoo:19.0-20251201';
  const imageChanges = (live: string) => [
    { path: 'spec.template.spec.initContainers[name=render-config].image', desired: 'registry.example/odoo/odoo:18.0-20251110', live },
    { path: `${ODOO}.image`, desired: 'registry.example/odoo/odoo:18.0-20251110', live },
  ];

  it('is adopted as odoo.image, with the Odoo version its tag names, from every container that runs it', () => {
    const w = world(shared('cobalt'));
    const env = w.env('cobalt');
    const plan = adoptionsFor([modified(env, 'Deployment', 'odoo-cron', imageChanges(IMAGE)), modified(env, 'Deployment', 'odoo-web', imageChanges(IMAGE))], w.environments);
    expect(settings(plan)).toEqual([['odoo.image', IMAGE], ['odoo.version', '19.0']]);
    expect(plan.adoptions[0].alsoFrom).toHaveLength(3);
  });

  it('pinned by digest is adopted without touching the version', () => {
    const w = world(shared('cobalt'));
    const digest = `registry.example/odoo/odoo@sha256:${'a'.repeat(64)}`;
    const plan = adoptionsFor([modified(w.env('cobalt'), 'Deployment', 'odoo-web', imageChanges(digest))], w.environments);
    expect(settings(plan)).toEqual([['odoo.image', digest]]);
  });

  it('tagged with an Odoo version tenantctl does not support, or latest, is not adoptable', () => {
    const w = world(shared('cobalt'));
    const plan = adoptionsFor([modified(w.env('cobalt'), 'Deployment', 'odoo-web', [
      { path: `${ODOO}.image`, desired: 'registry.example/odoo/odoo:18.0-20251110', live: 'registry.example/odoo/odoo:20.0-20260101' },
      { path: 'spec.template.spec.initContainers[name=render-config].image', desired: 'registry.example/odoo/odoo:18.0-20251110', live: 'registry.example/odoo/odoo:latest' },
    ])], w.environments);
    expect(plan.adoptions).toEqual([]);
    expect(plan.notAdoptable[0].reason).toBe('the live image tag says Odoo 20.0, which tenantctl does not support (17.0, 18.0, 19.0)');
    expect(plan.notAdoptable[1].reason).toMatch(/^"registry.example\/odoo\/odoo:latest" is not a valid odoo.image: must be an image pinned by tag or digest/);
  });
});

describe('ingress and tenant-wide settings', () => {
  const twoEnvs = () => world(shared('cobalt', { environments: { production: { domains: ['cobalt.west.example.com'] }, staging: { domains: ['cobalt-staging.west.example.com'] } } }));

  it('a rate-limit change is adopted as ingress.rateLimit, keeping the value that did not change', () => {
    const w = world(shared('cobalt'));
    const plan = adoptionsFor([modified(w.env('cobalt'), 'Middleware', 'rate-limit', [{ path: 'spec.rateLimit.average', desired: 50, live: 80 }])], w.environments);
    expect(settings(plan)).toEqual([['ingress.rateLimit', { average: 80, burst: 100 }]]);
  });

  it('a tenant-wide setting drifted in one environment only is not adoptable: it would change the others', () => {
    const w = twoEnvs();
    const plan = adoptionsFor([modified(w.env('cobalt'), 'Middleware', 'rate-limit', [{ path: 'spec.rateLimit.burst', desired: 100, live: 300 }])], w.environments);
    expect(reasons(plan)).toEqual([['spec.rateLimit.burst',
      'ingress.rateLimit is set once for the whole tenant: adopting {"average":50,"burst":300} would also change staging, whose live state does not have it; make the same change there or edit tenants/cobalt.ts by hand']]);
  });

  it('a tenant-wide setting drifted the same way in every environment is adopted once', () => {
    const w = twoEnvs();
    const drift = (env: TenantEnvironment) => modified(env, 'Middleware', 'rate-limit', [{ path: 'spec.rateLimit.burst', desired: 100, live: 300 }]);
    const plan = adoptionsFor([drift(w.env('cobalt')), drift(w.env('cobalt', 'staging'))], w.environments);
    expect(settings(plan)).toEqual([['ingress.rateLimit', { average: 50, burst: 300 }]]);
    expect(plan.adoptions[0].alsoFrom.map((s) => s.environment)).toEqual(['staging']);
  });

  it('an allow-list change is adopted as ingress.adminAllowList; an edited deny-all middleware is not adoptable', () => {
    const w = world(shared('cobalt', { ingress: { adminAllowList: ['203.0.113.0/24'] } }));
    const plan = adoptionsFor([modified(w.env('cobalt'), 'Middleware', 'admin-allowlist', [
      { path: 'spec.ipAllowList.sourceRange', desired: ['203.0.113.0/24'], live: ['203.0.113.0/24', '198.51.100.7/32'] },
    ])], w.environments);
    expect(settings(plan)).toEqual([['ingress.adminAllowList', ['203.0.113.0/24', '198.51.100.7/32']]]);

    const open = world(shared('beta'));
    const denied = adoptionsFor([modified(open.env('beta'), 'Middleware', 'deny-all', [
      { path: 'spec.ipAllowList.sourceRange', desired: ['192.0.2.255/32'], live: ['198.51.100.7/32'] },
    ])], open.environments);
    expect(denied.adoptions).toEqual([]);
    expect(denied.notAdoptable[0].reason).toMatch(/^deny-all is what an empty ingress.adminAllowList renders/);
  });
});

describe('backup schedules', () => {
  it('the dump schedule of a shared environment is adopted as backup.rpoMinutes when some RPO renders it exactly', () => {
    const w = world(shared('cobalt'));
    const env = w.env('cobalt');
    const plan = adoptionsFor([modified(env, 'CronJob', 'pg-dump', [{ path: 'spec.schedule', desired: '7 */4 * * *', live: '7 */2 * * *' }])], w.environments);
    expect(settings(plan)).toEqual([['backup.rpoMinutes', 120]]);
    const odd = adoptionsFor([modified(env, 'CronJob', 'pg-dump', [{ path: 'spec.schedule', desired: '7 */4 * * *', live: '30 1 * * *' }])], w.environments);
    expect(reasons(odd)).toEqual([['spec.schedule', 'schedule "30 1 * * *" is not one backup.rpoMinutes renders (every N minutes below an hour, every N hours at :07, or daily at 03:07)']]);
    const tooOften = adoptionsFor([modified(env, 'CronJob', 'pg-dump', [{ path: 'spec.schedule', desired: '7 */4 * * *', live: '*/30 * * * *' }])], w.environments);
    expect(reasons(tooOften)).toEqual([['spec.schedule', 'an RPO of 30 minutes is below what the shared tier can deliver (at least 60 minutes)']]);
  });

  it('the Velero filestore schedule is adopted as backup.rpoMinutes; the dedicated dump and the CNPG base backup are not adoptable', () => {
    const w = world(dedicated('delta'));
    const env = w.env('delta');
    const plan = adoptionsFor([
      modified(env, 'CronJob', 'pg-dump', [{ path: 'spec.schedule', desired: '7 3 * * *', live: '7 */6 * * *' }]),
      modified(env, 'ScheduledBackup', 'pg-daily', [{ path: 'spec.schedule', desired: '0 0 2 * * *', live: '0 0 4 * * *' }]),
      modified(env, 'Schedule', 'delta-production-filestore', [{ path: 'spec.schedule', desired: '17 */1 * * *', live: '17 */2 * * *' }]),
    ], w.environments);
    expect(settings(plan)).toEqual([['backup.rpoMinutes', 120]]);
    const hourly = world(shared('cobalt'));
    const every = (live: string) => adoptionsFor([modified(hourly.env('cobalt'), 'Schedule', 'cobalt-production-filestore', [{ path: 'spec.schedule', desired: '17 */4 * * *', live }])], hourly.environments);
    expect(settings(every('17 */1 * * *'))).toEqual([['backup.rpoMinutes', 60]]);
    expect(settings(every('17 3 * * *'))).toEqual([['backup.rpoMinutes', 1440]]);
    expect(reasons(plan)).toEqual([
      ['spec.schedule', 'on a dedicated data plane the dump runs daily whatever the settings; WAL archiving covers the RPO'],
      ['spec.schedule', 'the base backup schedule is fixed by the tier template (daily); no tenant setting renders it, backup.rpoMinutes is met by WAL archiving'],
    ]);
  });

  it("an environment on another tier than its tenant's cannot adopt tenant-level backup settings", () => {
    const w = world(dedicated('acme', { environments: { production: { domains: ['erp.acme.example'] }, staging: { tier: 'shared', domains: ['acme-staging.west.example.com'] } } }));
    const plan = adoptionsFor([modified(w.env('acme', 'staging'), 'CronJob', 'pg-dump', [{ path: 'spec.schedule', desired: '7 */4 * * *', live: '7 */2 * * *' }])], w.environments);
    expect(reasons(plan)).toEqual([['spec.schedule',
      "staging runs on the shared tier while the tenant is dedicated: it takes the shared tier's default for backup.rpoMinutes, which the tenant file cannot override per environment"]]);
  });
});

describe('everything else', () => {
  it('is not adoptable, with a reason for each finding or change', () => {
    const w = world(shared('cobalt'));
    const env = w.env('cobalt');
    const missing: DriftFinding = { type: 'missing', tenant: 'cobalt', environment: 'production', resource: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: env.namespace, name: 'allow-dns' } };
    const unmanaged: DriftFinding = { type: 'unmanaged', tenant: 'cobalt', environment: 'production', resource: { apiVersion: 'v1', kind: 'Pod', namespace: env.namespace, name: 'debug' } };
    const plan = adoptionsFor([
      missing,
      unmanaged,
      modified(env, 'Deployment', 'odoo-web', [{ path: `${ODOO}.env[name=DEBUG].value`, desired: undefined, live: '1' }]),
      modified(env, 'Service', 'odoo', [{ path: 'spec.type', desired: 'ClusterIP', live: 'LoadBalancer' }]),
      { ...modified(env, 'Deployment', 'odoo-web', [{ path: 'spec.replicas', desired: 1, live: 2 }]), tenant: 'ghost' },
    ], w.environments);
    expect(plan.adoptions).toEqual([]);
    expect(plan.notAdoptable.map((n) => [n.finding.resource.kind, n.path, n.reason])).toEqual([
      ['NetworkPolicy', undefined, 'a missing object cannot be adopted: only changed fields of objects tenantctl renders map to tenant settings'],
      ['Pod', undefined, 'an unmanaged object cannot be adopted: only changed fields of objects tenantctl renders map to tenant settings'],
      ['Deployment', `${ODOO}.env[name=DEBUG].value`, 'no tenant setting renders this field; revert it on the cluster or change the tier template'],
      ['Service', 'spec.type', 'no tenant setting renders this field; revert it on the cluster or change the tier template'],
      ['Deployment', 'spec.replicas', 'no compiled tenant environment ghost/production owns Deployment odoo-web'],
    ]);
  });
});
