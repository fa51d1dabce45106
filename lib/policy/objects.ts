/**
 * Reading Kubernetes objects the way policies need them: pod templates of every workload kind,
 * containers with their paths, label selectors, and which tenant environment an object is in.
 */
import type { TenantEnvironment } from '../model/environment.ts';
import { groupOf, LABELS, type KubeObject } from '../model/resource.ts';
import { ofKind, selectKinds } from './kind-index.ts';
import type { PolicyContext, ResourceRef } from './types.ts';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

type Key = string | number;

/** `obj.a.b.c`, or undefined when any step is missing. */
export function get(value: unknown, ...path: Key[]): unknown;
// Fixed parameters rather than a rest array: policies call this for every field of every object,
// and a rest array per call is most of its cost. Longer paths take the loop.
export function get(value: unknown, k0?: Key, k1?: Key, k2?: Key, k3?: Key, k4?: Key, k5?: Key): unknown {
  const n = arguments.length - 1;
  if (n > 6) return getPath(value, Array.prototype.slice.call(arguments, 1) as Key[]);
  if (n === 0) return value;
  let at = step(value, k0!);
  if (n === 1) return at;
  at = step(at, k1!);
  if (n === 2) return at;
  at = step(at, k2!);
  if (n === 3) return at;
  at = step(at, k3!);
  if (n === 4) return at;
  at = step(at, k4!);
  if (n === 5) return at;
  return step(at, k5!);
}

function step(at: unknown, key: Key): unknown {
  return at === null || typeof at !== 'object' ? undefined : (at as Record<Key, unknown>)[key];
}

function getPath(value: unknown, path: readonly Key[]): unknown {
  let at = value;
  for (const key of path) at = step(at, key);
  return at;
}

export function labelsOf(obj: KubeObject): Record<string, string> {
  return obj.metadata?.labels ?? {};
}

export function annotationsOf(obj: KubeObject): Record<string, string> {
  return obj.metadata?.annotations ?? {};
}

export function refOf(obj: KubeObject): ResourceRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace || undefined, name: obj.metadata?.name ?? '' };
}

export { ofKind, selectKinds } from './kind-index.ts';

/** Created by a controller (a ReplicaSet of a Deployment, a Pod of a Job): its owner is checked instead. */
export function isControlled(obj: KubeObject): boolean {
  const refs: unknown = obj.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return false;
  for (const r of refs) if (isObject(r) && r.controller === true) return true;
  return false;
}

const TRAEFIK_GROUPS = new Set(['traefik.io', 'traefik.containo.us']);
export const isTraefik = (obj: KubeObject, kind: string) => obj.kind === kind && TRAEFIK_GROUPS.has(groupOf(obj.apiVersion));
export const isCnpg = (obj: KubeObject, kind: string) => obj.kind === kind && groupOf(obj.apiVersion) === 'postgresql.cnpg.io';
export const isObjectStore = (obj: KubeObject) => obj.kind === 'ObjectStore' && groupOf(obj.apiVersion) === 'barmancloud.cnpg.io';
export const isVelero = (obj: KubeObject, kind: string) => obj.kind === kind && groupOf(obj.apiVersion) === 'velero.io';

// ---------------------------------------------------------------------------------------------
// Pod templates and containers

export interface PodTemplate {
  readonly object: KubeObject;
  /** Path of the pod spec inside the object, e.g. `spec.template.spec`. */
  readonly path: string;
  readonly spec: Json;
  readonly labels: Record<string, string>;
}

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const WORKLOAD_KINDS = Object.keys(POD_SPEC_PATHS);

