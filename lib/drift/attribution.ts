/**
 * Who changed a field, and whether a difference is drift.
 *
 * Field managers fall in three classes: `human` (kubectl and UIs: someone did it by hand),
 * `controller` (Kubernetes and operators; includes the appliers of generated/), `unknown`
 * (scripts, SDK defaults such as `Go-http-client`: treated like humans).
 *
 * Rules (see judgeChange):
 * - a field desired declares is drift whenever it differs, whoever wrote it;
 * - a field desired does not declare (absent, or only a default) is drift when a human or unknown
 *   manager owns the live value, or an applier owns that very field through server-side Apply
 *   (removed from generated/, not pruned yet), or only an applier's `Update` entry owns it on an
 *   object the applier now applies server-side (a leftover of client-side apply); fields owned by nobody (server defaults, admission)
 *   or only by controllers (HPA replicas, VPA) are not;
 * - without managedFields nothing can be attributed: undeclared live fields are not reported.
 */
import { globToRegExp } from '../model/glob.ts';
import type { ManagedFieldsIndex } from './managed-fields.ts';
import type { Segment } from './path.ts';
import type { ChangedBy, ManagerRules } from './types.ts';

export type ManagerClass = 'human' | 'controller' | 'unknown';

const HUMANS = ['kubectl', 'kubectl-*', 'k9s', 'k9s-*', 'lens', 'lens-*', 'openlens', 'openlens-*', 'headlamp', 'headlamp-*',
  'mozilla', 'mozilla/*', 'dashboard', 'kubernetes-dashboard', 'rancher', 'octant', 'kubenav', 'aptakube', 'monokle'];

const CONTROLLERS = ['kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-apiserver', 'cloud-controller-manager',
  'endpointslice-controller', 'endpointslicemirroring-controller', 'resourcequota-controller', 'garbage-collector',
  'argocd-controller', 'argocd-application-controller', 'kustomize-controller', 'helm-controller', 'source-controller',
  'cloudnative-pg', 'cnpg-*', 'plugin-barman-cloud', 'barman-cloud', 'external-secrets', 'external-secrets-*',
  'cert-manager', 'cert-manager-*', 'traefik', 'velero', 'velero-*', 'prometheus-operator', 'vpa-*',
  'cluster-autoscaler', 'tenantctl',
  // controller-runtime's default manager name is the binary's, `manager` for most operators (CNPG).
  'manager'];

const APPLIERS = ['tenantctl', 'argocd-controller', 'kustomize-controller'];

/** Field-manager names compare without case, as kubectl's and controllers' spellings vary. */
const managerGlob = (glob: string): RegExp => globToRegExp(glob, { ignoreCase: true });

export interface ManagerClassifier {
  classify(manager: string): ManagerClass;
  isApplier(manager: string): boolean;
}

export function managerClassifier(rules: ManagerRules = {}): ManagerClassifier {
  // Names given in options win over the built-in lists; appliers count as controllers.
  const table: Array<[RegExp, ManagerClass]> = [
    ...(rules.appliers ?? []).map((g): [RegExp, ManagerClass] => [managerGlob(g), 'controller']),
    ...(rules.humans ?? []).map((g): [RegExp, ManagerClass] => [managerGlob(g), 'human']),
    ...(rules.controllers ?? []).map((g): [RegExp, ManagerClass] => [managerGlob(g), 'controller']),
    ...CONTROLLERS.map((g): [RegExp, ManagerClass] => [managerGlob(g), 'controller']),
    ...HUMANS.map((g): [RegExp, ManagerClass] => [managerGlob(g), 'human']),
  ];
  const appliers = (rules.appliers ?? APPLIERS).map(managerGlob);
  return {
    // User agents such as `Mozilla/5.0 (X11...)` become managers when a UI sets none: match the product too.
    classify: (manager) => {
      const product = manager.split(/[\s/]/, 1)[0];
      return table.find(([re]) => re.test(manager) || re.test(product))?.[1] ?? 'unknown';
    },
    isApplier: (manager) => appliers.some((r) => r.test(manager)),
  };
}

/** The default classification, for reports. */
export function classifyManager(manager: string): ManagerClass {
  return managerClassifier().classify(manager);
}

export interface ChangeContext {
  readonly path: readonly Segment[];
  readonly desired: unknown;
  readonly live: unknown;
  /** Does desired (before defaulting) declare this field? */
  readonly declared: boolean;
}

export interface Judgement {
  readonly drift: boolean;
  readonly changedBy?: ChangedBy;
}

function latest(owners: readonly ChangedBy[]): ChangedBy | undefined {
  // ownersOf sorts oldest first; the last entry with a time is the most recent writer.
  const timed = owners.filter((o) => o.time !== undefined);
  return timed.at(-1) ?? owners.at(-1);
}

function isZeroValue(value: unknown): boolean {
  return value === false || value === 0 || value === '';
}

export function judgeChange(change: ChangeContext, fields: ManagedFieldsIndex, managers: ManagerClassifier): Judgement {
  const owners = change.live === undefined && !change.declared ? [] : fields.ownersOf(change.path);
  if (change.declared) {
    if (change.live === undefined && isZeroValue(change.desired)) {
      // The server drops zero values of omitempty fields (`readOnly: false`) but the applier
      // keeps owning them; a removed field is owned by nobody. Untracked: give the benefit of the doubt.
      if (!fields.tracked || owners.length > 0) return { drift: false };
    }
    const others = owners.filter((o) => !managers.isApplier(o.manager));
    return { drift: true, changedBy: latest(others.length ? others : owners) };
  }
  // Desired does not declare the field: only a default, or nothing.
  if (change.live === undefined || !fields.tracked) return { drift: false };
  // An applier's Apply set holds exactly what it applied: a live-only field it owns by name was
  // dropped from generated/. Owning it only through an atomic list proves nothing (defaults inside).
  const exact = new Set(fields.ownersOf(change.path, true));
  // After a client-side → server-side migration the applier has an Apply entry; a field its old
  // Update entry (client-side apply under the same name) still owns alone was dropped from Git,
  // yet server-side apply never removes it: another manager's field, as far as the server knows.
  const migrated = fields.entries.some((e) => managers.isApplier(e.manager) && e.operation === 'Apply');
  const onlyAppliers = owners.every((o) => managers.isApplier(o.manager));
  const culprits = owners.filter((o) => {
    const kind = managers.classify(o.manager);
    if (kind === 'human' || kind === 'unknown') return !managers.isApplier(o.manager);
    if (!managers.isApplier(o.manager) || !exact.has(o)) return false;
    return o.operation === 'Apply' || (o.operation === 'Update' && migrated && onlyAppliers);
  });
  return culprits.length ? { drift: true, changedBy: latest(culprits) } : { drift: false };
}

/** The manager that created the object: the oldest managedFields entry. */
export function creatorOf(fields: ManagedFieldsIndex): ChangedBy | undefined {
  return fields.entries[0];
}
