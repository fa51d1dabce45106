/**
 * Which tenant setting renders a drifted field, per object the tier templates make
 * (tiers/constructs/*.ts), and the setting value that renders the live value. One handler per
 * object; changes no handler claims are refused with a reason, never silently dropped.
 */
import type { Change, DriftFinding } from '../drift/types.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import { ODOO_VERSIONS } from '../tenant/schema.ts';
import { cronResources, redisResources, type Resources, webResources } from '../tenant/sizing.ts';
import type { Tier } from '../tier/tier.ts';
import { syncRemovesFieldsOf, type GitOpsEngine } from '../model/gitops-engine.ts';
import { binaryQuantity, confDifferences, describeResources, invertByRender, liveResources, parseConf, range, rpoForSchedule, sameResources, tagVersion } from './invert.ts';
import type { SettingName } from './settings.ts';

/** What one change asks for: a setting value, or a refusal with its reason. */
export type Outcome =
  | { readonly kind: 'adopt'; readonly change: Change; readonly setting: SettingName; readonly value: unknown }
  | { readonly kind: 'reject'; readonly change: Change; readonly reason: string };

interface Context {
  readonly finding: DriftFinding;
  readonly env: TenantEnvironment;
  /** The environment's tier, when the registry has it (ceilings, data plane). */
  readonly tier?: Tier;
  /** The GitOps engine of the finding's cluster, when the audit report names it. */
  readonly engine?: GitOpsEngine;
}

/** Claims the changes it understands; returns their outcomes. */
type Handler = (changes: Change[], ctx: Context) => Outcome[];

const adopt = (change: Change, setting: SettingName, value: unknown): Outcome => ({ kind: 'adopt', change, setting, value });
const reject = (change: Change, reason: string): Outcome => ({ kind: 'reject', change, reason });

/** Removes and returns the changes matching `test` from `changes`. */
function take(changes: Change[], test: (path: string) => boolean): Change[] {
  const taken = changes.filter((c) => test(c.path));
  for (const c of taken) changes.splice(changes.indexOf(c), 1);
  return taken;
}

const ODOO = 'spec.template.spec.containers[name=odoo].';
const IMAGE_PATHS = [`${ODOO}image`, 'spec.template.spec.initContainers[name=render-config].image'];

function image(change: Change, env: TenantEnvironment): Outcome[] {
  if (typeof change.live !== 'string') return [reject(change, 'the image was removed live')];
  const out = [adopt(change, 'odoo.image', change.live)];
  // The version follows the tag only where the file pairs them (`odoo:18.0-…` with version 18.0).
  if (tagVersion(env.odoo.image) !== env.odoo.version) return out;
  const next = tagVersion(change.live);
  if (next !== undefined && !(ODOO_VERSIONS as readonly string[]).includes(next)) {
    return [reject(change, `the live image tag says Odoo ${next}, which tenantctl does not support (${ODOO_VERSIONS.join(', ')})`)];
  }
  if (next !== undefined && next !== env.odoo.version) out.push(adopt(change, 'odoo.version', next));
  return out;
}

function images(changes: Change[], env: TenantEnvironment): Outcome[] {
  return take(changes, (p) => IMAGE_PATHS.includes(p)).flatMap((c) => image(c, env));
}

/** Resources of a container rendered by `render(size)`: the size whose rendering matches live. */
function sized(changes: Change[], prefix: string, setting: SettingName, sizes: number[], current: number, render: (n: number) => Resources, what: string): Outcome[] {
  const taken = take(changes, (p) => p.startsWith(prefix));
  if (taken.length === 0) return [];
  const live = liveResources(taken, prefix, render(current));
  if (typeof live === 'string') return taken.map((c) => reject(c, live));
  const size = invertByRender(sizes, render, live, sameResources);
  if (size === undefined) return taken.map((c) => reject(c, `live resources (${describeResources(live)}) match no ${setting} value: ${what}`));
  return taken.map((c) => adopt(c, setting, size));
}

