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

/** Answers per pattern list and key: the same few label and annotation keys come on every object of a fleet. */
const answers = new WeakMap<ReadonlyArray<string | RegExp>, Map<string, boolean>>();
/** Keys remembered per pattern list, at most (a bound for annotation keys that differ per object). */
const REMEMBERED = 4096;

function matches(key: string, patterns: ReadonlyArray<string | RegExp>): boolean {
  let known = answers.get(patterns);
  if (!known) answers.set(patterns, (known = new Map()));
  let answer = known.get(key);
  if (answer === undefined) {
    answer = patterns.some((p) => (typeof p === 'string' ? p === key : p.test(key)));
    if (known.size < REMEMBERED) known.set(key, answer);
  }
  return answer;
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
  return cloneJson(stripServerFieldsShared(obj, declared));
}

/**
 * `obj` without server metadata and status, sharing every subtree of `obj` it does not change
 * (paths to what it strips are copied on the way, `obj` is never written). For the live side of
 * a pair, which is only read after: live objects are the bulk of an audit, and copying them was
 * most of the cost of comparing an object in sync.
 */
export function stripServerFieldsShared(obj: KubeObject, declared?: KubeObject): KubeObject {
  const copy = {} as Record<string, unknown> & KubeObject;
  for (const key in obj) if (key !== 'metadata' && key !== 'status') copy[key] = obj[key];
  const meta = obj.metadata;
  const metadata: Record<string, unknown> = { name: meta.name };
  if (meta.namespace) metadata.namespace = meta.namespace;
  const reference = declared?.metadata ?? meta;
  const labels = withoutEngineKeys(cleanMap(meta.labels, STRIPPED_LABELS), reference.labels, ENGINE_LABELS);
  if (labels) metadata.labels = labels;
  const annotations = withoutEngineKeys(stripToolAnnotations(meta.annotations), reference.annotations, ENGINE_ANNOTATIONS);
  if (annotations) metadata.annotations = annotations;
  for (const key of ['finalizers', 'ownerReferences'] as const) {
    if (reference[key] !== undefined && meta[key] !== undefined) metadata[key] = meta[key];
  }
  copy.metadata = metadata as KubeObject['metadata'];
  const spec = copy.spec as Record<string, unknown> | undefined;
  if (spec && typeof spec === 'object') {
    let specCopy: Record<string, unknown> | undefined;
    const template = withoutTemplateAnnotations(spec.template);
    if (template !== spec.template) (specCopy ??= { ...spec }).template = template;
    const jobTemplate = spec.jobTemplate as { spec?: Record<string, unknown> } | undefined;
    const jobSpec = jobTemplate?.spec;
    const jobPodTemplate = withoutTemplateAnnotations(jobSpec?.template);
    if (jobPodTemplate !== jobSpec?.template) (specCopy ??= { ...spec }).jobTemplate = { ...jobTemplate, spec: { ...jobSpec, template: jobPodTemplate } };
    if (specCopy) copy.spec = specCopy;
  }
  return copy;
}

/** A pod template without tool annotations (`restartedAt` and friends), copied where they were; the same template when it has none. */
function withoutTemplateAnnotations(template: unknown): unknown {
  const meta = (template as { metadata?: Record<string, unknown> } | undefined)?.metadata;
  if (!meta || typeof meta !== 'object' || meta.annotations === undefined) return template;
  const cleaned = stripToolAnnotations(meta.annotations);
  const copy: Record<string, unknown> = {};
  for (const key in meta) if (key !== 'annotations') copy[key] = meta[key];
  else if (cleaned) copy[key] = cleaned;
  return { ...(template as Record<string, unknown>), metadata: copy };
}

