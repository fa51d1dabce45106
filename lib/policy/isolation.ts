/** Isolation policies: default-deny networking, data stores never exposed, no reach into another tenant. */
import { LABELS, type KubeObject } from '../model/resource.ts';
import { asArray, get, isEmptySelector, isObject, isOtherTenantNamespace, isTraefik, labelsOf, ofKind, selectKinds, tenantOf, type Json } from './objects.ts';
import type { Policy, PolicyContext, Violation } from './types.ts';

function denies(np: KubeObject, type: 'Ingress' | 'Egress'): boolean {
  const spec = np.spec;
  if (!isObject(spec) || !isEmptySelector(spec.podSelector)) return false;
  const types = asArray(spec.policyTypes).map(String);
  const rules = asArray(type === 'Ingress' ? spec.ingress : spec.egress);
  return types.includes(type) && rules.length === 0;
}

export const defaultDeny: Policy = {
  id: 'isolation/default-deny',
  severity: 'error',
  description: 'Every tenant namespace has a default-deny NetworkPolicy for ingress and egress (podSelector {}, both policyTypes, no rules).',
  fix: 'add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and no rules to the namespace; allow traffic with further policies',
  check(ctx) {
    // By namespace: a cluster holds thousands of namespaces and NetworkPolicies.
    const byNamespace = new Map<unknown, KubeObject[]>();
    for (const p of ofKind(ctx.objects, 'NetworkPolicy', 'networking.k8s.io')) {
      const list = byNamespace.get(p.metadata.namespace);
      if (list) list.push(p);
      else byNamespace.set(p.metadata.namespace, [p]);
    }
    const out: Violation[] = [];
    for (const ns of ofKind(ctx.objects, 'Namespace', '')) {
      if (!labelsOf(ns)[LABELS.tenant]) continue;
      const own = byNamespace.get(ns.metadata.name) ?? [];
      const missing = (['Ingress', 'Egress'] as const).filter((type) => !own.some((p) => denies(p, type)));
      if (missing.length > 0) out.push({ object: ns, message: `namespace ${ns.metadata.name} has no default-deny ${missing.join(' and ').toLowerCase()} NetworkPolicy` });
    }
    return out;
  },
};

const DATASTORE_NAME = /(^|-)(pg|postgres|postgresql|redis|valkey)(-|$)/;
const DATASTORE_PORTS = new Set([5432, 6379]);
const EXPOSING = new Set(['LoadBalancer', 'NodePort']);

/** A Service in front of PostgreSQL or Redis: selects CNPG pods, is named or labelled for them, or serves their ports. */
export function isDatastoreService(svc: KubeObject): boolean {
  const selector = isObject(get(svc, 'spec', 'selector')) ? (get(svc, 'spec', 'selector') as Record<string, string>) : {};
  if ('cnpg.io/cluster' in selector) return true;
  const names = [svc.metadata.name, labelsOf(svc)['app.kubernetes.io/name'] ?? '', selector['app.kubernetes.io/name'] ?? ''];
  if (names.some((n) => DATASTORE_NAME.test(n))) return true;
  return asArray(get(svc, 'spec', 'ports')).some((p) => isObject(p) && (DATASTORE_PORTS.has(Number(p.port)) || DATASTORE_PORTS.has(Number(p.targetPort))));
}

/** A route's backend that is a data store: port 5432/6379, or a service named like pg-*, *-rw, redis. */
function isDatastoreBackend(service: Json): boolean {
  const name = String(service.name ?? '');
  return DATASTORE_PORTS.has(Number(service.port)) || DATASTORE_NAME.test(name) || /-(rw|ro|r)$/.test(name);
}

export const noExposedDatastore: Policy = {
  id: 'isolation/no-exposed-datastore',
  severity: 'error',
  description: 'PostgreSQL and Redis are never exposed through a LoadBalancer or NodePort Service, an IngressRoute or a CNPG managed service.',
  fix: 'use a ClusterIP Service and reach the database from inside the cluster only; remove the route to it',
  check(ctx) {
    const out: Violation[] = [];
    for (const svc of ofKind(ctx.objects, 'Service', '')) {
      const type = String(get(svc, 'spec', 'type') ?? 'ClusterIP');
      if (EXPOSING.has(type) && isDatastoreService(svc)) out.push({ object: svc, path: 'spec.type', message: `Service "${svc.metadata.name}" exposes a data store as ${type}` });
    }
    for (const route of selectKinds(ctx.objects, ['IngressRoute', 'IngressRouteTCP'], (o) => isTraefik(o, o.kind))) {
      asArray(get(route, 'spec', 'routes')).forEach((r, i) => {
        asArray(get(r, 'services')).forEach((s, j) => {
          if (isObject(s) && isDatastoreBackend(s)) {
            out.push({ object: route, path: `spec.routes[${i}].services[${j}]`, message: `${route.kind} "${route.metadata.name}" routes to data store service "${String(s.name)}"${s.port !== undefined ? ` port ${String(s.port)}` : ''}` });
          }
        });
      });
    }
    for (const cluster of ofKind(ctx.objects, 'Cluster', 'postgresql.cnpg.io')) {
      asArray(get(cluster, 'spec', 'managed', 'services', 'additional')).forEach((s, i) => {
        const type = String(get(s, 'serviceTemplate', 'spec', 'type') ?? 'ClusterIP');
        if (EXPOSING.has(type)) out.push({ object: cluster, path: `spec.managed.services.additional[${i}].serviceTemplate.spec.type`, message: `PostgreSQL cluster "${cluster.metadata.name}" adds a ${type} service` });
      });
    }
    return out;
  },
};

