/** Resilience policies: resources, probes, disruption budgets and zone spread. */
import type { KubeObject } from '../model/resource.ts';
import { asArray, containerRefs, get, isControlled, isObject, labelsOf, ofKind, podTemplateOf, podTemplatesOf, selectKinds, selectorMatches, tenancyOf } from './objects.ts';
import type { Policy, PolicyContext, PolicyTiers, Violation } from './types.ts';

export const resourcesSet: Policy = {
  id: 'resilience/resources',
  severity: 'error',
  description: 'Every container, init containers and CronJob/Job templates included, requests CPU and memory and limits memory.',
  fix: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container',
  check(ctx) {
    const out: Violation[] = [];
    for (const t of podTemplatesOf(ctx.objects)) {
      for (const c of containerRefs(t)) {
        const missing = [
          ['requests', 'cpu'],
          ['requests', 'memory'],
          ['limits', 'memory'],
        ]
          .filter(([kind, res]) => get(c.container, 'resources', kind, res) === undefined)
          .map(([kind, res]) => `${kind}.${res}`);
        if (missing.length > 0) out.push({ object: t.object, path: `${c.path}.resources`, message: `${c.init ? 'init container' : 'container'} "${c.name}" has no ${missing.join(', ')}` });
      }
    }
    return out;
  },
};

export const probes: Policy = {
  id: 'resilience/probes',
  severity: 'warning',
  description: 'Containers that expose ports have readiness and liveness probes.',
  fix: 'add a readinessProbe and a livenessProbe (e.g. httpGet on the health endpoint) to the container',
  check(ctx) {
    const out: Violation[] = [];
    for (const t of podTemplatesOf(ctx.objects)) {
      for (const c of containerRefs(t)) {
        if (c.init || asArray(c.container.ports).length === 0) continue;
        const missing = ['readinessProbe', 'livenessProbe'].filter((p) => !isObject(c.container[p]));
        if (missing.length > 0) out.push({ object: t.object, path: c.path, message: `container "${c.name}" exposes ports but has no ${missing.join(' or ')}` });
      }
    }
    return out;
  },
};

const hpaIndexes = new WeakMap<readonly KubeObject[], Map<string, KubeObject>>();

/** HorizontalPodAutoscalers by `namespace/Kind/name` of their target. */
function hpaIndex(objects: readonly KubeObject[]): Map<string, KubeObject> {
  let index = hpaIndexes.get(objects);
  if (!index) {
    index = new Map();
    for (const h of ofKind(objects, 'HorizontalPodAutoscaler', 'autoscaling')) {
      index.set(`${h.metadata.namespace ?? ''}/${String(get(h, 'spec', 'scaleTargetRef', 'kind'))}/${String(get(h, 'spec', 'scaleTargetRef', 'name'))}`, h);
    }
    hpaIndexes.set(objects, index);
  }
  return index;
}

/** Replicas a workload runs at least and at most, counting a HorizontalPodAutoscaler that targets it. */
export function replicaRange(objects: readonly KubeObject[], workload: KubeObject): { min: number; max: number } {
  const replicas = typeof get(workload, 'spec', 'replicas') === 'number' ? Number(get(workload, 'spec', 'replicas')) : 1;
  const hpa = hpaIndex(objects).get(`${workload.metadata.namespace ?? ''}/${workload.kind}/${workload.metadata.name}`);
  if (!hpa) return { min: replicas, max: replicas };
  const min = Number(get(hpa, 'spec', 'minReplicas') ?? 1);
  return { min, max: Math.max(min, Number(get(hpa, 'spec', 'maxReplicas') ?? min)) };
}

const replicated = (o: KubeObject) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.apiVersion === 'apps/v1' && !isControlled(o);

export const disruptionBudget: Policy = {
  id: 'resilience/pod-disruption-budget',
  severity: 'warning',
  description: 'A PodDisruptionBudget selects each Deployment or StatefulSet that runs more than one replica (replicas or HPA minReplicas > 1).',
  fix: 'add a PodDisruptionBudget (maxUnavailable: 1) whose selector matches the pod template labels',
  check(ctx) {
    // By namespace: a cluster holds thousands of workloads and budgets.
    const pdbs = new Map<unknown, KubeObject[]>();
    for (const p of ofKind(ctx.objects, 'PodDisruptionBudget', 'policy')) {
      const list = pdbs.get(p.metadata.namespace);
      if (list) list.push(p);
      else pdbs.set(p.metadata.namespace, [p]);
    }
    const out: Violation[] = [];
    for (const w of selectKinds(ctx.objects, ['Deployment', 'StatefulSet'], replicated)) {
      if (replicaRange(ctx.objects, w).min <= 1) continue;
      const labels = podTemplateOf(w)?.labels ?? {};
      const covered = (pdbs.get(w.metadata.namespace) ?? []).some((p) => selectorMatches(get(p, 'spec', 'selector'), labels));
      if (!covered) out.push({ object: w, message: `${w.kind} "${w.metadata.name}" runs ${replicaRange(ctx.objects, w).min}+ replicas without a PodDisruptionBudget` });
    }
    return out;
  },
};

const ZONE = 'topology.kubernetes.io/zone';
const ZONE_SPREAD_TIERS = new Set(['dedicated', 'regulated']);

function tierSpreads(tier: string | undefined, tiers: PolicyTiers | undefined): boolean {
  if (!tier) return false;
  const known = tiers?.[tier];
  return known ? known.floors.zoneSpread : ZONE_SPREAD_TIERS.has(tier);
}

export const zoneSpread: Policy = {
  id: 'resilience/zone-spread',
  severity: 'error',
  description: 'Deployments of tiers that promise zone spread (dedicated, regulated) that can run more than one replica have a topologySpreadConstraint on topology.kubernetes.io/zone.',
  fix: 'add spec.template.spec.topologySpreadConstraints with topologyKey: topology.kubernetes.io/zone',
  check(ctx: PolicyContext) {
    const out: Violation[] = [];
    for (const d of ofKind(ctx.objects, 'Deployment', 'apps')) {
      if (isControlled(d) || !tierSpreads(tenancyOf(ctx, d).tier ?? labelsOf(d)['tenantctl.io/tier'], ctx.tiers)) continue;
      if (replicaRange(ctx.objects, d).max <= 1) continue;
      const constraints = asArray(get(d, 'spec', 'template', 'spec', 'topologySpreadConstraints'));
      if (!constraints.some((c) => get(c, 'topologyKey') === ZONE)) {
        out.push({ object: d, path: 'spec.template.spec.topologySpreadConstraints', message: `Deployment "${d.metadata.name}" of tier ${tenancyOf(ctx, d).tier} does not spread across zones` });
      }
    }
    return out;
  },
};

export const resiliencePolicies: readonly Policy[] = [resourcesSet, probes, disruptionBudget, zoneSpread];
