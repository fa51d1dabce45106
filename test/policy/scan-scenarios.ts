/**
 * Clusters for the equivalence test of the policy indexes (indexes.test.ts): the compliant fixture
 * copied for several tenants on two clusters, objects of different kinds interleaved (so that the
 * order of merged kind lists shows), and variants broken the way hand edits break a cluster, each
 * firing many policies at once. scan-findings.json holds the findings the engine gave on them when
 * every policy still scanned every object (tenantctl at 54859f6).
 */
import type { Cluster } from '../../lib/fleet/schema.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import type { PolicyContext } from '../../lib/policy/types.ts';
import { cluster, compliantObjects, environment, fleet, labels } from './fixtures.ts';

/** The second cluster is too small for its workloads (capacity/cluster-requests fires). */
export const SECOND: Cluster = { ...cluster, name: 'eu-2', baseDomain: 'eu-2.odoo.example.com', capacity: { cpu: 1, memoryGi: 2 } };
const TENANTS = ['acme', 'beta', 'gamma', 'delta'];

/** The compliant objects of `tenant`, its namespace, labels and host names renamed. */
function tenantObjects(tenant: string): KubeObject[] {
  return JSON.parse(JSON.stringify(compliantObjects()).replaceAll('acme', tenant)) as KubeObject[];
}

/** beta and delta promise an immutable copy in eu-north, which their objects do not all keep. */
function environmentOf(tenant: string, on: Cluster): TenantEnvironment {
  const crossRegion = tenant === 'beta' || tenant === 'delta' ? { crossRegion: 'eu-north', immutable: true } : {};
  return { ...environment({ tenant, domains: [`erp.${tenant}.example`], ...crossRegion }), cluster: on };
}

/** Objects of several tenants, interleaved: the first of each tenant, then the second of each... */
function interleave(lists: KubeObject[][]): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) for (const l of lists) if (l[i]) out.push(l[i]);
  return out;
}

/** Objects no tenant fixture has: an Ingress, a TCP route, Velero objects, a shared database, cluster-wide objects. */
function extras(tenant: string): KubeObject[] {
  const ns = `tenant-${tenant}-production`;
  const meta = (name: string) => ({ name, namespace: ns, labels: labels('dedicated', tenant) });
  return [
    { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { ...meta('volumes'), annotations: { 'tenantctl.io/region': 'eu-north', 'tenantctl.io/immutable': 'true' } }, spec: { schedule: '0 1 * * *', template: { ttl: '240h' } } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta('legacy'), spec: { rules: [{ host: `legacy.${tenant}.example` }, { host: 'shared.example.com' }] } },
    { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRouteTCP', metadata: meta('pg-tcp'), spec: { routes: [{ match: 'HostSNI(`*`)', services: [{ name: 'pg-rw', port: 5432 }] }] } },
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Database', metadata: meta('shared-db'), spec: { name: `${tenant}_production`, cluster: { name: 'shared' } } },
    { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { ...meta('bsl'), annotations: { 'tenantctl.io/region': 'eu-west' } }, spec: { objectStorage: { bucket: 'backups-eu-north' } } },
  ];
}

const PLATFORM: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'traefik', labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-orphan-production' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'traefik', namespace: 'traefik' }, spec: { replicas: 3, template: { metadata: { labels: { app: 'traefik' } }, spec: { containers: [{ name: 'traefik', image: 'traefik', ports: [{ containerPort: 80 }] }] } } } },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'traefik-1', namespace: 'traefik', ownerReferences: [{ controller: true, kind: 'Deployment', name: 'traefik' }] }, spec: { template: { spec: { containers: [{ name: 'traefik', image: 'traefik' }] } } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'tenant-orphan-production' }, spec: { hostPID: true, containers: [{ name: 'sh', image: 'busybox:latest', securityContext: { privileged: true } }] } },
];

/** A context of `tenants` on `on`, with the extras and platform objects, before any break. */
function clusterOf(on: Cluster, tenants: readonly string[]): PolicyContext & { objects: KubeObject[] } {
  const objects = [...PLATFORM.map((o) => structuredClone(o)), ...interleave(tenants.map((t) => [...tenantObjects(t), ...extras(t)]))];
  const environments = TENANTS.map((t, i) => environmentOf(t, i < 3 ? cluster : SECOND));
  return { cluster: on, objects, environments, fleet };
}

type Break = (objects: KubeObject[]) => KubeObject[];
const each = (kind: string, change: (o: any, i: number) => void): Break => (objects) => {
  objects.filter((o) => o.kind === kind).forEach(change);
  return objects;
};

