/**
 * `planChanges`: two generated/ trees in, what changes between them out. Objects pair by tenant
 * environment (or cluster) + API group + kind + namespace + name, so an environment that moves to
 * another cluster pairs with itself and shows as one move, not as an unrelated delete and create.
 * Pure: the trees come in as files, the plan goes out as data.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { ManifestFile } from '../synth/layout.ts';
import { indexSide, type GroupRef, type PlanObject } from './objects.ts';
import { objectRisks } from './risks.ts';
import { RISK_FLAGS, type ChangeAction, type ChangeGroup, type GroupStatus, type ObjectChange, type Plan, type PlanSide, type Risk } from './types.ts';

export interface PlanOptions {
  /** Lines of context around each diff hunk. @default 3 */
  readonly context?: number;
  readonly base?: PlanSide;
  readonly head?: PlanSide;
  /** Remarks carried into the plan (how the trees were obtained). @default [] */
  readonly notes?: readonly string[];
}

interface GroupAcc {
  ref: GroupRef;
  base: PlanObject[];
  head: PlanObject[];
  pairs: Array<{ base?: PlanObject; head?: PlanObject }>;
}

const REGION_ANNOTATION = 'tenantctl.io/region';
const ACTION_ORDER: Record<ChangeAction, number> = { removed: 0, changed: 1, added: 2 };

function unifiedDiff(base: PlanObject | undefined, head: PlanObject | undefined, context: number): { diff: string; additions: number; deletions: number } {
  const diff = createTwoFilesPatch(base ? `a/${base.path}` : '/dev/null', head ? `b/${head.path}` : '/dev/null', base?.text ?? '', head?.text ?? '', undefined, undefined, {
    context,
    headerOptions: FILE_HEADERS_ONLY,
  });
  let additions = 0;
  let deletions = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) additions++;
    else if (line.startsWith('-') && !line.startsWith('---')) deletions++;
  }
  return { diff, additions, deletions };
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

function regionsOf(objects: readonly PlanObject[]): string[] {
  return sortedUnique(objects.map((o) => o.object.metadata.annotations?.[REGION_ANNOTATION]).filter((r): r is string => !!r));
}

function statusOf(acc: GroupAcc, baseClusters: readonly string[], headClusters: readonly string[]): GroupStatus {
  if (acc.base.length === 0) return 'added';
  if (acc.head.length === 0) return 'removed';
  if (acc.ref.kind === 'environment' && baseClusters.join() !== headClusters.join()) return 'moved';
  return 'changed';
}

function moveRisk(acc: GroupAcc, from: readonly string[], to: readonly string[]): Risk {
  const [rb, rh] = [regionsOf(acc.base), regionsOf(acc.head)];
  const region = rb.join() !== rh.join() && rb.length && rh.length ? ` and from region ${rb.join(', ')} to ${rh.join(', ')}` : '';
  return {
    flag: 'environment-moved',
    group: acc.ref.id,
    subject: acc.ref.id,
    message: `moves from cluster ${from.join(', ')} to ${to.join(', ')}${region}: GitOps deletes it on the old cluster (namespace, database, volumes) and creates it empty on the new one; migrate the data first`,
  };
}