/**
 * Without an HPA the Deployment carries the replicas, but more than one is rendered as an HPA and
 * a Deployment without `spec.replicas`. Git then no longer sets the field, so the one who scaled
 * keeps owning the live count and the audit keeps reporting it, unless the engine's sync takes
 * that manager's fields away (Flux does for `kubectl*`): only then does the adoption settle.
 */
function webReplicas(c: Change, env: TenantEnvironment, engine: GitOpsEngine | undefined): Outcome {
  if (c.desired === undefined || env.odoo.maxReplicas > 1) return reject(c, 'the HPA owns the replica count of this Deployment: its minReplicas and maxReplicas are what can be adopted');
  if (typeof c.live !== 'number') return reject(c, 'the replica count was removed live');
  const manager = c.changedBy?.manager;
  if (c.live > 1 && !(engine && manager && syncRemovesFieldsOf(engine, manager))) {
    const keeps = !engine ? 'the audit report does not name the GitOps engine, so nothing tells that its sync would take the field from' : `${engine === 'argocd' ? 'Argo CD' : 'Flux'}'s sync does not take the field from`;
    return reject(c, `${c.live} replicas render an HPA and leave spec.replicas out of Git; ${keeps} ${manager ?? 'whoever scaled it'}, so the audit would keep reporting it: set replicas in the tenant file and scale back to ${String(c.desired)} by hand, or adopt on a Flux cluster`);
  }
  return adopt(c, 'replicas', c.live);
}

const webDeployment: Handler = (changes, { env, engine }) => [
  ...take(changes, (p) => p === 'spec.replicas').map((c) => webReplicas(c, env, engine)),
  ...images(changes, env),
  ...sized(changes, `${ODOO}resources.`, 'workers', range(0, 32), env.odoo.workers, webResources, 'web resources are sized from workers (lib/tenant/sizing.ts webResources)'),
];

const cronDeployment: Handler = (changes, { env }) => {
  const out = [
    ...take(changes, (p) => p === 'spec.replicas').map((c) => reject(c, 'the cron Deployment always runs one replica: a second one would run every scheduled job twice')),
    ...images(changes, env),
    ...sized(changes, `${ODOO}resources.`, 'cronThreads', range(0, 8), env.odoo.cronThreads, cronResources, 'cron resources are sized from cronThreads (lib/tenant/sizing.ts cronResources)'),
  ];
  for (const c of take(changes, (p) => p === `${ODOO}args`)) {
    const render = (n: number) => ['--no-http', '--workers=0', `--max-cron-threads=${n}`];
    const threads = invertByRender(range(0, 8), render, c.live, (a, b) => JSON.stringify(a) === JSON.stringify(b));
    out.push(threads === undefined ? reject(c, 'the cron arguments differ in more than --max-cron-threads, which is all cronThreads renders') : adopt(c, 'cronThreads', threads));
  }
  return out;
};

const hpa: Handler = (changes, { env }) => {
  const taken = take(changes, (p) => p === 'spec.minReplicas' || p === 'spec.maxReplicas');
  const min = taken.find((c) => c.path === 'spec.minReplicas');
  const max = taken.find((c) => c.path === 'spec.maxReplicas');
  const liveMin = min ? min.live : env.odoo.replicas;
  const liveMax = max ? max.live : env.odoo.maxReplicas;
  if (typeof liveMin !== 'number' || typeof liveMax !== 'number') return taken.map((c) => reject(c, `${c.path} was removed live`));
  // Rendered: minReplicas = replicas, maxReplicas = max(maxReplicas, replicas), and no HPA at 1.
  if (liveMax <= 1) return taken.map((c) => reject(c, 'with maxReplicas 1 the templates render no HPA but a fixed replica count on the Deployment'));
  if (liveMax < liveMin) return taken.map((c) => reject(c, `maxReplicas ${liveMax} is below minReplicas ${liveMin}`));
  const out: Outcome[] = [];
  if (min) out.push(adopt(min, 'replicas', liveMin));
  if (max) out.push(adopt(max, 'maxReplicas', liveMax));
  // When the rendered maximum was only the replica count, lowering replicas would lower it too: pin it.
  else if (env.odoo.maxReplicas === env.odoo.replicas && liveMin < env.odoo.replicas && min) out.push(adopt(min, 'maxReplicas', liveMax));
  return out;
};

