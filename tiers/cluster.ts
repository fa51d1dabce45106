/**
 * Objects every cluster gets once, whatever tenants it hosts: the platform namespaces tenants'
 * objects go into (Traefik, Velero), the shared PostgreSQL and Redis (where the shared tier runs),
 * Traefik's TLS defaults, and read-only access for the auditor.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import * as barman from '../vendor/imports/barman-barmancloud.cnpg.io.ts';
import * as cnpg from '../vendor/imports/cnpg-postgresql.cnpg.io.ts';
import * as traefik from '../vendor/imports/traefik-traefik.io.ts';
import type { Cluster, Fleet } from '../lib/fleet/schema.ts';
import type { TenantEnvironment } from '../lib/model/environment.ts';
import { basePart, type ClusterBasePart } from '../lib/tier/tier.ts';
import { databaseName, BARMAN_PLUGIN, SHARED_PG_CLUSTER, SHARED_PG_NAMESPACE, SHARED_REDIS_NAMESPACE, VELERO_NAMESPACE, AUDITOR_NAMESPACE, AUDITOR_SECRETS_ROLE, AUDITOR_SUBJECTS } from './constructs/names.ts';
import { REDIS_POD_SECURITY, REDIS_SECURITY } from './constructs/redis.ts';
import { pluginScheduledBackup } from './constructs/postgres.ts';
import { externalSecret } from './constructs/secrets.ts';

const q = (s: string) => k8s.Quantity.fromString(s);
export { AUDITOR_NAMESPACE };

function restrictedNamespace(scope: Construct, id: string, name: string): void {
  new k8s.KubeNamespace(scope, id, {
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.28' } },
  });
  new k8s.KubeNetworkPolicy(scope, `${id}-deny`, { metadata: { name: 'default-deny', namespace: name }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
}

/**
 * Namespaces of platform components that generated/ puts objects into (Traefik's TLSOption and
 * Middlewares, one Velero Schedule per tenant environment) but whose operators are installed
 * apart. Declared here so a cluster with only the operators installed syncs on the first try
 * (Flux applies a folder's namespaced objects as one stage: one missing namespace blocks them
 * all). Neither engine may delete them: they hold the operators, which tenantctl does not own.
 */
export const KEEP_ON_DELETE = {
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false',
} as const;

export function platformNamespaces(cluster: Cluster): string[] {
  return [cluster.traefikNamespace, VELERO_NAMESPACE];
}

/** Only namespaces of shared-tier tenants may reach the shared data plane. */
const SHARED_TENANTS: k8s.NetworkPolicyPeer = { namespaceSelector: { matchLabels: { 'tenantctl.io/tier': 'shared' } } };

/**
 * Core kinds the auditor reads everywhere: every core kind the audit compares or scans, but not
 * Secrets (read only in tenant namespaces, below), nor events and endpoints (never scanned).
 */
const AUDITOR_CORE_RESOURCES = ['namespaces', 'pods', 'services', 'configmaps', 'serviceaccounts', 'persistentvolumeclaims', 'persistentvolumes',
  'limitranges', 'resourcequotas', 'replicationcontrollers', 'podtemplates'];

/**
 * API groups whose kinds the auditor reads everywhere: the built-in groups and those of the
 * platform CRDs (vendor/crds). A kind of any other group is not readable: the audit names it as
 * not scanned (`unscanned` in the report) instead of failing; add its group here to scan it.
 */
const AUDITOR_GROUPS = ['apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'scheduling.k8s.io', 'node.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'certificates.k8s.io', 'resource.k8s.io',
  'argoproj.io', 'barmancloud.cnpg.io', 'cert-manager.io', 'external-secrets.io', 'kustomize.toolkit.fluxcd.io', 'monitoring.coreos.com',
  'postgresql.cnpg.io', 'source.toolkit.fluxcd.io', 'traefik.io', 'velero.io'];

