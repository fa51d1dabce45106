/**
 * Small generated/ trees for plan tests: one tenant environment is a dozen objects shaped like
 * the tiers' output (labels, folders, generated-by headers), each overridable.
 */
import type { KubeObject } from '../../lib/model/resource.ts';
import type { ManifestFile } from '../../lib/synth/layout.ts';
import { toYaml } from '../../lib/synth/serialize.ts';

export interface EnvFixture {
  readonly tenant: string;
  readonly env: string;
  readonly cluster: string;
  readonly region?: string;
}

export function labels(tenant: string, env: string): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/environment': env, 'tenantctl.io/tenant': tenant };
}

/** The objects of one environment, by a short name tests use to override them. */
export function envObjects(f: EnvFixture): Record<string, KubeObject> {
  const ns = `tenant-${f.tenant}-${f.env}`;
  const meta = (name: string, namespace: string | null = ns) => ({ name, ...(namespace ? { namespace } : {}), labels: labels(f.tenant, f.env) });
  return {
    namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { ...meta(ns, null), annotations: { 'tenantctl.io/region': f.region ?? 'eu-west' } } },
    pg: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: meta('pg'),
      spec: { instances: 2, storage: { size: '20Gi' }, postgresql: { parameters: { archive_timeout: '5min' } } },
    },
    database: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Database', metadata: meta(`${f.tenant}-${f.env}`, 'postgres-shared'), spec: { name: `t_${f.tenant}`, owner: `t_${f.tenant}`, ensure: 'present', databaseReclaimPolicy: 'retain', cluster: { name: 'pg-shared' } } },
    pvc: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('odoo-filestore'), spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } } },
    config: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('odoo-conf'), data: { 'odoo.conf': '[options]\nworkers = 2\nmax_cron_threads = 1\n' } },
    objectStore: { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', metadata: meta('pg-backup'), spec: { retentionPolicy: '30d', configuration: { destinationPath: 's3://bucket/pg/' } } },
    velero: { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: meta(`${f.tenant}-${f.env}-filestore`, 'velero'), spec: { schedule: '17 */4 * * *', template: { ttl: '720h0m0s', includedNamespaces: [ns] } } },
    dump: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('pg-dump'), spec: { schedule: '7 */4 * * *', jobTemplate: { spec: {} } } },
    defaultDeny: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    egress: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-integrations'),
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'odoo' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/28' } }], ports: [{ port: 443, protocol: 'TCP' }] }] },
    },
    allowList: { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta('admin-allowlist'), spec: { ipAllowList: { sourceRange: ['203.0.113.0/24'] } } },
  };
}

export function fileOf(cluster: string, folder: string, obj: KubeObject, source: string): ManifestFile {
  const ns = obj.metadata.namespace && !folder.startsWith('tenants/') ? `${obj.metadata.namespace}-` : '';
  return { path: `${cluster}/${folder}/${obj.kind.toLowerCase()}-${ns}${obj.metadata.name}.yaml`, content: toYaml(obj, source) };
}

/** Files of one environment; `edit` changes or drops (returns undefined) objects by short name. */
export function envFiles(f: EnvFixture, edit: (name: string, obj: KubeObject) => KubeObject | undefined = (_n, o) => o): ManifestFile[] {
  const files: ManifestFile[] = [];
  for (const [name, obj] of Object.entries(envObjects(f))) {
    const edited = edit(name, structuredClone(obj));
    if (edited) files.push(fileOf(f.cluster, `tenants/${f.tenant}-${f.env}`, edited, `tenants/${f.tenant}.ts`));
  }
  files.push({ path: `${f.cluster}/tenants/${f.tenant}-${f.env}/kustomization.yaml`, content: toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((x) => x.path.split('/').pop()) }) });
  return files;
}

/** A per-cluster object (no tenant labels), as the cluster/ folder holds. */
export function clusterFile(cluster: string, obj: KubeObject): ManifestFile {
  return fileOf(cluster, 'cluster', obj, 'fleet.ts');
}

/** Applies `fn` to a deep copy of the object and returns it (for `edit` callbacks). */
export function patch<T extends KubeObject>(obj: T, fn: (o: T & { spec: Record<string, any> }) => void): T {
  fn(obj as T & { spec: Record<string, any> });
  return obj;
}

export const ACME: EnvFixture = { tenant: 'acme', env: 'production', cluster: 'eu-west-1' };
export const BETA: EnvFixture = { tenant: 'beta', env: 'production', cluster: 'eu-west-1' };
