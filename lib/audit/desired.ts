/**
 * The desired side of one cluster: the objects under `generated/<cluster>/`, in segments of one
 * kind and one folder each. The GitOps bootstrap folders (`argocd/`, `flux/`) belong to one engine
 * each, and a cluster runs one of them: only the folder of the cluster's engine is expected, so a
 * Flux cluster does not report the Argo CD objects as missing. The engine is the one fleet.ts
 * names, else the only one whose kinds the cluster serves; with both (or neither) served it is
 * unknown and both folders are optional: compared where live, never missing (optionalObjects).
 *
 * Segments, because at fleet scale the desired state of a cluster is large: a segment's objects
 * are produced when the auditor lists its kind (from the desired-state cache, parsed then), and
 * let go once the kind is compared, so nothing holds a whole cluster's desired objects.
 */
import type { ManifestDoc } from '../validate/findings.ts';
import type { ManifestText } from '../io/read-manifests-parallel.ts';
import { groupOf, type KubeObject } from '../model/resource.ts';
import { GITOPS_ENGINES, type GitOpsEngine } from '../model/gitops-engine.ts';

/** Desired objects of one kind (any API version) in one folder of generated/<cluster>/. */
export interface DesiredSegment {
  /** The engine whose bootstrap folder holds them; undefined for the cluster's own objects. */
  readonly engine?: GitOpsEngine;
  /** API version of the segment's first object (the version generated/ uses). */
  readonly apiVersion: string;
  readonly kind: string;
  readonly count: number;
  /** Namespaces its objects are in, sorted: tenant namespaces are known before any segment is loaded. */
  readonly namespaces: readonly string[];
  /**
   * Hash of the segment's objects as cached (lib/workspace/desired-state.ts); undefined when they
   * were not cached. Equal digests, equal objects: what lets an audit reuse the verdicts of the
   * last one (lib/audit/in-sync.ts) without parsing the objects.
   */
  readonly digest?: string;
  /**
   * Its objects as JSON text (`JSON.stringify` of `objects()`), when it was read as text
   * (desiredClusterFromTexts): what the desired-state cache stores, without making objects of it
   * first: UTF-8, joined on each call, so only the segment being stored is ever whole in memory.
   */
  readonly json?: () => Buffer;
  /** Its objects; from the cache, a fresh copy on each call, so the caller decides how long they live. */
  objects(): readonly KubeObject[];
}

export interface DesiredCluster {
  readonly segments: readonly DesiredSegment[];
  /**
   * Lets go of what the segments read from (the desired-state cache's open file); no segment's
   * objects may be asked for after. The auditor calls it when the cluster is done.
   */
  readonly close?: () => void;
}

/** The kind whose being served tells that an engine is installed. */
export const ENGINE_KIND: Readonly<Record<GitOpsEngine, { readonly group: string; readonly kind: string }>> = {
  argocd: { group: 'argoproj.io', kind: 'ApplicationSet' },
  flux: { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' },
};

const isEngineFolder = (folder: string): folder is GitOpsEngine => (GITOPS_ENGINES as readonly string[]).includes(folder);

/** `items` grouped by kind (its group and kind: any API version), in first-seen order. */
function byKind<T>(items: readonly T[], typeOf: (item: T) => { readonly apiVersion: string; readonly kind: string }): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const { apiVersion, kind } = typeOf(item);
    const k = `${groupOf(apiVersion)}/${kind}`;
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/** Segments holding `objects`, grouped by folder (`engine`) and kind, in first-seen order. */
export function segmentsOf(objects: readonly KubeObject[], engine?: GitOpsEngine): DesiredSegment[] {
  return byKind(objects, (o) => o).map((list) => heldSegment(list, engine));
}

/** A segment over objects already in memory. */
export function heldSegment(objects: readonly KubeObject[], engine?: GitOpsEngine): DesiredSegment {
  const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))].sort();
  return { ...(engine ? { engine } : {}), apiVersion: objects[0].apiVersion, kind: objects[0].kind, count: objects.length, namespaces, objects: () => objects };
}

const [OPEN, COMMA, CLOSE] = ['[', ',', ']'].map((c) => Buffer.from(c));