/** The pod template of a workload (core/apps/batch kinds), or undefined for other objects. */
export function podTemplateOf(obj: KubeObject): PodTemplate | undefined {
  const group = groupOf(obj.apiVersion);
  if (!['', 'apps', 'batch'].includes(group)) return undefined;
  const path = POD_SPEC_PATHS[obj.kind];
  if (!path) return undefined;
  const spec = get(obj, ...path);
  if (!isObject(spec)) return undefined;
  const labels = obj.kind === 'Pod' ? labelsOf(obj) : ((get(obj, ...path.slice(0, -1), 'metadata', 'labels') as Record<string, string> | undefined) ?? {});
  return { object: obj, path: path.join('.'), spec, labels };
}

/** podTemplates per object list: a dozen policies ask for the templates of the same list (read-only, as for ofKind). */
const templateCache = new WeakMap<readonly KubeObject[], PodTemplate[]>();

/** Pod templates of every workload that is not itself controlled by another object. */
export function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return [...podTemplatesOf(objects)];
}

/** podTemplates without the copy, for the policies' loops. */
export function podTemplatesOf(objects: readonly KubeObject[]): readonly PodTemplate[] {
  let templates = templateCache.get(objects);
  if (!templates) {
    templates = [];
    // Only kinds with a pod template, from the kind index, in the list's order.
    for (const obj of selectKinds(objects, WORKLOAD_KINDS, (o) => !isControlled(o))) {
      const t = podTemplateOf(obj);
      if (t) templates.push(t);
    }
    templateCache.set(objects, templates);
  }
  return templates;
}

export interface ContainerRef {
  readonly template: PodTemplate;
  readonly container: Json;
  readonly name: string;
  readonly init: boolean;
  /** e.g. `spec.template.spec.initContainers[0]`. */
  readonly path: string;
}

/** containersOf per template (templates are cached per object list, see podTemplates). */
const containerCache = new WeakMap<PodTemplate, ContainerRef[]>();

export function containersOf(template: PodTemplate): ContainerRef[] {
  return [...containerRefs(template)];
}

/** containersOf without the copy, for the policies' loops. */
export function containerRefs(template: PodTemplate): readonly ContainerRef[] {
  const cached = containerCache.get(template);
  if (cached) return cached;
  const out: ContainerRef[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    asArray(template.spec[field]).forEach((c, i) => {
      if (isObject(c)) out.push({ template, container: c, name: String(c.name ?? i), init: field === 'initContainers', path: `${template.path}.${field}[${i}]` });
    });
  }
  containerCache.set(template, out);
  return out;
}

/** A container's security setting, falling back to the pod's (`runAsUser`, `runAsNonRoot`, `seccompProfile`). */
export function effectiveSecurity(ref: ContainerRef, field: string): unknown {
  const own = get(ref.container, 'securityContext', field);
  return own !== undefined ? own : get(ref.template.spec, 'securityContext', field);
}

// ---------------------------------------------------------------------------------------------
// Selectors

/** Whether a LabelSelector (`matchLabels` + `matchExpressions`) selects `labels`. An empty selector selects everything. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = isObject(selector.matchLabels) ? (selector.matchLabels as Record<string, string>) : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  for (const e of asArray(selector.matchExpressions)) {
    if (!isObject(e)) return false;
    const key = String(e.key);
    const values = asArray(e.values).map(String);
    const has = key in labels;
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

export function isEmptySelector(selector: unknown): boolean {
  return isObject(selector) && Object.keys(selector.matchLabels ?? {}).length === 0 && asArray(selector.matchExpressions).length === 0;
}

// ---------------------------------------------------------------------------------------------
// Tenancy

export interface Tenancy {
  readonly tenant?: string;
  readonly environment?: string;
  readonly tier?: string;
  readonly env?: TenantEnvironment;
}

interface TenancyIndex {
  readonly byKey: Map<string, TenantEnvironment>;
  readonly byNamespace: Map<string, TenantEnvironment>;
  /** namespace → tenant, from Namespace objects' labels and environments. */
  readonly namespaceTenant: Map<string, string>;
  environmentsOnCluster?: readonly EnvironmentOnCluster[];
}

