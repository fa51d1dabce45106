/**
 * A compliant tenant environment (acme, production, dedicated tier, on cluster eu-1) as plain
 * objects, plus its TenantEnvironment and fleet. Each policy test breaks one thing in a copy.
 */
import type { Cluster, Fleet } from '../../lib/fleet/schema.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import type { PolicyContext } from '../../lib/policy/types.ts';
import type { Waiver } from '../../lib/tenant/schema.ts';

export const TODAY = '2026-03-01';
export const NS = 'tenant-acme-production';

export const cluster: Cluster = {
  name: 'eu-1',
  region: 'eu-west',
  tiers: ['shared', 'dedicated', 'regulated'],
  capacity: { cpu: 32, memoryGi: 128 },
  baseDomain: 'eu-1.odoo.example.com',
  traefikNamespace: 'traefik',
};

export const fleet: Fleet = {
  gitops: { repoURL: 'https://git.example.com/platform/tenants.git', branch: 'main', path: 'generated' },
  secretStore: { kind: 'ClusterSecretStore', name: 'vault' },
  issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' },
  allowedRegistries: ['registry.example.com/', 'ghcr.io/cloudnative-pg/'],
  images: { postgres: { '17': 'ghcr.io/cloudnative-pg/postgresql:17.2' }, redis: 'registry.example.com/redis:7.4', tools: 'registry.example.com/tools:1.0' },
  regions: {
    'eu-west': { objectStorage: { endpoint: 'https://s3.eu-west.example.com', bucket: 'backups-eu-west', lockedBucket: 'locked-eu-west', cidrs: ['203.0.113.0/24'] } },
    'eu-north': { objectStorage: { endpoint: 'https://s3.eu-north.example.com', bucket: 'backups-eu-north', lockedBucket: 'locked-eu-north', cidrs: ['198.51.100.0/24'] } },
  },
  clusters: [cluster],
};

export function environment(overrides: { tier?: string; waivers?: Waiver[]; rpoMinutes?: number; retentionDays?: number; crossRegion?: string; immutable?: boolean; domains?: string[]; tenant?: string; name?: string } = {}): TenantEnvironment {
  const tenant = overrides.tenant ?? 'acme';
  const name = overrides.name ?? 'production';
  const tier = overrides.tier ?? 'dedicated';
  return {
    tenant: { name: tenant, displayName: 'Acme', tier, region: 'eu-west', file: `tenants/${tenant}.ts`, owner: 'team-a', costCenter: 'CC1', egress: [], waivers: overrides.waivers ?? [] },
    name,
    tier,
    cluster,
    region: fleet.regions['eu-west'],
    ...(overrides.crossRegion ? { crossRegion: { name: overrides.crossRegion, region: fleet.regions[overrides.crossRegion] } } : {}),
    namespace: `tenant-${tenant}-${name}`,
    domains: overrides.domains ?? ['erp.acme.example'],
    odoo: { version: '18.0', edition: 'community', image: 'registry.example.com/odoo/odoo:18.0-20251101', addons: [], workers: 2, cronThreads: 1, replicas: 2, maxReplicas: 4 },
    database: { storage: '20Gi', instances: 2, postgres: 17 },
    redis: { enabled: false, memory: '256Mi' },
    backup: { rpoMinutes: overrides.rpoMinutes ?? 15, rtoMinutes: 60, retentionDays: overrides.retentionDays ?? 30, crossRegion: overrides.crossRegion, immutable: overrides.immutable ?? false },
    maintenance: { day: 'sunday', start: '03:00', durationMinutes: 60, timeZone: 'UTC' },
    ingress: { rateLimit: { average: 100, burst: 200 }, adminAllowList: ['203.0.113.0/24'], maxUploadMb: 100 },
    fleet,
  };
}

export function labels(tier = 'dedicated', tenant = 'acme', env = 'production'): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': tenant, 'tenantctl.io/tier': tier, 'tenantctl.io/environment': env };
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: NS, labels: labels(), ...extra });

export const secureContainer = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
  name,
  image,
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
  resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '768Mi' } },
  ...extra,
});

export const podSecurity = () => ({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } });

export function compliantObjects(): KubeObject[] {
  const podLabels = { 'app.kubernetes.io/name': 'odoo', 'app.kubernetes.io/instance': 'acme-production', 'app.kubernetes.io/component': 'web' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { ...labels(), 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-traefik'),
      spec: { podSelector: { matchLabels: podLabels }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } } }] }] },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('odoo'), automountServiceAccountToken: false },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('odoo'),
      spec: {
        replicas: 2,
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: 'odoo',
            automountServiceAccountToken: false,
            securityContext: podSecurity(),
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: podLabels } }],
            initContainers: [secureContainer('migrate', 'registry.example.com/odoo/odoo:18.0-20251101')],
            containers: [
              secureContainer('odoo', 'registry.example.com/odoo/odoo:18.0-20251101', {
                ports: [{ name: 'http', containerPort: 8069 }],
                readinessProbe: { httpGet: { path: '/web/health', port: 'http' } },
                livenessProbe: { tcpSocket: { port: 'http' } },
              }),
            ],
          },
        },
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('odoo'), spec: { maxUnavailable: 1, selector: { matchLabels: podLabels } } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('odoo'), spec: { selector: podLabels, ports: [{ name: 'http', port: 8069, targetPort: 'http' }] } },
    { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta('security-headers'), spec: { headers: { stsSeconds: 31536000, stsIncludeSubdomains: true } } },
    { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: meta('admin-only'), spec: { ipAllowList: { sourceRange: ['203.0.113.0/24'] } } },
    {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: meta('odoo'),
      spec: {
        entryPoints: ['websecure'],
        routes: [
          { match: 'Host(`erp.acme.example`)', kind: 'Rule', middlewares: [{ name: 'security-headers' }], services: [{ name: 'odoo', port: 8069 }] },
          { match: 'Host(`acme.eu-1.odoo.example.com`)', kind: 'Rule', middlewares: [{ name: 'security-headers' }], services: [{ name: 'odoo', port: 8069 }] },
          {
            match: 'Host(`erp.acme.example`) && PathPrefix(`/web/database`)',
            kind: 'Rule',
            middlewares: [{ name: 'security-headers' }, { name: 'admin-only' }],
            services: [{ name: 'odoo', port: 8069 }],
          },
          {
            match: 'Host(`acme.eu-1.odoo.example.com`) && PathPrefix(`/web/database`)',
            kind: 'Rule',
            middlewares: [{ name: 'security-headers' }, { name: 'admin-only' }],
            services: [{ name: 'odoo', port: 8069 }],
          },
        ],
        tls: { secretName: 'odoo-tls' },
      },
    },
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: meta('pg'),
      spec: {
        instances: 2,
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
        storage: { size: '20Gi' },
        postgresql: { parameters: { archive_timeout: '5min' } },
        plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'backups' } }],
      },
    },
    { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ScheduledBackup', metadata: meta('pg-daily'), spec: { schedule: '0 0 3 * * *', cluster: { name: 'pg' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } } },
    {
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: meta('backups', { annotations: { 'tenantctl.io/region': 'eu-west', 'tenantctl.io/immutable': 'false' } }),
      spec: { retentionPolicy: '30d', configuration: { destinationPath: 's3://backups-eu-west/eu-1/acme-production' } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('restore-test', { labels: { ...labels(), 'app.kubernetes.io/component': 'restore-test' } }),
      spec: {
        schedule: '0 4 * * 0',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: podSecurity(),
                containers: [secureContainer('restore', 'registry.example.com/tools:1.0')],
              },
            },
          },
        },
      },
    },
  ];
}

export function context(objects: KubeObject[] = compliantObjects(), environments: TenantEnvironment[] = [environment()]): PolicyContext {
  return { cluster, objects, environments, fleet };
}

/** A deep copy of the compliant objects with one object changed. */
export function withChange(kind: string, name: string, change: (o: any) => void, objects = compliantObjects()): KubeObject[] {
  const copy = structuredClone(objects);
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`fixture has no ${kind}/${name}`);
  change(target);
  return copy;
}

export function without(kind: string, name: string, objects = compliantObjects()): KubeObject[] {
  return objects.filter((o) => !(o.kind === kind && o.metadata.name === name));
}
