/**
 * The GitOps engine that applies `generated/<cluster>/` to a cluster. What counts as drift, and
 * what the engine's next sync undoes, depends on which one it is, so the fleet names it per
 * cluster and the audit report carries it to every reader (reports, pull requests).
 */

export const GITOPS_ENGINES = ['flux', 'argocd'] as const;
export type GitOpsEngine = (typeof GITOPS_ENGINES)[number];

/** The field manager each engine applies with (server-side apply). */
export const ENGINE_FIELD_MANAGER: Readonly<Record<GitOpsEngine, string>> = {
  flux: 'kustomize-controller',
  argocd: 'argocd-controller',
};

/**
 * Whether the engine's next sync removes a field that Git does not set and that `manager` owns.
 *
 * kustomize-controller drops the managedFields entries of managers whose names start with
 * `kubectl` (Apply and Update) and of `before-first-apply` before it applies with force, so their
 * fields disappear at the next reconcile; fields of any other manager stay. Argo CD's server-side
 * sync never takes fields away from other managers.
 */
export function syncRemovesFieldsOf(engine: GitOpsEngine, manager: string): boolean {
  if (engine === 'argocd') return false;
  return manager.startsWith('kubectl') || manager === 'before-first-apply';
}
