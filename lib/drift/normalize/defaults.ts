/**
 * Built-in defaulting: what kube-apiserver fills into objects of built-in kinds, applied to the
 * desired side so that leaving a field out of generated/ is not drift. Checked against
 * kube-apiserver 1.37 (test/drift/fixtures/record.ts applies generated objects and records the
 * result). Mirrors `SetDefaults_*` in k8s.io/kubernetes/pkg/apis/{core,apps,batch,...}/v1.
 *
 * Fields the server allocates (Service clusterIP(s), nodePorts, PVC volumeName, Job selectors)
 * have no fixed default: when desired leaves them out they are copied from the live object.
 *
 * Not defaulted here on purpose: Deployment/StatefulSet `replicas` gets its default (1) like the
 * rest, and a live value different from it is judged by who wrote it (an HPA is not drift,
 * `kubectl scale` is), see attribution.ts.
 */
import { groupOf, type KubeObject } from '../../model/resource.ts';
import { cloneJson } from './clone.ts';

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter(isObj) : [];
}

function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = cloneJson(value);
}

/** The object at `obj[key]`, created when absent. */
function child(obj: Obj, key: string): Obj {
  if (!isObj(obj[key])) obj[key] = {};
  return obj[key] as Obj;
}

/** `IfNotPresent` for a pinned tag or digest, `Always` for `:latest` or no tag. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  const tag = colon < 0 ? '' : lastPart.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  if (isObj(probe.httpGet)) setDefault(probe.httpGet, 'scheme', 'HTTP');
}

function defaultFieldRef(holder: unknown): void {
  if (isObj(holder) && isObj(holder.fieldRef)) setDefault(holder.fieldRef, 'apiVersion', 'v1');
}

function defaultContainer(c: Obj): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  for (const p of objects(c.ports)) setDefault(p, 'protocol', 'TCP');
  for (const name of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[name]);
  if (isObj(c.lifecycle)) {
    for (const hook of [c.lifecycle.postStart, c.lifecycle.preStop]) {
      if (isObj(hook) && isObj(hook.httpGet)) setDefault(hook.httpGet, 'scheme', 'HTTP');
    }
  }
  for (const e of objects(c.env)) defaultFieldRef(e.valueFrom);
}

function defaultVolume(v: Obj): void {
  for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    if (isObj(v[kind])) setDefault(v[kind], 'defaultMode', 420);
  }
  if (isObj(v.downwardAPI)) for (const item of objects(v.downwardAPI.items)) defaultFieldRef(item);
  if (isObj(v.projected)) {
    for (const source of objects(v.projected.sources)) {
      if (isObj(source.serviceAccountToken)) setDefault(source.serviceAccountToken, 'expirationSeconds', 3600);
      if (isObj(source.downwardAPI)) for (const item of objects(source.downwardAPI.items)) defaultFieldRef(item);
    }
  }
  if (isObj(v.hostPath)) setDefault(v.hostPath, 'type', '');
  const claim = isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate) ? v.ephemeral.volumeClaimTemplate : undefined;
  if (claim && isObj(claim.spec)) setDefault(claim.spec, 'volumeMode', 'Filesystem');
}

/** PodSpec defaults, for Pods and pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  // The deprecated `serviceAccount` mirrors serviceAccountName.
  if (typeof spec.serviceAccountName === 'string') setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) objects(spec[list]).forEach(defaultContainer);
  objects(spec.volumes).forEach(defaultVolume);
}

function defaultTemplate(template: unknown): void {
  if (isObj(template) && isObj(template.spec)) defaultPodSpec(template.spec);
}

/** Pods (not templates) also get admission and Pod-only defaults. */
function defaultPod(obj: Obj, live: Obj | undefined): void {
  const spec = child(obj, 'spec');
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  if (spec.priorityClassName === undefined) setDefault(spec, 'priority', 0);
  for (const c of objects(spec.containers)) {
    const resources = isObj(c.resources) ? c.resources : undefined;
    if (resources && isObj(resources.limits)) {
      const requests = child(resources, 'requests');
      for (const [k, v] of Object.entries(resources.limits)) setDefault(requests, k, v);
    }
  }
  copyFromLive(spec, live?.spec, ['nodeName', 'serviceAccountName', 'serviceAccount', 'priority', 'tolerations', 'volumes']);
}