/** Hand edits, each applied alone and all together. */
export const BREAKS: Readonly<Record<string, Break>> = {
  'network policies removed': (objects) => objects.filter((o, i) => !(o.kind === 'NetworkPolicy' && i % 2 === 0)),
  'load balancers added': each('Service', (s, i) => {
    s.spec.type = i % 2 ? 'LoadBalancer' : 'NodePort';
    if (i % 3 === 0) s.metadata.name = 'redis';
  }),
  'resources and limits dropped': each('Deployment', (d, i) => {
    for (const c of d.spec.template.spec.containers) {
      if (i % 2) delete c.resources.limits;
      else delete c.resources;
      delete c.securityContext;
      c.image = i % 2 ? 'docker.io/odoo' : 'docker.io/odoo:latest';
    }
    d.spec.template.spec.hostNetwork = true;
    delete d.spec.template.spec.topologySpreadConstraints;
    delete d.spec.template.spec.automountServiceAccountToken;
  }),
  'labels broken': (objects) => {
    objects.forEach((o, i) => {
      const l = o.metadata.labels;
      if (!l) return;
      if (i % 3 === 0) delete l['tenantctl.io/tier'];
      if (i % 5 === 0) l['app.kubernetes.io/managed-by'] = 'kubectl';
      if (i % 7 === 0) delete l['tenantctl.io/tenant'];
    });
    return objects;
  },
  'backups weakened': (objects) => {
    const out = objects.filter((o, i) => !(o.kind === 'ScheduledBackup' && i % 2 === 0) && !(o.kind === 'CronJob' && i % 3 === 0));
    each('Cluster', (c, i) => {
      c.spec.instances = 1;
      if (i % 2) c.spec.plugins = [];
      else c.spec.postgresql.parameters.archive_timeout = '2h';
    })(out);
    each('ObjectStore', (s, i) => {
      s.spec.retentionPolicy = i % 2 ? '1d' : 'forever';
      if (i % 2) s.metadata.annotations['tenantctl.io/region'] = 'us-east';
      else s.metadata.annotations['tenantctl.io/immutable'] = 'true';
    })(out);
    each('ScheduledBackup', (s) => (s.spec.suspend = true))(out);
    each('Schedule', (s) => {
      s.spec.paused = true;
      s.metadata.annotations['tenantctl.io/immutable'] = 'false';
    })(out);
    return out;
  },
  'routes and tenants crossed': (objects) => {
    each('IngressRoute', (r, i) => {
      if (i % 2) delete r.spec.tls;
      for (const route of r.spec.routes) {
        if (i % 3 === 0) route.middlewares = [{ name: 'missing' }];
        if (route.match.includes('/web/database')) route.middlewares = [];
      }
      r.spec.routes.push({ match: 'Host(`shared.example.com`)', services: [{ name: 'odoo', port: 8069 }] });
    })(objects);
    each('NetworkPolicy', (p, i) => {
      p.spec.egress = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }];
      if (i % 2) p.spec.ingress = [{ from: [{ namespaceSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tenant-beta-production' } } }] }];
    })(objects);
    each('Namespace', (n, i) => {
      if (n.metadata.labels && i % 2) n.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline';
    })(objects);
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak', namespace: 'tenant-acme-production', labels: labels() }, data: { password: 'c2VjcmV0' } });
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', namespace: 'tenant-beta-production', labels: labels('dedicated', 'acme') }, data: {} });
    return objects;
  },
};

/** Every scenario: name → contexts (one run of runPolicies each), built anew on each call. */
export function scenarios(): Array<{ name: string; contexts: PolicyContext[] }> {
  const base = () => [clusterOf(cluster, ['acme', 'beta', 'gamma']), clusterOf(SECOND, ['delta', 'acme'])];
  const out = [{ name: 'compliant tenants on two clusters', contexts: base() }];
  for (const [name, change] of Object.entries(BREAKS)) out.push({ name, contexts: base().map((c) => ({ ...c, objects: change(c.objects) })) });
  out.push({ name: 'every break at once', contexts: base().map((c) => ({ ...c, objects: Object.values(BREAKS).reduce((objects, change) => change(objects), c.objects) })) });
  out.push({ name: 'every break at once, live', contexts: base().map((c) => ({ ...c, source: 'live' as const, objects: Object.values(BREAKS).reduce((objects, change) => change(objects), c.objects) })) });
  return out;
}