/** A segment over the JSON texts of its objects: parsed when its objects are asked for, each time. */
function textSegment(texts: readonly ManifestText[], engine?: GitOpsEngine): DesiredSegment {
  const namespaces = [...new Set(texts.map((t) => t.namespace).filter((n): n is string => !!n))].sort();
  const json = () => Buffer.concat([OPEN, ...texts.flatMap((t, i) => (i ? [COMMA, t.json] : [t.json])), CLOSE]);
  return { ...(engine ? { engine } : {}), apiVersion: texts[0].apiVersion, kind: texts[0].kind, count: texts.length, namespaces, json, objects: () => JSON.parse(json().toString('utf8')) as KubeObject[] };
}

/** The items of generated/<cluster>/ by folder: the cluster's own, and each engine's bootstrap folder. */
function byFolder<T extends { readonly file: string }>(items: readonly T[], cluster: string): { own: T[]; engines: Map<GitOpsEngine, T[]> } {
  const own: T[] = [];
  const engines = new Map<GitOpsEngine, T[]>();
  for (const item of items) {
    const parts = item.file.split('/');
    const at = parts.indexOf(cluster);
    if (at < 0) continue;
    const folder = parts[at + 1];
    if (!isEngineFolder(folder)) own.push(item);
    else if (engines.has(folder)) engines.get(folder)!.push(item);
    else engines.set(folder, [item]);
  }
  return { own, engines };
}

/** `docs` read from `generated/<cluster>/` with paths relative to the repository root. */
export function desiredCluster(docs: readonly ManifestDoc[], cluster: string): DesiredCluster {
  const { own, engines } = byFolder(docs, cluster);
  const objects = (list: readonly ManifestDoc[]) => list.map((d) => d.object);
  return { segments: [...segmentsOf(objects(own)), ...[...engines].flatMap(([engine, list]) => segmentsOf(objects(list), engine))] };
}

/**
 * desiredCluster of documents read as text (readManifestTextsParallel): the same segments, in the
 * same order, each with its `json`, none parsed until asked for.
 */
export function desiredClusterFromTexts(texts: readonly ManifestText[], cluster: string): DesiredCluster {
  const { own, engines } = byFolder(texts, cluster);
  const segments = (list: readonly ManifestText[], engine?: GitOpsEngine) => byKind(list, (t) => t).map((group) => textSegment(group, engine));
  return { segments: [...segments(own), ...[...engines].flatMap(([engine, list]) => segments(list, engine))] };
}

/**
 * The engine that syncs the cluster: `declared` (fleet.ts) when set, else the only engine whose
 * kind the cluster serves; undefined when it serves both or neither.
 */
export function resolveEngine(declared: GitOpsEngine | undefined, served: ReadonlyArray<{ readonly group: string; readonly kind: string }>): GitOpsEngine | undefined {
  if (declared) return declared;
  const installed = GITOPS_ENGINES.filter((e) => served.some((r) => r.group === ENGINE_KIND[e].group && r.kind === ENGINE_KIND[e].kind));
  return installed.length === 1 ? installed[0] : undefined;
}

/** Segments of generated/<cluster>/ plus those of the folder of the cluster's engine, if known. */
export function expectedSegments(loaded: DesiredCluster, engine: GitOpsEngine | undefined): DesiredSegment[] {
  return loaded.segments.filter((s) => !s.engine || s.engine === engine);
}

/**
 * With no engine known (fleet.ts names none and the cluster serves both engines' kinds, or
 * neither), every engine folder's segments: compared where they are live, never missing where
 * not, since either engine, or none, may be the one that applies this cluster.
 */
export function optionalSegments(loaded: DesiredCluster, engine: GitOpsEngine | undefined): DesiredSegment[] {
  return engine ? [] : loaded.segments.filter((s) => !!s.engine);
}

/** The objects of expectedSegments. */
export function expectedObjects(loaded: DesiredCluster, engine: GitOpsEngine | undefined): KubeObject[] {
  return expectedSegments(loaded, engine).flatMap((s) => s.objects());
}

/** The objects of optionalSegments. */
export function optionalObjects(loaded: DesiredCluster, engine: GitOpsEngine | undefined): KubeObject[] {
  return optionalSegments(loaded, engine).flatMap((s) => s.objects());
}