const indexes = new WeakMap<PolicyContext, TenancyIndex>();

function indexOf(ctx: PolicyContext): TenancyIndex {
  let index = indexes.get(ctx);
  if (index) return index;
  const byKey = new Map<string, TenantEnvironment>();
  const byNamespace = new Map<string, TenantEnvironment>();
  const namespaceTenant = new Map<string, string>();
  for (const env of ctx.environments ?? []) {
    byKey.set(`${env.tenant.name}/${env.name}`, env);
    namespaceTenant.set(env.namespace, env.tenant.name);
    if (env.cluster.name === ctx.cluster.name) byNamespace.set(env.namespace, env);
  }
  for (const ns of ofKind(ctx.objects, 'Namespace', '')) {
    const tenant = labelsOf(ns)[LABELS.tenant];
    if (tenant && !namespaceTenant.has(ns.metadata.name)) namespaceTenant.set(ns.metadata.name, tenant);
  }
  index = { byKey, byNamespace, namespaceTenant };
  indexes.set(ctx, index);
  return index;
}

/** The tenant environment an object belongs to, from its labels, else from its namespace. */
// Not remembered per object: most objects are asked once (by isolation/no-cross-tenant-reference),
// and a map keyed by 17,000 objects costs more than reading a few labels again.
export function tenancyOf(ctx: PolicyContext, obj: KubeObject): Tenancy {
  const index = indexOf(ctx);
  const labels = labelsOf(obj);
  const byNs = environmentOfNamespace(index, obj);
  const tenant = labels[LABELS.tenant] ?? byNs?.tenant.name;
  const environment = labels[LABELS.environment] ?? (byNs && byNs.tenant.name === tenant ? byNs.name : undefined);
  const env = tenant && environment ? index.byKey.get(`${tenant}/${environment}`) : undefined;
  return { tenant, environment, tier: labels[LABELS.tier] ?? env?.tier, env };
}

/** The environment placed on the cluster in the object's namespace (a Namespace's own). */
function environmentOfNamespace(index: TenancyIndex, obj: KubeObject): TenantEnvironment | undefined {
  const namespace = obj.kind === 'Namespace' && groupOf(obj.apiVersion) === '' ? obj.metadata.name : obj.metadata?.namespace;
  return namespace ? index.byNamespace.get(namespace) : undefined;
}

/** `tenancyOf(ctx, obj).tenant`, without the rest, for loops over every object. */
export function tenantOf(ctx: PolicyContext, obj: KubeObject): string | undefined {
  return labelsOf(obj)[LABELS.tenant] ?? environmentOfNamespace(indexOf(ctx), obj)?.tenant.name;
}

/** Tenant owning a namespace: from Namespace labels or environments, else from the `tenant-<tenant>-<env>` convention. */
export function namespaceTenant(ctx: PolicyContext, namespace: string): string | undefined {
  return indexOf(ctx).namespaceTenant.get(namespace);
}

/** namespaceTenant for every namespace at once, for loops over every object. */
export function namespaceTenants(ctx: PolicyContext): ReadonlyMap<string, string> {
  return indexOf(ctx).namespaceTenant;
}

/** Whether `namespace` belongs to a tenant other than `tenant` (the convention is `tenant-<tenant>-<environment>`). */
export function isOtherTenantNamespace(ctx: PolicyContext, namespace: string, tenant: string): boolean {
  const known = namespaceTenant(ctx, namespace);
  if (known !== undefined) return known !== tenant;
  return namespace.startsWith('tenant-') && !namespace.startsWith(`tenant-${tenant}-`);
}

export interface EnvironmentOnCluster {
  readonly tenant: string;
  readonly environment: string;
  readonly namespace: string;
  readonly env?: TenantEnvironment;
  readonly object?: KubeObject;
}

