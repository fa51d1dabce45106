/**
 * `--server-dry-run`: confirms a suspected drift by asking the API server what applying Git's
 * object would do. A server-side apply dry-run (field manager `tenantctl`, force) of the desired
 * object returns the object as it would be stored; if that differs from the live object in
 * anything but server bookkeeping, a sync would change the cluster: the drift is `confirmed`.
 *
 * Not confirmed does not mean not drift: server-side apply never removes fields that another
 * manager owns (an env var added with `kubectl edit`), which is exactly the drift three-way tools
 * miss; the finding stays in the report, marked `confirmed: false`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../model/resource.ts';
import type { ApplyOptions, RawResponse } from '../live/kube-client.ts';

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

/**
 * True when a dry-run apply of `desired` would change `live`; false when it would not; throws
 * when the server refuses the dry-run (no patch permission, invalid object).
 */
export async function confirmDrift(client: DryRunApplier, desired: KubeObject, live: KubeObject): Promise<boolean> {
  const res = await client.apply(desired, { dryRun: true, force: true, fieldManager: 'tenantctl' });
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`server-side dry-run of ${desired.kind}/${desired.metadata.namespace ? `${desired.metadata.namespace}/` : ''}${desired.metadata.name} answered ${res.status}: ${res.body.slice(0, 300)}; ` +
      '--server-dry-run needs patch permission on the audited kinds');
  }
  const applied = JSON.parse(res.body) as KubeObject;
  return !isDeepStrictEqual(comparable(applied), comparable({ ...live, apiVersion: applied.apiVersion, kind: applied.kind }));
}