/**
 * Read-only access for `tenantctl audit`, no wider than what it reads: get/list (no watch, no
 * write) of the core kinds and API groups above across the cluster, and Secrets only in the
 * tenant namespaces (a RoleBinding each, made with the namespace in the tenant's folder so a
 * GitOps engine never applies it before its namespace exists), where hand edits of
 * controller-made Secrets are looked for. Trade-off: Secrets elsewhere, and kinds of groups not listed, are not
 * seen. `--server-dry-run` needs `patch` on top (not granted here).
 */
function renderAuditorAccess(scope: Construct): void {
  new k8s.KubeClusterRole(scope, 'auditor-role', {
    metadata: { name: 'tenantctl-auditor' },
    rules: [
      { apiGroups: [''], resources: AUDITOR_CORE_RESOURCES, verbs: ['get', 'list'] },
      { apiGroups: AUDITOR_GROUPS, resources: ['*'], verbs: ['get', 'list'] },
    ],
  });
  new k8s.KubeClusterRoleBinding(scope, 'auditor-binding', {
    metadata: { name: 'tenantctl-auditor' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenantctl-auditor' },
    subjects: [...AUDITOR_SUBJECTS],
  });
  new k8s.KubeClusterRole(scope, 'auditor-secrets-role', {
    metadata: { name: AUDITOR_SECRETS_ROLE },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
  });
}

/** One database role of the shared PostgreSQL per shared tenant environment: what its Cluster object reads of them. */
interface SharedRole {
  readonly name: string;
  readonly passwordSecret: string;
  readonly connectionLimit: number;
}

/**
 * The cluster base, in parts (lib/tier/tier.ts ClusterBasePart) that read only their inputs: the
 * platform objects and the shared data plane's fixed objects read none; the shared PostgreSQL
 * Cluster reads each shared environment's role (its connection limit follows workers and
 * replicas) and their count (storage); the shared Redis reads which environments have an ACL.
 */
export function renderClusterBase(cluster: Cluster, fleet: Fleet, envs: readonly TenantEnvironment[]): ClusterBasePart[] {
  const parts = [basePart('platform', null, (scope) => renderPlatform(scope, cluster))];
  if (!cluster.tiers.includes('shared')) return parts;
  const sharedEnvs = envs.filter((e) => e.tier === 'shared');
  const roles = sharedEnvs.map((e): SharedRole => ({ name: databaseName(e), passwordSecret: `role-${e.tenant.name}-${e.name}`, connectionLimit: 10 + e.odoo.maxReplicas * (e.odoo.workers + 2) }));
  const aclSecrets = sharedEnvs.filter((e) => e.redis.enabled).map((e) => `acl-${e.tenant.name}-${e.name}`);
  parts.push(
    basePart('shared-postgres', null, (scope) => renderSharedPostgres(scope, cluster, fleet)),
    basePart('shared-postgres-cluster', { sharedEnvironments: sharedEnvs.length, roles }, (scope, inputs) => renderSharedPostgresCluster(scope, fleet, inputs)),
    basePart('shared-redis', { aclSecrets }, (scope, inputs) => renderSharedRedis(scope, fleet, inputs)),
  );
  return parts;
}

/** Platform namespaces, Traefik's TLS defaults and redirect, the auditor's access: the same for any tenants. */
function renderPlatform(scope: Construct, cluster: Cluster): void {
  for (const name of platformNamespaces(cluster)) {
    new k8s.KubeNamespace(scope, `platform-ns-${name}`, { metadata: { name, annotations: { ...KEEP_ON_DELETE } } });
  }
  new traefik.TlsOption(scope, 'tls', {
    metadata: { name: 'default', namespace: cluster.traefikNamespace },
    spec: { minVersion: 'VersionTLS12', sniStrict: true, cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305'] },
  });
  new traefik.Middleware(scope, 'redirect', {
    metadata: { name: 'redirect-https', namespace: cluster.traefikNamespace },
    spec: { redirectScheme: { scheme: 'https', permanent: true } },
  });

  new k8s.KubeNamespace(scope, 'auditor-ns', { metadata: { name: AUDITOR_NAMESPACE } });
  new k8s.KubeServiceAccount(scope, 'auditor-sa', { metadata: { name: 'tenantctl-auditor', namespace: AUDITOR_NAMESPACE }, automountServiceAccountToken: false });
  renderAuditorAccess(scope);
}

/** The shared PostgreSQL's namespace, network policy, object storage and daily backup. */
function renderSharedPostgres(scope: Construct, cluster: Cluster, fleet: Fleet): void {
  const region = fleet.regions[cluster.region];
  restrictedNamespace(scope, 'pg-ns', SHARED_PG_NAMESPACE);
  new k8s.KubeNetworkPolicy(scope, 'pg-allow', {
    metadata: { name: 'allow-postgres', namespace: SHARED_PG_NAMESPACE },
    spec: {
      podSelector: { matchLabels: { 'cnpg.io/cluster': SHARED_PG_CLUSTER } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [SHARED_TENANTS, { podSelector: {} }], ports: [{ port: k8s.IntOrString.fromNumber(5432), protocol: 'TCP' }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } } }], ports: [{ port: k8s.IntOrString.fromNumber(8000), protocol: 'TCP' }] },
      ],
      egress: [
        { to: [{ podSelector: {} }], ports: [{ port: k8s.IntOrString.fromNumber(5432), protocol: 'TCP' }] },
        { to: region.objectStorage.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: k8s.IntOrString.fromNumber(443), protocol: 'TCP' }] },
      ],
    },
  });
  externalSecret(scope, 'pg-storage', fleet, {
    name: 'object-storage',
    namespace: SHARED_PG_NAMESPACE,
    remoteKey: `object-storage/${cluster.region}`,
    keys: { ACCESS_KEY_ID: 'access-key-id', ACCESS_SECRET_KEY: 'secret-access-key' },
  });
  new barman.ObjectStore(scope, 'pg-store', {
    metadata: { name: 'pg-shared-backup', namespace: SHARED_PG_NAMESPACE, annotations: { 'tenantctl.io/region': cluster.region, 'tenantctl.io/immutable': 'false' } },
    spec: {
      retentionPolicy: '30d',
      configuration: {
        destinationPath: `s3://${region.objectStorage.bucket}/postgres/${cluster.name}/pg-shared/`,
        endpointUrl: region.objectStorage.endpoint,
        s3Credentials: { accessKeyId: { name: 'object-storage', key: 'ACCESS_KEY_ID' }, secretAccessKey: { name: 'object-storage', key: 'ACCESS_SECRET_KEY' } },
        wal: { compression: barman.ObjectStoreSpecConfigurationWalCompression.GZIP },
        data: { compression: barman.ObjectStoreSpecConfigurationDataCompression.GZIP },
      },
    },
  });
  pluginScheduledBackup(scope, 'pg-backup', { name: 'pg-shared-daily', namespace: SHARED_PG_NAMESPACE, cluster: SHARED_PG_CLUSTER, schedule: '0 0 1 * * *', immediate: true });
}