const odooConf: Handler = (changes) =>
  take(changes, (p) => p === 'data["odoo.conf"]').flatMap((c) => {
    if (typeof c.desired !== 'string' || typeof c.live !== 'string') return [reject(c, 'odoo.conf was removed live')];
    const desired = parseConf(c.desired);
    const live = parseConf(c.live);
    const differing = confDifferences(desired, live);
    const others = differing.filter((k) => k !== 'workers');
    const out: Outcome[] = [];
    if (differing.includes('workers')) {
      const workers = Number(live.get('workers'));
      out.push(Number.isInteger(workers) && /^\d+$/.test(live.get('workers') ?? '') ? adopt(c, 'workers', workers) : reject(c, `workers = ${live.get('workers') ?? '(removed)'} is not a worker count`));
    }
    if (others.length > 0) out.push(reject(c, `odoo.conf ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} fixed by the tier template (only workers comes from the tenant file)`));
    return out;
  });

const redis: Handler = (changes, { env }) => {
  const prefix = 'spec.template.spec.containers[name=redis].resources.';
  const taken = take(changes, (p) => p.startsWith(prefix));
  if (taken.length === 0) return [];
  const live = liveResources(taken, prefix, redisResources(env.redis.memory));
  if (typeof live === 'string') return taken.map((c) => reject(c, live));
  const guesses = [live.requests.memory, live.limits.memory].map(binaryQuantity).filter((m): m is string => m !== undefined);
  const memory = invertByRender(guesses, redisResources, live, sameResources);
  const why = `live resources (${describeResources(live)}) match no redis.memory: Redis resources are sized from it (lib/tenant/sizing.ts redisResources)`;
  return taken.map((c) => (memory === undefined ? reject(c, why) : adopt(c, 'redis.memory', memory)));
};

const rateLimit: Handler = (changes, { env }) => {
  const taken = take(changes, (p) => p === 'spec.rateLimit.average' || p === 'spec.rateLimit.burst');
  const value = { ...env.ingress.rateLimit };
  for (const c of taken) {
    if (typeof c.live !== 'number') return taken.map((t) => reject(t, `${c.path} is not a number live`));
    value[c.path === 'spec.rateLimit.average' ? 'average' : 'burst'] = c.live;
  }
  return taken.map((c) => adopt(c, 'ingress.rateLimit', value));
};

const SOURCE_RANGE = 'spec.ipAllowList.sourceRange';

const allowList: Handler = (changes, { env }) => {
  const taken = take(changes, (p) => p === SOURCE_RANGE || /^spec\.ipAllowList\.sourceRange\[\d+\]$/.test(p));
  let list: unknown[] = [...env.ingress.adminAllowList];
  for (const c of taken) {
    if (c.path === SOURCE_RANGE) list = Array.isArray(c.live) ? [...c.live] : [];
    else list[Number(/\[(\d+)\]$/.exec(c.path)![1])] = c.live;
  }
  list = list.filter((x) => x !== undefined);
  if (list.length === 0) return taken.map((c) => reject(c, 'an empty allow-list is rendered as the deny-all middleware, not as an empty admin-allowlist'));
  return taken.map((c) => adopt(c, 'ingress.adminAllowList', list));
};

