/**
 * `--server-dry-run`: confirms a suspected drift by asking the API server what the GitOps engine's
 * next sync would do. A server-side apply dry-run (the engine's field manager, force) of the
 * desired object returns the object as it would be stored; if that differs from the live object
 * in anything but server bookkeeping, a sync would change the cluster: the drift is `confirmed`.
 *
 * What a sync reverts depends on the engine: server-side apply never removes fields that another
 * manager owns (an env var added with `kubectl edit`), so Argo CD leaves them, while Flux's
 * kustomize-controller first takes `kubectl*` managers' fields over and so removes them. Not
 * confirmed does not mean not drift; the finding stays in the report, marked `confirmed: false`.
 */
import { isDeepStrictEqual } from 'node:util';
import { formatKey, keyOf, type KubeObject } from '../model/resource.ts';
import type { ApplyOptions, RawResponse } from '../live/kube-client.ts';
import type { Change } from '../drift/types.ts';
import { isEngineAnnotation, isEngineLabel } from '../drift/normalize/metadata.ts';
import { ENGINE_FIELD_MANAGER, GITOPS_ENGINES, syncRemovesFieldsOf, type GitOpsEngine } from '../model/gitops-engine.ts';

/** What of KubeClient the confirmation needs. */
export interface DryRunApplier {
  apply(object: KubeObject, options?: ApplyOptions): Promise<RawResponse>;
}

/** The object without what the server rewrites on every write. */
function comparable(o: KubeObject): unknown {
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = o.metadata as Record<string, unknown>;
  const { status: _s, ...rest } = o as unknown as Record<string, unknown>;
  return { ...rest, metadata };
}

/** The verdicts of `--server-dry-run` on one `modified` finding. */
export interface Confirmation {
  /** Whether the next sync of the cluster's engine reverts the drift (both engines' when unknown). */
  readonly confirmed: boolean;
  /** Per engine: whether its next sync reverts the drift. */
  readonly confirmedBy: Readonly<Record<GitOpsEngine, boolean>>;
}

/**
 * Whether each engine's next sync reverts the drift `changes` describe. Per engine, a server-side
 * apply dry-run of `desired` with the engine's field manager (force) tells whether the sync changes
 * the object: fields Git sets go back, fields the engine applied before and Git dropped go away.
 * Flux also drops the fields of `kubectl*` managers before it applies (syncRemovesFieldsOf), which a
 * dry-run cannot show: a change such a manager owns is reverted on Flux, not on Argo CD.
 * Throws when the server refuses a dry-run (no patch permission, invalid object).
 */
export async function confirmDrift(client: DryRunApplier, desired: KubeObject, live: KubeObject, changes: readonly Change[], engine?: GitOpsEngine): Promise<Confirmation> {
  const by = {} as Record<GitOpsEngine, boolean>;
  const synced = withEngineKeys(desired, live);
  for (const e of GITOPS_ENGINES) {
    const removesOwned = changes.some((c) => c.changedBy !== undefined && c.live !== undefined && syncRemovesFieldsOf(e, c.changedBy.manager));
    by[e] = removesOwned || (await dryRunChanges(client, synced, live, ENGINE_FIELD_MANAGER[e]));
  }
  return { confirmed: engine ? by[engine] : GITOPS_ENGINES.every((e) => by[e]), confirmedBy: by };
}

/**
 * `desired` with the engines' tracking labels and annotations the live object carries and Git
 * does not set: the engine adds them on every sync, so applying without them would count their
 * removal as a change the sync makes.
 */
function withEngineKeys(desired: KubeObject, live: KubeObject): KubeObject {
  const pick = (map: Record<string, string> | undefined, own: Record<string, string> | undefined, is: (k: string) => boolean) => {
    const extra = Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => is(k) && !(own && k in own)));
    return Object.keys(extra).length ? { ...own, ...extra } : own;
  };
  const labels = pick(live.metadata.labels, desired.metadata.labels, isEngineLabel);
  const annotations = pick(live.metadata.annotations, desired.metadata.annotations, isEngineAnnotation);
  return { ...desired, metadata: { ...desired.metadata, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

/**
 * True when a dry-run apply of `desired` as `fieldManager` would change `live`; false when it
 * would not; throws when the server refuses the dry-run.
 */
async function dryRunChanges(client: DryRunApplier, desired: KubeObject, live: KubeObject, fieldManager: string): Promise<boolean> {
  const res = await client.apply(desired, { dryRun: true, force: true, fieldManager });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`server-side dry-run of ${formatKey(keyOf(desired))} answered ${res.status}: ${res.body.slice(0, 300)}; ` +
      '--server-dry-run needs patch permission on the audited kinds');
  }
  const applied = JSON.parse(res.body) as KubeObject;
  return !isDeepStrictEqual(comparable(applied), comparable({ ...live, apiVersion: applied.apiVersion, kind: applied.kind }));
}