function copyFromLive(desired: Obj, live: unknown, keys: readonly string[]): void {
  if (!isObj(live)) return;
  for (const k of keys) if (desired[k] === undefined && live[k] !== undefined) desired[k] = cloneJson(live[k]);
}

function defaultDeployment(spec: Obj): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = child(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  defaultTemplate(spec.template);
}

function defaultStatefulSet(spec: Obj): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  setDefault(spec, 'revisionHistoryLimit', 10);
  const strategy = child(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    setDefault(rolling, 'partition', 0);
    setDefault(rolling, 'maxUnavailable', 1);
  }
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  for (const claim of objects(spec.volumeClaimTemplates)) {
    setDefault(claim, 'apiVersion', 'v1');
    setDefault(claim, 'kind', 'PersistentVolumeClaim');
    if (isObj(claim.spec)) setDefault(claim.spec, 'volumeMode', 'Filesystem');
  }
  defaultTemplate(spec.template);
}

function defaultDaemonSet(spec: Obj): void {
  setDefault(spec, 'revisionHistoryLimit', 10);
  const strategy = child(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = child(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', 1);
    setDefault(rolling, 'maxSurge', 0);
  }
  defaultTemplate(spec.template);
}

function defaultJob(spec: Obj, live: Obj | undefined): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy === undefined ? 'TerminatingOrFailed' : 'Failed');
  setDefault(spec, 'manualSelector', false);
  // The server generates the selector and the matching template labels (controller-uid).
  const liveSpec = isObj(live?.spec) ? live.spec : undefined;
  copyFromLive(spec, liveSpec, ['selector']);
  const liveLabels = isObj(liveSpec?.template) && isObj(liveSpec.template.metadata) ? liveSpec.template.metadata.labels : undefined;
  if (isObj(spec.template) && isObj(liveLabels)) {
    const labels = child(child(spec.template, 'metadata'), 'labels');
    for (const key of ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name']) {
      if (liveLabels[key] !== undefined) setDefault(labels, key, liveLabels[key]);
    }
  }
  defaultTemplate(spec.template);
}

function defaultCronJob(spec: Obj): void {
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  // Job templates get pod defaults only; Job defaults apply when the Job is created.
  const jobTemplate = isObj(spec.jobTemplate) ? spec.jobTemplate : undefined;
  if (jobTemplate && isObj(jobTemplate.spec)) defaultTemplate(jobTemplate.spec.template);
}

const SCALE_UP = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const SCALE_DOWN = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

function defaultHpa(apiVersion: string, spec: Obj): void {
  setDefault(spec, 'minReplicas', 1);
  if (apiVersion !== 'autoscaling/v2') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (!isObj(spec.behavior)) return;
  for (const [key, rules] of [['scaleUp', SCALE_UP], ['scaleDown', SCALE_DOWN]] as const) {
    const b = child(spec.behavior, key);
    for (const [k, v] of Object.entries(rules)) setDefault(b, k, v);
  }
}

function defaultService(spec: Obj, live: Obj | undefined): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  const type = spec.type;
  if (type !== 'ExternalName') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'NodePort' || type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  const livePorts = objects(isObj(live?.spec) ? live.spec.ports : undefined);
  for (const p of objects(spec.ports)) {
    setDefault(p, 'protocol', 'TCP');
    if (type !== 'ExternalName') setDefault(p, 'targetPort', p.port);
    const same = livePorts.find((l) => l.port === p.port && (l.protocol ?? 'TCP') === p.protocol);
    if (same && p.nodePort === undefined && same.nodePort !== undefined) p.nodePort = same.nodePort;
  }
  copyFromLive(spec, live?.spec, ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'healthCheckNodePort']);
}

