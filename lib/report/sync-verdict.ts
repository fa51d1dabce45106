/**
 * What each GitOps engine's next sync does to a `modified` finding, in words, for every format:
 * the verdicts differ (Flux removes `kubectl*` managers' fields, Argo CD does not), so the report
 * names the engines when they disagree.
 */
import type { AuditFinding } from '../audit/types.ts';

const ENGINE_NAMES = { flux: 'Flux', argocd: 'Argo CD' } as const;

/** E.g. `Flux's sync reverts it, Argo CD's does not`; undefined without a per-engine verdict or when both agree. */
export function perEngineVerdict(f: AuditFinding): string | undefined {
  const by = f.confirmedBy;
  if (!by || by.flux === by.argocd) return undefined;
  const [yes, no] = by.flux ? ['flux', 'argocd'] as const : ['argocd', 'flux'] as const;
  return `${ENGINE_NAMES[yes]}'s sync reverts it, ${ENGINE_NAMES[no]}'s does not`;
}