/** The shared PostgreSQL Cluster: one managed role per shared tenant environment. */
function renderSharedPostgresCluster(scope: Construct, fleet: Fleet, inputs: { readonly sharedEnvironments: number; readonly roles: readonly SharedRole[] }): void {
  new cnpg.Cluster(scope, 'pg', {
    metadata: { name: SHARED_PG_CLUSTER, namespace: SHARED_PG_NAMESPACE },
    spec: {
      instances: 3,
      imageName: fleet.images.postgres['16'],
      primaryUpdateStrategy: cnpg.ClusterSpecPrimaryUpdateStrategy.UNSUPERVISED,
      storage: { size: `${Math.max(100, inputs.sharedEnvironments * 10)}Gi` },
      resources: {
        requests: { cpu: cnpg.ClusterSpecResourcesRequests.fromString('2'), memory: cnpg.ClusterSpecResourcesRequests.fromString('8Gi') },
        limits: { cpu: cnpg.ClusterSpecResourcesLimits.fromString('4'), memory: cnpg.ClusterSpecResourcesLimits.fromString('8Gi') },
      },
      affinity: { enablePodAntiAffinity: true, topologyKey: 'topology.kubernetes.io/zone', podAntiAffinityType: 'preferred' },
      postgresql: { parameters: { archive_timeout: '5min', max_connections: '500' } },
      plugins: [{ name: BARMAN_PLUGIN, isWalArchiver: true, parameters: { barmanObjectName: 'pg-shared-backup' } }],
      managed: {
        roles: inputs.roles.map((r) => ({
          name: r.name,
          login: true,
          ensure: cnpg.ClusterSpecManagedRolesEnsure.PRESENT,
          passwordSecret: { name: r.passwordSecret },
          connectionLimit: r.connectionLimit,
        })),
      },
    },
  });
}

