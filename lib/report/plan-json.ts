/**
 * A plan as JSON for tools: a versioned envelope around the Plan's data shape. Version 1 fields:
 * `version`, `base`, `head`, `summary`, `risks`, `groups[].changes[]` (with `diff` unless
 * `diffs: false`), `problems`, `notes`. Fields are only ever added within a version.
 */
import type { Plan } from '../plan/types.ts';

export const PLAN_JSON_VERSION = 1;

export interface PlanJsonOptions {
  /** Include each object's unified diff. @default true */
  readonly diffs?: boolean;
}

export function renderPlanJson(plan: Plan, options: PlanJsonOptions = {}): string {
  const diffs = options.diffs ?? true;
  const groups = diffs ? plan.groups : plan.groups.map((g) => ({ ...g, changes: g.changes.map(({ diff: _diff, ...rest }) => rest) }));
  const envelope = {
    version: PLAN_JSON_VERSION,
    base: plan.base ?? null,
    head: plan.head ?? null,
    summary: plan.summary,
    risks: plan.risks,
    groups,
    problems: plan.problems,
    notes: plan.notes,
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}
