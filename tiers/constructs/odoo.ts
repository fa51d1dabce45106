/**
 * Odoo itself: odoo.conf, the web Deployment (HTTP workers and the websocket/gevent worker),
 * a separate cron Deployment (`--no-http`), the Service, the filestore and, when there is more
 * than one web replica, autoscaling and a disruption budget.
 */
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { cronResources, type Resources, webResources } from '../../lib/tenant/sizing.ts';
import { databaseName, ODOO_GID, ODOO_UID, odooLabels } from './names.ts';
import { nodePoolPlacement } from './node-pool.ts';
import { restrictedContainer, restrictedPod } from './security-context.ts';

export interface OdooProps {
  /** Host name of the PostgreSQL read-write service. */
  readonly databaseHost: string;
  /** Host name of Redis, when sessions are kept there. */
  readonly redisHost?: string;
  /** Spread web pods across zones (dedicated and regulated). */
  readonly zoneSpread: boolean;
  /** Dedicated node pool: a node selector and the matching toleration. */
  readonly nodePool?: string;
  readonly storageClass?: string;
}

const q = (s: string) => k8s.Quantity.fromString(s);
const toK8s = (r: Resources): k8s.ResourceRequirements => ({
  requests: { cpu: q(r.requests.cpu), memory: q(r.requests.memory) },
  limits: { cpu: q(r.limits.cpu), memory: q(r.limits.memory) },
});

export function odooConf(env: TenantEnvironment, databaseHost: string): string {
  const softMb = 2048;
  const lines = [
    '[options]',
    'proxy_mode = True',
    'list_db = False',
    `db_name = ${databaseName(env)}`,
    `dbfilter = ^${databaseName(env)}$`,
    `db_host = ${databaseHost}`,
    'db_port = 5432',
    'db_sslmode = prefer',
    'data_dir = /var/lib/odoo',
    'addons_path = /mnt/extra-addons',
    `workers = ${env.odoo.workers}`,
    'max_cron_threads = 0',
    'gevent_port = 8072',
    `limit_memory_soft = ${softMb * 1024 * 1024}`,
    `limit_memory_hard = ${Math.round(softMb * 1.25) * 1024 * 1024}`,
    'limit_time_cpu = 60',
    'limit_time_real = 120',
    'limit_time_real_cron = 600',
    'limit_request = 65536',
    'without_demo = all',
    'log_level = info',
    `server_wide_modules = base,web${env.redis.enabled ? ',session_redis' : ''}`,
  ];
  return lines.join('\n') + '\n';
}

export class Odoo extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: OdooProps) {
    super(scope, 'odoo');
    const namespace = env.namespace;
    const conf = odooConf(env, props.databaseHost);
    new k8s.KubeConfigMap(this, 'conf', { metadata: { name: 'odoo-conf', namespace }, data: { 'odoo.conf': conf } });