interface NamespaceRef {
  readonly path: string;
  /** A named namespace, or `*` for a selector that matches every namespace. */
  readonly namespace: string;
}

/** Every namespace an object points at: `namespace` fields anywhere below the top-level metadata, and namespace selectors. */
export function namespaceReferences(obj: KubeObject): NamespaceRef[] {
  const out: NamespaceRef[] = [];
  walkReferences(obj, [], true, out);
  return out;
}

/**
 * namespaceReferences' walk. The path is kept as raw keys and array indexes and written out only
 * for a match (most of an object holds no reference): no string is built per field visited. A
 * module function, not a closure per object, as it runs on every object.
 */
function walkReferences(value: unknown, segments: Array<string | number>, top: boolean, out: NamespaceRef[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      segments.push(i);
      walkReferences(item, segments, false, out);
      segments.pop();
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const fields = value as Record<string, unknown>;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const v = fields[key];
    if (typeof v !== 'object' || v === null) {
      if (key === 'namespace' && typeof v === 'string') out.push({ path: pathOf(segments, key), namespace: v });
      continue;
    }
    if (top && key === 'metadata') continue;
    if (key === 'namespaceSelector' && !Array.isArray(v)) {
      const selector = v as Json;
      const at = pathOf(segments, key);
      const name = (selector.matchLabels as Record<string, string> | undefined)?.['kubernetes.io/metadata.name'];
      if (name) out.push({ path: at, namespace: name });
      for (const e of asArray(selector.matchExpressions)) {
        if (isObject(e) && e.key === 'kubernetes.io/metadata.name' && e.operator === 'In') for (const n of asArray(e.values)) out.push({ path: at, namespace: String(n) });
      }
      if (isEmptySelector(selector)) out.push({ path: at, namespace: '*' });
    } else {
      segments.push(key);
      walkReferences(v, segments, false, out);
      segments.pop();
    }
  }
}

/** `spec.ingress[0].from[1].namespaceSelector`: the segments, then `last`. */
function pathOf(segments: ReadonlyArray<string | number>, last: string): string {
  let path = '';
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    path += typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`;
  }
  return segments.length === 0 ? last : `${path}.${last}`;
}

/** Secret-store keys an ExternalSecret reads (`remoteRef.key`, `extract.key`, `find.path`), with their paths. */
export function secretStoreKeys(obj: KubeObject): Array<{ path: string; key: string }> {
  if (obj.kind !== 'ExternalSecret' || !obj.apiVersion.startsWith('external-secrets.io/')) return [];
  const out: Array<{ path: string; key: string }> = [];
  asArray(get(obj, 'spec', 'data')).forEach((d, i) => {
    const key = get(d, 'remoteRef', 'key');
    if (typeof key === 'string') out.push({ path: `spec.data[${i}].remoteRef.key`, key });
  });
  asArray(get(obj, 'spec', 'dataFrom')).forEach((d, i) => {
    const key = get(d, 'extract', 'key');
    if (typeof key === 'string') out.push({ path: `spec.dataFrom[${i}].extract.key`, key });
    const path = get(d, 'find', 'path');
    if (typeof path === 'string') out.push({ path: `spec.dataFrom[${i}].find.path`, key: path });
  });
  return out;
}

export const noCrossTenantReference: Policy = {
  id: 'isolation/no-cross-tenant-reference',
  severity: 'error',
  description: "A tenant's objects never live in or point at another tenant's namespace (namespace fields, namespace selectors, route backends) or read another tenant's secret-store keys (tenants/<tenant>/...).",
  fix: "reference only the tenant's own namespace (tenant-<tenant>-<environment>) or a shared platform namespace",
  check(ctx: PolicyContext) {
    const out: Violation[] = [];
    for (const obj of ctx.objects) {
      const tenant = tenantOf(ctx, obj);
      if (!tenant) continue;
      const own = obj.metadata.namespace;
      if (own && isOtherTenantNamespace(ctx, own, tenant)) {
        out.push({ object: obj, path: 'metadata.namespace', message: `object of tenant ${tenant} lives in namespace ${own} of another tenant` });
      }
      for (const ref of namespaceReferences(obj)) {
        if (ref.namespace === '*') {
          if (obj.kind === 'NetworkPolicy') out.push({ object: obj, path: ref.path, message: 'namespaceSelector {} selects every namespace, including other tenants\'' });
        } else if (isOtherTenantNamespace(ctx, ref.namespace, tenant)) {
          out.push({ object: obj, path: ref.path, message: `points at namespace ${ref.namespace} of another tenant` });
        }
      }
      // Secret-store keys are laid out as tenants/<tenant>/<environment>/<what>.
      for (const { path, key } of secretStoreKeys(obj)) {
        const owner = /^\/?tenants\/([^/]+)/.exec(key)?.[1];
        if (owner !== undefined && owner !== tenant) out.push({ object: obj, path, message: `reads secret-store key ${key} of tenant ${owner}` });
      }
    }
    return out;
  },
};

export const isolationPolicies: readonly Policy[] = [defaultDeny, noExposedDatastore, noCrossTenantReference];