const denyAll: Handler = (changes) =>
  take(changes, (p) => p.startsWith(SOURCE_RANGE)).map((c) =>
    reject(c, 'deny-all is what an empty ingress.adminAllowList renders; allowing addresses renders an admin-allowlist middleware instead, so set ingress.adminAllowList by hand'));

const pgDump: Handler = (changes, { tier }) =>
  take(changes, (p) => p === 'spec.schedule').map((c) => {
    if (tier?.dataPlane !== 'shared') return reject(c, 'on a dedicated data plane the dump runs daily whatever the settings; WAL archiving covers the RPO');
    const rpo = rpoForSchedule(c.live, 7);
    return rpo === undefined ? reject(c, `schedule ${JSON.stringify(c.live)} is not one backup.rpoMinutes renders (every N minutes below an hour, every N hours at :07, or daily at 03:07)`) : adopt(c, 'backup.rpoMinutes', rpo);
  });

const filestoreSchedule: Handler = (changes) =>
  take(changes, (p) => p === 'spec.schedule').map((c) => {
    const rpo = rpoForSchedule(c.live, 17, 60);
    return rpo === undefined ? reject(c, `schedule ${JSON.stringify(c.live)} is not one backup.rpoMinutes renders (every N hours at :17, or daily at 03:17)`) : adopt(c, 'backup.rpoMinutes', rpo);
  });

const scheduledBackup: Handler = (changes) =>
  take(changes, (p) => p === 'spec.schedule').map((c) =>
    reject(c, 'the base backup schedule is fixed by the tier template (daily); no tenant setting renders it, backup.rpoMinutes is met by WAL archiving'));

const postgresCluster: Handler = (changes) =>
  take(changes, (p) => p.startsWith('spec.resources.')).map((c) =>
    reject(c, 'PostgreSQL resources follow database.storage in steps (lib/tenant/sizing.ts postgresResources); adopting them would resize the volume'));

interface Rule {
  readonly kind: string;
  readonly name: (env: TenantEnvironment) => string;
  readonly handle: Handler;
}

const RULES: readonly Rule[] = [
  { kind: 'Deployment', name: () => 'odoo-web', handle: webDeployment },
  { kind: 'Deployment', name: () => 'odoo-cron', handle: cronDeployment },
  { kind: 'HorizontalPodAutoscaler', name: () => 'odoo-web', handle: hpa },
  { kind: 'ConfigMap', name: () => 'odoo-conf', handle: odooConf },
  { kind: 'StatefulSet', name: () => 'redis', handle: redis },
  { kind: 'Middleware', name: () => 'rate-limit', handle: rateLimit },
  { kind: 'Middleware', name: () => 'admin-allowlist', handle: allowList },
  { kind: 'Middleware', name: () => 'deny-all', handle: denyAll },
  { kind: 'CronJob', name: () => 'pg-dump', handle: pgDump },
  { kind: 'Schedule', name: (env) => `${env.tenant.name}-${env.name}-filestore`, handle: filestoreSchedule },
  { kind: 'ScheduledBackup', name: () => 'pg-daily', handle: scheduledBackup },
  { kind: 'ScheduledBackup', name: () => 'pg-daily-dr', handle: scheduledBackup },
  { kind: 'Cluster', name: () => 'pg', handle: postgresCluster },
];

/** One outcome or more per change of a `modified` finding of `env`. */
export function outcomesFor(finding: DriftFinding, env: TenantEnvironment, tier: Tier | undefined, engine?: GitOpsEngine): Outcome[] {
  const rest = [...(finding.changes ?? [])];
  const rule = RULES.find((r) => r.kind === finding.resource.kind && r.name(env) === finding.resource.name);
  const out = rule ? rule.handle(rest, { finding, env, tier, engine }) : [];
  // The object and the path stand next to the reason wherever it is shown: not repeated in it.
  for (const c of rest) out.push(reject(c, 'no tenant setting renders this field; revert it on the cluster or change the tier template'));
  return out;
}
