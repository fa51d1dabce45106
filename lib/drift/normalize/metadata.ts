/**
 * What of an object is compared: everything but server bookkeeping.
 *
 * Kept: apiVersion, kind, metadata.name/namespace/labels/annotations (minus the tool and
 * controller keys below), metadata.finalizers/ownerReferences only when desired declares them,
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
  /^argocd\.argoproj\.io\/(tracking-id|instance)$/,
];

const STRIPPED_LABELS: ReadonlyArray<string | RegExp> = [
  /^kustomize\.toolkit\.fluxcd\.io\/(name|namespace)$/,
  /^kapp\.k14s\.io\//,
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

/** Tool/controller annotations removed from a map (pod templates carry `restartedAt` too). */
export function stripToolAnnotations(annotations: unknown): Record<string, unknown> | undefined {
  return cleanMap(annotations, STRIPPED_ANNOTATIONS);
}

export function isToolAnnotation(key: string): boolean {
  return matches(key, STRIPPED_ANNOTATIONS);
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
  const labels = cleanMap(meta.labels, STRIPPED_LABELS);
  if (labels) metadata.labels = cloneJson(labels);
  const annotations = stripToolAnnotations(meta.annotations);
  if (annotations) metadata.annotations = cloneJson(annotations);
  const reference = declared?.metadata ?? meta;
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
