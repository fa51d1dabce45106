/**
 * Hand edits of objects that controllers make from ours: the Secret External Secrets writes from
 * an ExternalSecret, the Pods of a Deployment, the Services CloudNativePG makes. They are not in
 * generated/, so there is no desired value to compare with; but managedFields say who wrote each
 * field, and a field last written by a person (`kubectl edit`, `kubectl patch`, a dashboard) is
 * drift the owning controller may or may not undo. Only the `human` class counts here: unknown
 * managers on derived objects are usually the controller's own client.
 */
import type { KubeObject } from '../model/resource.ts';
import { keyOf } from '../model/resource.ts';
import type { ManagerClassifier } from './attribution.ts';
import { isSecretValuePath, maskCredentialChanges, maskSecretValue } from './mask.ts';
import { ownedLeaves } from './managed-fields.ts';
import { formatPath, valueAt } from './path.ts';
import type { Change } from './types.ts';

/** Annotations kubectl writes for its own bookkeeping: not anybody's configuration. */
const BOOKKEEPING = new Set(['metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]']);

/** Fields of a controller-made object whose owner is a person, as changes with no desired value. */
/** @param digestKey key of secret digests (see mask.ts). */
export function handEdits(live: KubeObject, managers: ManagerClassifier, digestKey?: string): Change[] {
  const changes = new Map<string, Change>();
  for (const leaf of ownedLeaves(live)) {
    if (managers.classify(leaf.owner.manager) !== 'human' || managers.isApplier(leaf.owner.manager)) continue;
    const path = formatPath(leaf.path);
    if (BOOKKEEPING.has(path)) continue;
    const value = valueAt(live, leaf.path);
    if (value === undefined) continue;
    const previous = changes.get(path)?.changedBy;
    if (previous?.time && leaf.owner.time && previous.time > leaf.owner.time) continue;
    changes.set(path, { path, desired: undefined, live: value, changedBy: leaf.owner });
  }
  const sorted = [...changes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const key = keyOf(live);
  if (key.group !== '' || key.kind !== 'Secret') return maskCredentialChanges(sorted, digestKey);
  // Only the live side exists; mask it as the engine masks Secrets (see mask.ts).
  return sorted.map((c) => (isSecretValuePath(c.path) ? { ...c, path: c.path.replace(/^stringData/, 'data'), live: maskSecretValue(c.live, digestKey) } : c));
}
