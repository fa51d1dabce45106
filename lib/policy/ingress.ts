/** Ingress policies: TLS and HSTS everywhere, the Odoo database manager fenced off, host names owned. */
import type { KubeObject } from '../model/resource.ts';
import { asArray, get, isObject, isTraefik, ofKind, selectKinds, tenancyOf, type Json } from './objects.ts';
import type { Policy, PolicyContext, Violation } from './types.ts';

const DATABASE_MANAGER = /\bPath(Prefix)?\(\s*[`"]\/web\/database/;

/** Host names of a Traefik match rule: `Host(\`a.example.com\`) && PathPrefix(...)` → [a.example.com]. */
export function hostsOfRule(match: string): string[] {
  const out: string[] = [];
  for (const [, args] of match.matchAll(/\bHost\(([^)]*)\)/g)) {
    for (const [, host] of args.matchAll(/[`"]([^`"]+)[`"]/g)) out.push(host.toLowerCase());
  }
  return out;
}

interface RouteRef {
  readonly object: KubeObject;
  readonly index: number;
  readonly route: Json;
  readonly match: string;
  readonly hosts: string[];
}

/** routesOf per object list: two policies read the routes of the same list (read-only, as for ofKind). */
const routeCache = new WeakMap<readonly KubeObject[], readonly RouteRef[]>();

function routesOf(objects: readonly KubeObject[]): readonly RouteRef[] {
  let routes = routeCache.get(objects);
  if (!routes) {
    routes = readRoutes(objects);
    routeCache.set(objects, routes);
  }
  return routes;
}

function readRoutes(objects: readonly KubeObject[]): RouteRef[] {
  const out: RouteRef[] = [];
  for (const obj of ofKind(objects, 'IngressRoute').filter((o) => isTraefik(o, 'IngressRoute'))) {
    asArray(get(obj, 'spec', 'routes')).forEach((route, index) => {
      if (!isObject(route)) return;
      const match = String(route.match ?? '');
      out.push({ object: obj, index, route, match, hosts: hostsOfRule(match) });
    });
  }
  return out;
}

const isIngress = (o: KubeObject) => o.kind === 'Ingress' && o.apiVersion.startsWith('networking.k8s.io/');
const servesHosts = (o: KubeObject) => isTraefik(o, 'IngressRoute') || isIngress(o);

/** hostsOf per object of a list, for the objects that can serve a host, in the list's order. */
const hostCache = new WeakMap<readonly KubeObject[], ReadonlyArray<{ object: KubeObject; hosts: ReadonlyArray<{ host: string; path: string }> }>>();

function hostsIn(objects: readonly KubeObject[]): ReadonlyArray<{ object: KubeObject; hosts: ReadonlyArray<{ host: string; path: string }> }> {
  let hosts = hostCache.get(objects);
  if (!hosts) {
    hosts = selectKinds(objects, ['IngressRoute', 'Ingress'], servesHosts).map((object) => ({ object, hosts: hostsOf(object) }));
    hostCache.set(objects, hosts);
  }
  return hosts;
}

/** Host names an object serves: IngressRoute match rules and Ingress rules. */
export function hostsOf(obj: KubeObject): Array<{ host: string; path: string }> {
  if (isTraefik(obj, 'IngressRoute')) {
    return asArray(get(obj, 'spec', 'routes')).flatMap((r, i) => hostsOfRule(String(get(r, 'match') ?? '')).map((host) => ({ host, path: `spec.routes[${i}].match` })));
  }
  if (isIngress(obj)) {
    return asArray(get(obj, 'spec', 'rules')).flatMap((r, i) => (typeof get(r, 'host') === 'string' ? [{ host: String(get(r, 'host')).toLowerCase(), path: `spec.rules[${i}].host` }] : []));
  }
  return [];
}

export const tlsRequired: Policy = {
  id: 'ingress/tls-required',
  severity: 'error',
  description: 'Every IngressRoute and Ingress terminates TLS (spec.tls).',
  fix: 'add spec.tls with a certificate (cert-manager secretName) to the route',
  check: (ctx) =>
    selectKinds(ctx.objects, ['IngressRoute', 'Ingress'], servesHosts)
      .filter((o) => {
        const tls = get(o, 'spec', 'tls');
        return tls === undefined || tls === null || (Array.isArray(tls) && tls.length === 0);
      })
      .map((o) => ({ object: o, path: 'spec.tls', message: `${o.kind} "${o.metadata.name}" has no TLS` })),
};

const middlewareIndexes = new WeakMap<PolicyContext, Map<string, KubeObject>>();

function middlewareIndex(ctx: PolicyContext): Map<string, KubeObject> {
  let index = middlewareIndexes.get(ctx);
  if (!index) {
    index = new Map(ofKind(ctx.objects, 'Middleware').filter((o) => isTraefik(o, 'Middleware')).map((m) => [`${m.metadata.namespace ?? ''}/${m.metadata.name}`, m]));
    middlewareIndexes.set(ctx, index);
  }
  return index;
}

/** middlewaresOf per route (routes are kept per object list): two policies ask, hsts twice. */
const middlewareCache = new WeakMap<RouteRef, { found: KubeObject[]; missing: string[] }>();

/** Middlewares a route uses, resolved to objects (chains followed); names of missing ones too. */
function middlewaresOf(ctx: PolicyContext, route: RouteRef): { readonly found: readonly KubeObject[]; readonly missing: readonly string[] } {
  let resolved = middlewareCache.get(route);
  if (!resolved) {
    resolved = resolveMiddlewares(ctx, route);
    middlewareCache.set(route, resolved);
  }
  return resolved;
}

function resolveMiddlewares(ctx: PolicyContext, route: RouteRef): { found: KubeObject[]; missing: string[] } {
  const byKey = middlewareIndex(ctx);
  const found: KubeObject[] = [];
  const missing: string[] = [];
  const visit = (refs: unknown[], namespace: string, depth: number) => {
    for (const ref of refs) {
      if (!isObject(ref) || depth > 5) continue;
      const name = String(ref.name ?? '').replace(/@kubernetescrd$/, '');
      const ns = typeof ref.namespace === 'string' ? ref.namespace : namespace;
      const mw = byKey.get(`${ns}/${name}`);
      if (!mw) {
        missing.push(`${ns}/${name}`);
        continue;
      }
      found.push(mw);
      visit(asArray(get(mw, 'spec', 'chain', 'middlewares')), ns, depth + 1);
    }
  };
  visit(asArray(route.route.middlewares), route.object.metadata.namespace ?? '', 0);
  return { found, missing };
}

const isHsts = (mw: KubeObject) => Number(get(mw, 'spec', 'headers', 'stsSeconds') ?? 0) > 0;
const isAllowList = (mw: KubeObject) => isObject(get(mw, 'spec', 'ipAllowList')) || isObject(get(mw, 'spec', 'ipWhiteList'));

export const hsts: Policy = {
  id: 'ingress/hsts',
  severity: 'error',
  description: 'Every IngressRoute route uses a headers Middleware with stsSeconds > 0 (HSTS).',
  fix: 'reference a Middleware with spec.headers.stsSeconds (e.g. 31536000) from every route',
  check: (ctx) =>
    routesOf(ctx.objects)
      .filter((r) => !middlewaresOf(ctx, r).found.some(isHsts))
      .map((r) => {
        const { missing } = middlewaresOf(ctx, r);
        return { object: r.object, path: `spec.routes[${r.index}].middlewares`, message: `route ${r.match || `#${r.index}`} sends no HSTS header${missing.length ? ` (middleware ${missing.join(', ')} not found)` : ''}` };
      }),
};

function guardsDatabaseManager(ctx: PolicyContext, r: RouteRef): boolean {
  if (!DATABASE_MANAGER.test(r.match)) return false;
  if (middlewaresOf(ctx, r).found.some(isAllowList)) return true;
  return asArray(r.route.services).some((s) => isObject(s) && String(s.name ?? '') === 'noop@internal');
}

export const databaseManagerBlocked: Policy = {
  id: 'ingress/database-manager-blocked',
  severity: 'error',
  description: "Odoo's /web/database manager is blocked or allow-listed: each host has a PathPrefix(`/web/database`) route with an ipAllowList middleware (or routed to noop@internal).",
  fix: 'add a route `Host(`<host>`) && PathPrefix(`/web/database`)` with an ipAllowList middleware of the admin networks',
  check(ctx) {
    const routes = routesOf(ctx.objects);
    const guarded = new Set<string>();
    for (const g of routes) {
      if (guardsDatabaseManager(ctx, g)) for (const host of g.hosts) guarded.add(`${g.object.metadata.namespace ?? ''}/${host}`);
    }
    const out: Violation[] = [];
    const reported = new Set<string>();
    for (const r of routes) {
      const ns = r.object.metadata.namespace ?? '';
      for (const host of r.hosts) {
        const key = `${ns}/${host}`;
        if (reported.has(key)) continue;
        if (!guarded.has(key)) {
          reported.add(key);
          out.push({ object: r.object, path: `spec.routes[${r.index}].match`, message: `${host}/web/database is reachable from anywhere` });
        }
      }
    }
    return out;
  },
};

function underDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

export const hostnameOwned: Policy = {
  id: 'ingress/hostname-owned',
  severity: 'error',
  description: "Host names are under the cluster's baseDomain or among the tenant environment's declared domains.",
  fix: "declare the host name in the tenant file's environments.<env>.domains, or use a name under the cluster's baseDomain",
  check(ctx) {
    const out: Violation[] = [];
    for (const { object: obj, hosts } of hostsIn(ctx.objects)) {
      for (const { host, path } of hosts) {
        if (underDomain(host, ctx.cluster.baseDomain)) continue;
        const { env, tenant } = tenancyOf(ctx, obj);
        if (env?.domains.map((d) => d.toLowerCase()).includes(host)) continue;
        out.push({
          object: obj,
          path,
          message: env
            ? `host ${host} is neither under ${ctx.cluster.baseDomain} nor declared by ${env.tenant.name} (${env.name}): ${env.domains.join(', ')}`
            : `host ${host} is not under ${ctx.cluster.baseDomain}${tenant ? ` and no environment of tenant ${tenant} is known to declare it` : ''}`,
        });
      }
    }
    return out;
  },
};

export const uniqueHostnames: Policy = {
  id: 'ingress/unique-hostnames',
  severity: 'error',
  description: 'Each host name is served by one tenant environment (one namespace of one cluster) across the fleet.',
  fix: 'remove the host name from all but one tenant environment',
  check: () => [],
  fleetObjects: (obj) => hostsOf(obj).length > 0,
  checkFleet(contexts) {
    const claims = new Map<string, Array<{ ctx: PolicyContext; obj: KubeObject; path: string }>>();
    for (const ctx of contexts) {
      for (const { object: obj, hosts } of hostsIn(ctx.objects)) {
        for (const { host, path } of hosts) {
          const list = claims.get(host) ?? [];
          list.push({ ctx, obj, path });
          claims.set(host, list);
        }
      }
    }
    const out: Violation[] = [];
    for (const [host, list] of [...claims].sort(([a], [b]) => a.localeCompare(b))) {
      const owners = new Set(list.map((c) => `${c.ctx.cluster.name}/${c.obj.metadata.namespace ?? ''}`));
      if (owners.size < 2) continue;
      for (const c of list) {
        const others = [...owners].filter((o) => o !== `${c.ctx.cluster.name}/${c.obj.metadata.namespace ?? ''}`);
        const { tenant, environment } = tenancyOf(c.ctx, c.obj);
        out.push({ object: c.obj, path: c.path, tenant, environment, message: `host ${host} is also served by ${others.join(', ')}` });
      }
    }
    return out;
  },
};

export const ingressPolicies: readonly Policy[] = [tlsRequired, hsts, databaseManagerBlocked, hostnameOwned, uniqueHostnames];