function defaultNetworkPolicy(spec: Obj): void {
  if (spec.policyTypes === undefined) spec.policyTypes = Array.isArray(spec.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
  for (const rule of [...objects(spec.ingress), ...objects(spec.egress)]) {
    for (const p of objects(rule.ports)) setDefault(p, 'protocol', 'TCP');
  }
}

function defaultLimitRange(spec: Obj): void {
  for (const item of objects(spec.limits)) {
    if (item.type !== 'Container') continue;
    const def = child(item, 'default');
    const request = child(item, 'defaultRequest');
    for (const [k, v] of Object.entries(isObj(item.max) ? item.max : {})) setDefault(def, k, v);
    for (const [k, v] of Object.entries(def)) setDefault(request, k, v);
    for (const [k, v] of Object.entries(isObj(item.min) ? item.min : {})) setDefault(request, k, v);
  }
}

function defaultSubjects(subjects: unknown): void {
  for (const s of objects(subjects)) {
    if (s.kind === 'User' || s.kind === 'Group') setDefault(s, 'apiGroup', 'rbac.authorization.k8s.io');
  }
}

/** `stringData` folded into base64 `data`, as the server stores it; type Opaque by default. */
function defaultSecret(obj: Obj): void {
  setDefault(obj, 'type', 'Opaque');
  if (!isObj(obj.stringData)) return;
  const data = child(obj, 'data');
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete obj.stringData;
}

/**
 * A copy of a desired object with built-in defaults filled in and server-allocated fields taken
 * from `live`. Custom resources come back unchanged (see crd-defaults.ts).
 */
export function applyBuiltinDefaults(desired: KubeObject, live?: KubeObject): KubeObject {
  return fillBuiltinDefaults(cloneJson(desired), live);
}

/** applyBuiltinDefaults in place, for a copy the caller owns (normalizePair's stripped one). */
export function fillBuiltinDefaults(desired: KubeObject, live?: KubeObject): KubeObject {
  const group = groupOf(desired.apiVersion);
  const obj = desired as KubeObject & Obj;
  const liveObj = live as (KubeObject & Obj) | undefined;
  const spec = () => child(obj, 'spec');
  switch (`${group}/${desired.kind}`) {
    case '/Pod': defaultPod(obj, liveObj); break;
    case 'apps/Deployment': defaultDeployment(spec()); break;
    case 'apps/StatefulSet': defaultStatefulSet(spec()); break;
    case 'apps/DaemonSet': defaultDaemonSet(spec()); break;
    case 'apps/ReplicaSet': setDefault(spec(), 'replicas', 1); defaultTemplate(spec().template); break;
    case 'batch/Job': defaultJob(spec(), liveObj); break;
    case 'batch/CronJob': defaultCronJob(spec()); break;
    case 'autoscaling/HorizontalPodAutoscaler': defaultHpa(desired.apiVersion, spec()); break;
    case '/Service': defaultService(spec(), liveObj); break;
    case 'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy(spec()); break;
    case '/LimitRange': defaultLimitRange(spec()); break;
    case '/Secret': defaultSecret(obj); break;
    case '/PersistentVolumeClaim':
      setDefault(spec(), 'volumeMode', 'Filesystem');
      copyFromLive(spec(), liveObj?.spec, ['volumeName', 'storageClassName']);
      break;
    case '/Namespace':
      setDefault(spec(), 'finalizers', ['kubernetes']);
      setDefault(child(obj.metadata as Obj, 'labels'), 'kubernetes.io/metadata.name', obj.metadata.name);
      break;
    case 'rbac.authorization.k8s.io/RoleBinding':
    case 'rbac.authorization.k8s.io/ClusterRoleBinding':
      defaultSubjects(obj.subjects);
      break;
    case 'rbac.authorization.k8s.io/ClusterRole':
      if (obj.aggregationRule !== undefined && liveObj?.rules !== undefined) obj.rules = cloneJson(liveObj.rules);
      break;
  }
  return obj;
}