function buildGroup(acc: GroupAcc, context: number): ChangeGroup | undefined {
  const baseClusters = sortedUnique(acc.base.map((o) => o.cluster));
  const headClusters = sortedUnique(acc.head.map((o) => o.cluster));
  const status = statusOf(acc, baseClusters, headClusters);
  const changes: ObjectChange[] = [];
  for (const { base, head } of acc.pairs) {
    const action: ChangeAction = !base ? 'added' : !head ? 'removed' : 'changed';
    if (base && head && base.canonical === head.canonical && base.cluster === head.cluster) continue;
    const either = (head ?? base)!;
    const risks = objectRisks({ action, base: base?.object, head: head?.object, resource: either.resource, group: acc.ref.id, groupStatus: status });
    changes.push({
      action,
      key: either.key,
      resource: either.resource,
      ...(base ? { basePath: base.path } : {}),
      ...(head ? { headPath: head.path } : {}),
      ...unifiedDiff(base, head, context),
      risks,
    });
  }
  if (changes.length === 0) return undefined;
  changes.sort((a, b) => ACTION_ORDER[a.action] - ACTION_ORDER[b.action] || a.resource.localeCompare(b.resource));
  const groupRisks = status === 'moved' ? [moveRisk(acc, baseClusters, headClusters)] : [];
  const count = (a: ChangeAction) => changes.filter((c) => c.action === a).length;
  return {
    id: acc.ref.id,
    kind: acc.ref.kind,
    ...(acc.ref.tenant ? { tenant: acc.ref.tenant, environment: acc.ref.environment } : {}),
    status,
    baseClusters,
    headClusters,
    sources: sortedUnique([...acc.base, ...acc.head].map((o) => o.source).filter((s): s is string => !!s)),
    changes,
    risks: [...groupRisks, ...changes.flatMap((c) => c.risks)],
    counts: {
      added: count('added'),
      changed: count('changed'),
      removed: count('removed'),
      additions: changes.reduce((n, c) => n + c.additions, 0),
      deletions: changes.reduce((n, c) => n + c.deletions, 0),
    },
  };
}

function byRiskOrder(a: Risk, b: Risk): number {
  return RISK_FLAGS.indexOf(a.flag) - RISK_FLAGS.indexOf(b.flag) || a.group.localeCompare(b.group) || a.subject.localeCompare(b.subject);
}

export function planChanges(base: readonly ManifestFile[], head: readonly ManifestFile[], options: PlanOptions = {}): Plan {
  const context = options.context ?? 3;
  const b = indexSide(base, 'base');
  const h = indexSide(head, 'head');
  const groups = new Map<string, GroupAcc>();
  const accOf = (ref: GroupRef): GroupAcc => {
    let acc = groups.get(ref.id);
    if (!acc) groups.set(ref.id, (acc = { ref, base: [], head: [], pairs: [] }));
    return acc;
  };
  let unchanged = 0;
  for (const [key, bo] of b.objects) {
    const acc = accOf(bo.group);
    acc.base.push(bo);
    const ho = h.objects.get(key);
    acc.pairs.push({ base: bo, ...(ho ? { head: ho } : {}) });
  }
  for (const [key, ho] of h.objects) {
    const acc = accOf(ho.group);
    acc.head.push(ho);
    if (!b.objects.has(key)) acc.pairs.push({ head: ho });
  }
  const built: ChangeGroup[] = [];
  for (const acc of groups.values()) {
    const group = buildGroup(acc, context);
    unchanged += acc.pairs.filter((p) => p.base && p.head).length - (group?.counts.changed ?? 0);
    if (group) built.push(group);
  }
  const kindOrder = (g: ChangeGroup) => (g.kind === 'environment' ? 0 : 1);
  built.sort((x, y) => Number(y.risks.length > 0) - Number(x.risks.length > 0) || kindOrder(x) - kindOrder(y) || x.id.localeCompare(y.id));

  const envs = (status: GroupStatus) => built.filter((g) => g.kind === 'environment' && g.status === status).map((g) => g.id).sort();
  const total = (a: ChangeAction) => built.reduce((n, g) => n + g.counts[a], 0);
  return {
    summary: {
      objects: { added: total('added'), changed: total('changed'), removed: total('removed'), unchanged },
      environments: {
        added: envs('added'),
        removed: envs('removed'),
        changed: envs('changed'),
        moved: built.filter((g) => g.status === 'moved').map((g) => ({ id: g.id, from: g.baseClusters, to: g.headClusters })),
      },
    },
    groups: built,
    risks: built.flatMap((g) => g.risks).sort(byRiskOrder),
    problems: [...b.problems, ...h.problems],
    ...(options.base ? { base: options.base } : {}),
    ...(options.head ? { head: options.head } : {}),
    notes: [...(options.notes ?? [])],
  };
}