    new k8s.KubePersistentVolumeClaim(this, 'filestore', {
      metadata: { name: 'odoo-filestore', namespace },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: props.storageClass,
        resources: { requests: { storage: q(env.database.storage) } },
      },
    });

    const confHash = createHash('sha256').update(conf).digest('hex').slice(0, 16);
    const web = odooLabels(env, 'web');
    const multi = env.odoo.maxReplicas > 1;
    new k8s.KubeDeployment(this, 'web', {
      metadata: { name: 'odoo-web', namespace },
      spec: {
        // With an HPA the replica count is the HPA's: leaving it out of Git avoids a sync fight.
        replicas: multi ? undefined : env.odoo.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: web },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: this.podTemplate(env, props, web, confHash, {
          name: 'odoo',
          args: ['--max-cron-threads=0'],
          ports: [
            { name: 'http', containerPort: 8069, protocol: 'TCP' },
            { name: 'websocket', containerPort: 8072, protocol: 'TCP' },
          ],
          resources: toK8s(webResources(env.odoo.workers)),
          startupProbe: { httpGet: { path: '/web/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 30 },
          livenessProbe: { httpGet: { path: '/web/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 3 },
          readinessProbe: { httpGet: { path: '/web/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        }),
      },
    });

    const cron = odooLabels(env, 'cron');
    new k8s.KubeDeployment(this, 'cron', {
      metadata: { name: 'odoo-cron', namespace },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 5,
        selector: { matchLabels: cron },
        // Two cron processes on one database would run the same jobs twice.
        strategy: { type: 'Recreate' },
        template: this.podTemplate(env, props, cron, confHash, {
          name: 'odoo',
          args: ['--no-http', '--workers=0', `--max-cron-threads=${env.odoo.cronThreads}`],
          resources: toK8s(cronResources(env.odoo.cronThreads)),
        }),
      },
    });

    new k8s.KubeService(this, 'svc', {
      metadata: { name: 'odoo', namespace },
      spec: {
        type: 'ClusterIP',
        selector: web,
        ports: [
          { name: 'http', port: 8069, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
          { name: 'websocket', port: 8072, targetPort: k8s.IntOrString.fromString('websocket'), protocol: 'TCP' },
        ],
      },
    });

    if (multi) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'hpa', {
        metadata: { name: 'odoo-web', namespace },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'odoo-web' },
          minReplicas: env.odoo.replicas,
          maxReplicas: env.odoo.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      });
    }
    if (env.odoo.replicas > 1) {
      new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: 'odoo-web', namespace },
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: web } },
      });
    }
  }

  private podTemplate(env: TenantEnvironment, props: OdooProps, labels: Record<string, string>, confHash: string, main: Partial<k8s.Container> & { name: string }): k8s.PodTemplateSpec {
    const secure = restrictedContainer(ODOO_UID, ODOO_GID);
    const secretEnv = (name: string, secret: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    const envVars: k8s.EnvVar[] = [
      { name: 'ODOO_RC', value: '/etc/odoo/odoo.conf' },
      secretEnv('USER', 'odoo-db', 'username'),
      secretEnv('PASSWORD', 'odoo-db', 'password'),
    ];
    if (props.redisHost) {
      envVars.push(
        { name: 'ODOO_SESSION_REDIS', value: '1' },
        { name: 'ODOO_SESSION_REDIS_HOST', value: props.redisHost },
        { name: 'ODOO_SESSION_REDIS_PORT', value: '6379' },
        { name: 'ODOO_SESSION_REDIS_PREFIX', value: `${env.tenant.name}-${env.name}` },
        secretEnv('ODOO_SESSION_REDIS_PASSWORD', 'redis', 'password'),
      );
    }
    const mounts: k8s.VolumeMount[] = [
      { name: 'config', mountPath: '/etc/odoo' },
      { name: 'filestore', mountPath: '/var/lib/odoo' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    const zone = props.zoneSpread ? 'DoNotSchedule' : 'ScheduleAnyway';
    return {
      metadata: { labels, annotations: { 'tenantctl.io/config-hash': confHash } },
      spec: {
        serviceAccountName: 'odoo',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPod(ODOO_UID, ODOO_GID),
        ...nodePoolPlacement(props.nodePool),
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: zone, labelSelector: { matchLabels: labels } },
          { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
        ],
        initContainers: [
          {
            // admin_passwd can only be set in odoo.conf: append it from the Secret at start-up so
            // the ConfigMap in Git never holds it.
            name: 'render-config',
            image: env.odoo.image,
            command: ['/bin/sh', '-c', 'cp /etc/odoo-base/odoo.conf /etc/odoo/odoo.conf && printf "admin_passwd = %s\\n" "$ADMIN_PASSWD" >> /etc/odoo/odoo.conf'],
            env: [secretEnv('ADMIN_PASSWD', 'odoo-admin', 'password')],
            volumeMounts: [
              { name: 'config-base', mountPath: '/etc/odoo-base', readOnly: true },
              { name: 'config', mountPath: '/etc/odoo' },
            ],
            resources: { requests: { cpu: q('50m'), memory: q('64Mi') }, limits: { cpu: q('200m'), memory: q('128Mi') } },
            securityContext: secure,
          },
        ],
        containers: [{ image: env.odoo.image, imagePullPolicy: 'IfNotPresent', env: envVars, volumeMounts: mounts, securityContext: secure, ...main }],
        volumes: [
          { name: 'config-base', configMap: { name: 'odoo-conf' } },
          { name: 'config', emptyDir: { sizeLimit: q('1Mi') } },
          { name: 'filestore', persistentVolumeClaim: { claimName: 'odoo-filestore' } },
          { name: 'tmp', emptyDir: { sizeLimit: q('1Gi') } },
        ],
      },
    };
  }
}
