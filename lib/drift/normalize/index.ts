/**
 * Normalization of one desired/live pair, in order: strip server metadata and status from both
 * sides (metadata.ts), then fill built-in defaults (defaults.ts) and CRD defaults
 * (crd-defaults.ts) into desired. `declared` keeps the desired object before defaulting, so the
 * engine can tell a field desired declares from one it only gets by default.
 */
import type { KubeObject } from '../../model/resource.ts';
import { fillCrdDefaults, type CrdIndex } from './crd-defaults.ts';
import { fillBuiltinDefaults } from './defaults.ts';
import { stripServerFields } from './metadata.ts';
import { cloneJson } from './clone.ts';

export interface NormalizedPair {
  /** Desired, stripped, with defaults. */
  readonly desired: KubeObject;
  /**
   * Desired as written (Secret stringData folded into data), not defaulted: what it declares.
   * Not stripped: what stripping drops is dropped from both compared sides, so no difference
   * is ever at such a path.
   */
  readonly declared: KubeObject;
  /** Live, stripped. */
  readonly live: KubeObject;
}

/** StatefulSet claim templates carry an embedded `status` (phase Pending) nobody declares. */
function stripEmbeddedStatus(obj: KubeObject): void {
  const claims = (obj.spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates;
  if (!Array.isArray(claims)) return;
  for (const c of claims) if (c && typeof c === 'object') delete (c as Record<string, unknown>).status;
}

export function normalizePair(desired: KubeObject, live: KubeObject, crds: CrdIndex): NormalizedPair {
  const strippedDesired = stripServerFields(desired);
  const strippedLive = stripServerFields(live, desired);
  stripEmbeddedStatus(strippedDesired);
  stripEmbeddedStatus(strippedLive);
  // Declared keeps only the representation change of Secrets (stringData -> data), not defaults;
  // taken before the stripped copy is defaulted in place.
  const declared = desired.kind === 'Secret' && desired.apiVersion === 'v1' ? secretAsStored(strippedDesired) : desired;
  const defaulted = fillCrdDefaults(fillBuiltinDefaults(strippedDesired, live), crds);
  return { desired: defaulted, declared, live: strippedLive };
}

function secretAsStored(secret: KubeObject): KubeObject {
  const copy = cloneJson(secret) as KubeObject & { data?: Record<string, string>; stringData?: Record<string, unknown> };
  if (copy.stringData && typeof copy.stringData === 'object') {
    copy.data = { ...(copy.data ?? {}) };
    for (const [k, v] of Object.entries(copy.stringData)) copy.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete copy.stringData;
  }
  return copy;
}
