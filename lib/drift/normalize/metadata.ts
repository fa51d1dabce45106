/**
 * What of an object is compared: everything but server bookkeeping.
 *
 * Kept: apiVersion, kind, metadata.name/namespace/labels/annotations (minus the tool and
 * controller keys below, and the GitOps engines' keys the desired object does not set),
 * metadata.finalizers/ownerReferences only when desired declares them,
 * and every other top-level field except `status`.
 */
import type { KubeObject } from '../../model/resource.ts';
import { cloneJson } from './clone.ts';

/** Annotations and labels written by tools and controllers, never by tenantctl. */
const STRIPPED_ANNOTATIONS: ReadonlyArray<string | RegExp> = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'kubectl.kubernetes.io/restartedAt',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.daemonset.template.generation',
  'autoscaling.alpha.kubernetes.io/conditions',
  'autoscaling.alpha.kubernetes.io/current-metrics',
  'endpoints.kubernetes.io/last-change-trigger-time',
  'control-plane.alpha.kubernetes.io/leader',
  /^pv\.kubernetes\.io\//,
  /^volume\.beta\.kubernetes\.io\/storage-provisioner$/,
  /^volume\.kubernetes\.io\/(storage-provisioner|selected-node)$/,
  /^kapp\.k14s\.io\//,
  /^meta\.helm\.sh\//,
];

const STRIPPED_LABELS: ReadonlyArray<string | RegExp> = [
  /^kapp\.k14s\.io\//,
];

/**
 * Keys the GitOps engines write on what they sync, in every tracking mode they offer, and the
 * annotations their CLIs set to ask for a sync:
 * - Argo CD: annotation tracking `argocd.argoproj.io/tracking-id` (3.x default), label tracking
 *   `app.kubernetes.io/instance` (2.x default) or a custom `argocd.argoproj.io/instance` label,
 *   `installation-id`, and `argocd.argoproj.io/refresh` (`argocd app get --refresh`, also on
 *   ApplicationSets as `application-set-refresh`);
 * - Flux: the ownership labels `kustomize.toolkit.fluxcd.io/name|namespace` and any other
 *   `kustomize.toolkit.fluxcd.io/*` key, and `reconcile.fluxcd.io/*` (`flux reconcile`).
 * Git may set some of them too (`app.kubernetes.io/instance` is a common label, the cluster base
 * sets `kustomize.toolkit.fluxcd.io/prune`): a key is only left out of the live object when the
 * desired object does not declare it, so a change to a value Git sets is still drift.
 */
const ENGINE_ANNOTATIONS: ReadonlyArray<string | RegExp> = [
  /^argocd\.argoproj\.io\/(tracking-id|instance|installation-id|refresh|hydrate|application-set-refresh)$/,
  /^kustomize\.toolkit\.fluxcd\.io\//,
  /^reconcile\.fluxcd\.io\//,
];

const ENGINE_LABELS: ReadonlyArray<string | RegExp> = [
  'app.kubernetes.io/instance',
  /^argocd\.argoproj\.io\/instance$/,
  /^kustomize\.toolkit\.fluxcd\.io\//,
];

function matches(key: string, patterns: ReadonlyArray<string | RegExp>): boolean {
  return patterns.some((p) => (typeof p === 'string' ? p === key : p.test(key)));
}

function cleanMap(map: unknown, patterns: ReadonlyArray<string | RegExp>): Record<string, unknown> | undefined {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) if (!matches(k, patterns)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** `map` without the engine keys that `declared` (the desired object's map) does not set. */
function withoutEngineKeys(map: Record<string, unknown> | undefined, declared: unknown, patterns: ReadonlyArray<string | RegExp>): Record<string, unknown> | undefined {
  if (!map) return undefined;
  const set = typeof declared === 'object' && declared !== null ? (declared as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) if (k in set || !matches(k, patterns)) out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/** Whether a GitOps engine writes this annotation key (tracking, sync requests) when Git does not. */
export function isEngineAnnotation(key: string): boolean {
  return matches(key, ENGINE_ANNOTATIONS);
}

/** Whether a GitOps engine writes this label key (tracking) when Git does not. */
export function isEngineLabel(key: string): boolean {
  return matches(key, ENGINE_LABELS);
}

/** Tool/controller annotations removed from a map (pod templates carry `restartedAt` too). */
export function stripToolAnnotations(annotations: unknown): Record<string, unknown> | undefined {
  return cleanMap(annotations, STRIPPED_ANNOTATIONS);
}


/**
 * A deep copy of `obj` without server metadata and status. `declared` is the desired object
 * of the pair: finalizers and ownerReferences are kept only when it has them.
 */
export function stripServerFields(obj: KubeObject, declared?: KubeObject): KubeObject {
  // Copy what is compared only: metadata is rebuilt below, status dropped (both often large).
  const copy = {} as Record<string, unknown> & KubeObject;
  for (const key in obj) if (key !== 'metadata' && key !== 'status') copy[key] = cloneJson(obj[key]);
  const meta = obj.metadata;
  const metadata: Record<string, unknown> = { name: meta.name };
  if (meta.namespace) metadata.namespace = meta.namespace;
  const reference = declared?.metadata ?? meta;
  const labels = withoutEngineKeys(cleanMap(meta.labels, STRIPPED_LABELS), reference.labels, ENGINE_LABELS);
  if (labels) metadata.labels = cloneJson(labels);
  const annotations = withoutEngineKeys(stripToolAnnotations(meta.annotations), reference.annotations, ENGINE_ANNOTATIONS);
  if (annotations) metadata.annotations = cloneJson(annotations);
  for (const key of ['finalizers', 'ownerReferences'] as const) {
    if (reference[key] !== undefined && meta[key] !== undefined) metadata[key] = cloneJson(meta[key]);
  }
  copy.metadata = metadata as KubeObject['metadata'];
  stripTemplateAnnotations(copy);
  return copy;
}

/** `restartedAt` and friends in pod templates (`spec.template.metadata.annotations`). */
function stripTemplateAnnotations(obj: Record<string, unknown>): void {
  const templates: unknown[] = [];
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (spec && typeof spec === 'object') {
    templates.push(spec.template);
    const jobTemplate = spec.jobTemplate as { spec?: { template?: unknown } } | undefined;
    templates.push(jobTemplate?.spec?.template);
  }
  for (const t of templates) {
    const meta = (t as { metadata?: Record<string, unknown> } | undefined)?.metadata;
    if (!meta || typeof meta !== 'object' || meta.annotations === undefined) continue;
    const cleaned = stripToolAnnotations(meta.annotations);
    if (cleaned) meta.annotations = cleaned;
    else delete meta.annotations;
  }
}
