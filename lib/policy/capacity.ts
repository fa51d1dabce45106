/** Capacity: what a cluster's workloads request fits what fleet.ts says the cluster has. */
import { cpuMillis, GIBIBYTE, memoryBytes } from '../model/quantity.ts';
import { formatKey, keyOf, type KubeObject } from '../model/resource.ts';
import { containerRefs, get, isCnpg, isControlled, podTemplateOf, podTemplatesOf, selectKinds, type PodTemplate } from './objects.ts';
import type { Policy, PolicyContext, ResourceRef } from './types.ts';

interface Requests {
  cpuMillis: number;
  memoryBytes: number;
}

function requestsOf(container: unknown): Requests {
  const cpu = get(container, 'resources', 'requests', 'cpu');
  const memory = get(container, 'resources', 'requests', 'memory');
  return {
    cpuMillis: typeof cpu === 'string' || typeof cpu === 'number' ? (cpuMillis(cpu) ?? 0) : 0,
    memoryBytes: typeof memory === 'string' || typeof memory === 'number' ? (memoryBytes(memory) ?? 0) : 0,
  };
}

/** A workload's request per replica as the scheduler counts it: max(sum of containers, largest init container). */
export function podRequests(obj: KubeObject): Requests | undefined {
  const t = podTemplateOf(obj);
  return t ? templateRequests(t) : undefined;
}

function templateRequests(t: PodTemplate): Requests {
  const sum: Requests = { cpuMillis: 0, memoryBytes: 0 };
  const init: Requests = { cpuMillis: 0, memoryBytes: 0 };
  for (const c of containerRefs(t)) {
    const r = requestsOf(c.container);
    if (c.init) {
      init.cpuMillis = Math.max(init.cpuMillis, r.cpuMillis);
      init.memoryBytes = Math.max(init.memoryBytes, r.memoryBytes);
    } else {
      sum.cpuMillis += r.cpuMillis;
      sum.memoryBytes += r.memoryBytes;
    }
  }
  return { cpuMillis: Math.max(sum.cpuMillis, init.cpuMillis), memoryBytes: Math.max(sum.memoryBytes, init.memoryBytes) };
}

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);
const WORKLOAD_KINDS = ['Cluster', 'Deployment', 'StatefulSet', 'ReplicaSet', 'Pod'];
/** What clusterRequests counts: an uncontrolled CNPG Cluster, apps/v1 replicated workload or bare Pod. */
const isWorkload = (obj: KubeObject) =>
  !isControlled(obj) && (isCnpg(obj, 'Cluster') || (REPLICATED.has(obj.kind) && obj.apiVersion === 'apps/v1') || (obj.kind === 'Pod' && obj.apiVersion === 'v1'));

/** Steady-state requests of every long-running workload: Deployments/StatefulSets × replicas, bare Pods, CNPG Clusters × instances. */
export function clusterRequests(objects: readonly KubeObject[]): Requests & { top: Array<{ object: KubeObject; cpuMillis: number; memoryBytes: number }> } {
  const total: Requests = { cpuMillis: 0, memoryBytes: 0 };
  const top: Array<{ object: KubeObject; cpuMillis: number; memoryBytes: number }> = [];
  const add = (object: KubeObject, r: Requests, times: number) => {
    total.cpuMillis += r.cpuMillis * times;
    total.memoryBytes += r.memoryBytes * times;
    top.push({ object, cpuMillis: r.cpuMillis * times, memoryBytes: r.memoryBytes * times });
  };
  // The pod templates the other policies read (every uncontrolled workload's), with their containers.
  const templates = new Map<KubeObject, PodTemplate>();
  for (const t of podTemplatesOf(objects)) templates.set(t.object, t);
  for (const obj of selectKinds(objects, WORKLOAD_KINDS, isWorkload)) {
    if (isCnpg(obj, 'Cluster')) {
      add(obj, requestsOf(obj.spec), Number(get(obj, 'spec', 'instances') ?? 1));
    } else if ((REPLICATED.has(obj.kind) && obj.apiVersion === 'apps/v1') || (obj.kind === 'Pod' && obj.apiVersion === 'v1')) {
      const t = templates.get(obj);
      const r = t ? templateRequests(t) : undefined;
      const replicas = obj.kind === 'Pod' ? 1 : Number(get(obj, 'spec', 'replicas') ?? 1);
      if (r) add(obj, r, replicas);
    }
  }
  top.sort((a, b) => b.cpuMillis - a.cpuMillis || b.memoryBytes - a.memoryBytes);
  return { ...total, top };
}

export function clusterRef(ctx: PolicyContext): ResourceRef {
  return { apiVersion: 'tenantctl.io/v1', kind: 'Cluster', name: ctx.cluster.name };
}

const round = (n: number) => Math.round(n * 100) / 100;

export const clusterCapacity: Policy = {
  id: 'capacity/cluster-requests',
  severity: 'error',
  description: "The sum of container requests on a cluster (Deployments and StatefulSets × replicas, CNPG Clusters × instances) fits the cluster's declared capacity.",
  fix: "add capacity to the cluster in fleet.ts (and to the cluster itself), or move tenant environments to another cluster",
  check(ctx) {
    const r = clusterRequests(ctx.objects);
    const cpu = r.cpuMillis / 1000;
    const memoryGi = r.memoryBytes / GIBIBYTE;
    const biggest = r.top.slice(0, 3).map((t) => formatKey(keyOf(t.object))).join(', ');
    const out = [];
    if (cpu > ctx.cluster.capacity.cpu) out.push({ resource: clusterRef(ctx), message: `workloads request ${round(cpu)} CPU, more than the ${ctx.cluster.capacity.cpu} CPU of cluster ${ctx.cluster.name} (largest: ${biggest})` });
    if (memoryGi > ctx.cluster.capacity.memoryGi) out.push({ resource: clusterRef(ctx), message: `workloads request ${round(memoryGi)} GiB of memory, more than the ${ctx.cluster.capacity.memoryGi} GiB of cluster ${ctx.cluster.name} (largest: ${biggest})` });
    return out;
  },
};

export const capacityPolicies: readonly Policy[] = [clusterCapacity];

