/**
 * A plan as terminal text: where the base came from, counts, risky changes first, then each
 * group with its objects (`+` added, `~` changed, `-` removed) and the diffs of changed objects.
 */
import type { ChangeGroup, Plan, PlanSide } from '../plan/types.ts';
import { RISK_TITLES } from '../plan/types.ts';

export interface PlanTextOptions {
  /** Which objects get their diff printed. @default 'changed' */
  readonly diffs?: 'all' | 'changed' | 'none';
}

const SIGN = { added: '+', changed: '~', removed: '-' } as const;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function describeSide(side: PlanSide | undefined): string {
  if (!side) return 'unknown';
  const commit = side.commit ? ` @ ${side.commit.slice(0, 12)}` : '';
  const how = { synthesized: 'synthesized from its own sources', 'committed-generated': 'its committed generated/', 'working-tree': 'synthesized', empty: 'no manifests' }[side.from];
  return `${side.ref}${commit} (${how})`;
}

export function groupTitle(g: ChangeGroup): string {
  if (g.kind === 'cluster') return g.id;
  const where = g.status === 'moved' ? `${g.baseClusters.join(', ')} → ${g.headClusters.join(', ')}` : (g.headClusters.length ? g.headClusters : g.baseClusters).join(', ');
  const source = g.sources.length && g.kind === 'environment' ? ` (${g.sources.join(', ')})` : '';
  return `${g.id}${source} on ${where}`;
}

export function summaryLine(plan: Plan): string {
  const e = plan.summary.environments;
  const o = plan.summary.objects;
  const envs = [
    e.added.length && `${e.added.length} added`,
    e.changed.length && `${e.changed.length} changed`,
    e.moved.length && `${e.moved.length} moved`,
    e.removed.length && `${e.removed.length} removed`,
  ].filter(Boolean);
  return `tenant environments: ${envs.length ? envs.join(', ') : 'none changed'}; objects: ${o.added} to add, ${o.changed} to change, ${o.removed} to remove (${o.unchanged} unchanged)`;
}

function indent(text: string, prefix: string): string[] {
  return text.replace(/\n$/, '').split('\n').map((l) => `${prefix}${l}`);
}

export function renderPlanText(plan: Plan, options: PlanTextOptions = {}): string {
  const diffs = options.diffs ?? 'changed';
  const out: string[] = [`tenantctl plan: ${describeSide(plan.base)} → ${describeSide(plan.head)}`];
  for (const note of plan.notes) out.push(`note: ${note}`);
  for (const p of plan.problems) out.push(`problem: ${p}`);
  if (plan.groups.length === 0) {
    out.push('', 'No changes: both sides produce the same manifests.');
    return `${out.join('\n')}\n`;
  }
  out.push(summaryLine(plan));
  const e = plan.summary.environments;
  if (e.added.length) out.push(`added environments: ${e.added.join(', ')}`);
  if (e.removed.length) out.push(`removed environments: ${e.removed.join(', ')}`);
  for (const m of e.moved) out.push(`moved environment: ${m.id} from ${m.from.join(', ')} to ${m.to.join(', ')}`);
  if (plan.risks.length) {
    out.push('', `Risky changes (${plan.risks.length}):`);
    for (const r of plan.risks) {
      out.push(`  ! ${RISK_TITLES[r.flag]}  ${r.group}${r.subject !== r.group ? `  ${r.subject}` : ''}`);
      out.push(`    ${r.message}`);
    }
  }
  for (const g of plan.groups) {
    const c = g.counts;
    out.push('', `${g.risks.length ? '! ' : ''}${groupTitle(g)}: ${g.status} (${c.added} to add, ${c.changed} to change, ${c.removed} to remove)`);
    for (const ch of g.changes) {
      out.push(`  ${SIGN[ch.action]} ${ch.resource}${ch.risks.length ? `  [${ch.risks.map((r) => r.flag).join(', ')}]` : ''}`);
      if (diffs === 'all' || (diffs === 'changed' && ch.action === 'changed')) out.push(...indent(ch.diff, '      '));
    }
  }
  out.push('', `${plural(plan.summary.objects.added, 'object')} to add, ${plan.summary.objects.changed} to change, ${plan.summary.objects.removed} to remove; ${plural(plan.risks.length, 'risky change')}.`);
  return `${out.join('\n')}\n`;
}