/** The shared Redis, reading each shared environment's ACL Secret. */
function renderSharedRedis(scope: Construct, fleet: Fleet, inputs: { readonly aclSecrets: readonly string[] }): void {
  restrictedNamespace(scope, 'redis-ns', SHARED_REDIS_NAMESPACE);
  const redisLabels = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'shared' };
  new k8s.KubeNetworkPolicy(scope, 'redis-allow', {
    metadata: { name: 'allow-redis', namespace: SHARED_REDIS_NAMESPACE },
    spec: { podSelector: { matchLabels: redisLabels }, policyTypes: ['Ingress'], ingress: [{ from: [SHARED_TENANTS], ports: [{ port: k8s.IntOrString.fromNumber(6379), protocol: 'TCP' }] }] },
  });
  const { aclSecrets } = inputs;
  new k8s.KubeStatefulSet(scope, 'redis', {
    metadata: { name: 'redis', namespace: SHARED_REDIS_NAMESPACE },
    spec: {
      serviceName: 'redis',
      replicas: 1,
      selector: { matchLabels: redisLabels },
      template: {
        metadata: { labels: redisLabels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: REDIS_POD_SECURITY,
          initContainers: [
            {
              // Redis reads one ACL file: join the per-tenant ACL lines the External Secrets produce.
              name: 'acl',
              image: fleet.images.redis,
              command: ['/bin/sh', '-ec', 'echo "user default off" > /acl/users.acl; for f in /acl.d/*/user.acl; do [ -e "$f" ] && cat "$f" >> /acl/users.acl; done; true'],
              resources: { requests: { cpu: q('10m'), memory: q('16Mi') }, limits: { cpu: q('100m'), memory: q('32Mi') } },
              securityContext: REDIS_SECURITY,
              volumeMounts: [{ name: 'acl', mountPath: '/acl' }, ...aclSecrets.map((s) => ({ name: s, mountPath: `/acl.d/${s}`, readOnly: true }))],
            },
          ],
          containers: [
            {
              name: 'redis',
              image: fleet.images.redis,
              args: ['--aclfile', '/acl/users.acl', '--maxmemory', '2gb', '--maxmemory-policy', 'volatile-lru', '--appendonly', 'yes', '--dir', '/data'],
              ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
              resources: { requests: { cpu: q('500m'), memory: q('3Gi') }, limits: { cpu: q('2'), memory: q('3Gi') } },
              readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 10 },
              livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 20 },
              securityContext: REDIS_SECURITY,
              volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'acl', mountPath: '/acl', readOnly: true }],
            },
          ],
          volumes: [{ name: 'acl', emptyDir: { sizeLimit: q('1Mi') } }, ...aclSecrets.map((s) => ({ name: s, secret: { secretName: s, optional: true } }))],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: q('10Gi') } } } }],
    },
  });
  new k8s.KubeService(scope, 'redis-svc', {
    metadata: { name: 'redis', namespace: SHARED_REDIS_NAMESPACE },
    spec: { type: 'ClusterIP', selector: redisLabels, ports: [{ name: 'redis', port: 6379, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }] },
  });
}
