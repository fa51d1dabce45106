/**
 * The audit's side of the recoverability evidence (lib/evidence): keeps the status of the kinds
 * that carry evidence while the cluster is listed, then evaluates every tenant environment placed
 * on the cluster and turns unwaived violations into `evidence` findings.
 */
import { evaluateEvidence, evidenceProjection } from '../evidence/evaluate.ts';
import type { EvidenceTarget } from '../evidence/context.ts';
import type { EnvironmentEvidence } from '../evidence/types.ts';
import type { KubeObject } from '../model/resource.ts';
import type { AuditFinding } from './types.ts';

export interface AuditEvidenceOptions {
  /** Tenant environments placed on the cluster, with their promises and tier thresholds (lib/evidence/targets.ts). */
  readonly targets: readonly EvidenceTarget[];
  /** The audit's clock: ages and expiries are measured against it. */
  readonly now: Date;
}

/** Collects what evidence needs from each listed page, then judges. */
export class EvidenceCollector {
  private readonly kept: KubeObject[] = [];

  constructor(private readonly options: AuditEvidenceOptions) {}

  offer(objects: readonly KubeObject[]): void {
    for (const o of objects) {
      const p = evidenceProjection(o);
      if (p) this.kept.push(p);
    }
  }

  evaluate(): { recoverability: EnvironmentEvidence[]; findings: AuditFinding[] } {
    const recoverability = evaluateEvidence({ targets: this.options.targets, objects: this.kept, now: this.options.now });
    return { recoverability, findings: evidenceFindings(recoverability) };
  }
}

/** Unwaived violations as findings, on the object whose status disproves the promise. */
export function evidenceFindings(environments: readonly EnvironmentEvidence[]): AuditFinding[] {
  return environments.flatMap((e) =>
    e.checks
      .filter((c) => c.verdict === 'violated' && !c.waived)
      .map((c): AuditFinding => ({ type: 'evidence', tenant: e.tenant, environment: e.environment, resource: c.source.resource, evidence: c })),
  );
}