/** Tenant environments placed on the context's cluster: from `environments`, else from tenant Namespaces. */
export function environmentsOnCluster(ctx: PolicyContext): EnvironmentOnCluster[] {
  const index = indexOf(ctx);
  index.environmentsOnCluster ??= readEnvironmentsOnCluster(ctx);
  return [...index.environmentsOnCluster];
}

function readEnvironmentsOnCluster(ctx: PolicyContext): EnvironmentOnCluster[] {
  const out = new Map<string, EnvironmentOnCluster>();
  for (const env of ctx.environments ?? []) {
    if (env.cluster.name !== ctx.cluster.name) continue;
    out.set(env.namespace, { tenant: env.tenant.name, environment: env.name, namespace: env.namespace, env });
  }
  for (const ns of ofKind(ctx.objects, 'Namespace', '')) {
    const labels = labelsOf(ns);
    const known = out.get(ns.metadata.name);
    if (known) out.set(ns.metadata.name, { ...known, object: ns });
    else if (labels[LABELS.tenant] && labels[LABELS.environment]) {
      out.set(ns.metadata.name, { tenant: labels[LABELS.tenant], environment: labels[LABELS.environment], namespace: ns.metadata.name, object: ns });
    }
  }
  return [...out.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

interface EnvironmentIndex {
  readonly byNamespace: Map<string, KubeObject[]>;
  readonly byTenantEnv: Map<string, KubeObject[]>;
}

/** Environment indexes per context and subset name (see environmentObjects). */
const environmentIndexes = new WeakMap<PolicyContext, Map<string, EnvironmentIndex>>();

function push(map: Map<string, KubeObject[]>, key: string, obj: KubeObject): void {
  const list = map.get(key);
  if (list) list.push(obj);
  else map.set(key, [obj]);
}

function environmentIndex(ctx: PolicyContext, subset: string, objects: () => readonly KubeObject[]): EnvironmentIndex {
  let indexes = environmentIndexes.get(ctx);
  if (!indexes) {
    indexes = new Map();
    environmentIndexes.set(ctx, indexes);
  }
  let index = indexes.get(subset);
  if (!index) {
    index = { byNamespace: new Map(), byTenantEnv: new Map() };
    for (const o of objects()) {
      if (o.metadata?.namespace) push(index.byNamespace, o.metadata.namespace, o);
      const l = labelsOf(o);
      if (l[LABELS.tenant] && l[LABELS.environment]) push(index.byTenantEnv, `${l[LABELS.tenant]}/${l[LABELS.environment]}`, o);
    }
    indexes.set(subset, index);
  }
  return index;
}

function inEnvironment(index: EnvironmentIndex, tenant: string, environment: string, namespace: string): KubeObject[] {
  return [...new Set([...(index.byNamespace.get(namespace) ?? []), ...(index.byTenantEnv.get(`${tenant}/${environment}`) ?? [])])];
}

/** Objects of one tenant environment: in its namespace, or labelled with its tenant and environment. */
export function objectsOfEnvironment(ctx: PolicyContext, tenant: string, environment: string, namespace: string): KubeObject[] {
  return inEnvironment(environmentIndex(ctx, '', () => ctx.objects), tenant, environment, namespace);
}

/**
 * `objectsOfEnvironment(...).filter(accept)`, where `objects` gives exactly the objects of the
 * context that `accept` keeps, in the context's order (e.g. its CronJobs from the kind index), and
 * `subset` names that choice: a few hundred objects indexed rather than all 17,000 of a cluster.
 */
export function environmentObjects(ctx: PolicyContext, subset: string, objects: () => readonly KubeObject[], tenant: string, environment: string, namespace: string): KubeObject[] {
  return inEnvironment(environmentIndex(ctx, subset, objects), tenant, environment, namespace);
}

/** The resource a finding about a whole tenant environment points at: its Namespace. */
export function namespaceRef(namespace: string): ResourceRef {
  return { apiVersion: 'v1', kind: 'Namespace', name: namespace };
}
