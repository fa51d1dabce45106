/**
 * Redis for Odoo sessions. Dedicated data plane: the tenant's own single-instance Redis with a
 * password. Shared: an ACL user limited to the tenant's key prefix on the cluster's Redis.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { redisResources } from '../../lib/tenant/sizing.ts';
import { externalSecret } from './secrets.ts';
import { secretKey, SHARED_REDIS_NAMESPACE } from './names.ts';
import { nodePoolPlacement } from './node-pool.ts';
import { restrictedContainer, restrictedPod } from './security-context.ts';

const q = (s: string) => k8s.Quantity.fromString(s);
export const REDIS_UID = 999;

/** Container security every Redis pod shares (tenant and shared instances). */
export const REDIS_SECURITY: k8s.SecurityContext = restrictedContainer(REDIS_UID, REDIS_UID);
/** Pod security every Redis pod shares (tenant and shared instances). */
export const REDIS_POD_SECURITY: k8s.PodSecurityContext = restrictedPod(REDIS_UID, REDIS_UID);

export class DedicatedRedis extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: { readonly nodePool?: string }) {
    super(scope, 'redis');
    const namespace = env.namespace;
    const labels = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': `${env.tenant.name}-${env.name}` };
    const r = redisResources(env.redis.memory);
    const maxMemoryMb = Math.floor(Number.parseInt(r.requests.memory, 10) * 0.8);
    externalSecret(this, 'secret', env.fleet, { name: 'redis', namespace, remoteKey: secretKey(env, 'redis'), keys: { password: 'password' } });
    new k8s.KubeStatefulSet(this, 'sts', {
      metadata: { name: 'redis', namespace },
      spec: {
        serviceName: 'redis',
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: REDIS_POD_SECURITY,
            ...nodePoolPlacement(props.nodePool),
            containers: [
              {
                name: 'redis',
                image: env.fleet.images.redis,
                args: ['--requirepass', '$(REDIS_PASSWORD)', '--maxmemory', `${maxMemoryMb}mb`, '--maxmemory-policy', 'volatile-lru', '--appendonly', 'yes', '--dir', '/data'],
                env: [{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } }],
                ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
                resources: { requests: { cpu: q(r.requests.cpu), memory: q(r.requests.memory) }, limits: { cpu: q(r.limits.cpu), memory: q(r.limits.memory) } },
                readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('redis') }, periodSeconds: 20, failureThreshold: 3 },
                securityContext: REDIS_SECURITY,
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: q('2Gi') } } } },
        ],
      },
    });
    new k8s.KubeService(this, 'svc', {
      metadata: { name: 'redis', namespace },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'redis', port: 6379, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }] },
    });
  }
}

/** Name of the tenant environment's ACL user on the shared Redis. */
export function redisUser(env: Pick<TenantEnvironment, 'tenant' | 'name'>): string {
  return `t-${env.tenant.name}-${env.name}`;
}

export class SharedRedisUser extends Construct {
  constructor(scope: Construct, env: TenantEnvironment) {
    super(scope, 'redis');
    const user = redisUser(env);
    // Same remote secret on both sides: the tenant's password, and its ACL line for the shared instance.
    externalSecret(this, 'secret', env.fleet, { name: 'redis', namespace: env.namespace, remoteKey: secretKey(env, 'redis'), keys: { password: 'password' } });
    externalSecret(this, 'acl', env.fleet, {
      name: `acl-${env.tenant.name}-${env.name}`,
      namespace: SHARED_REDIS_NAMESPACE,
      remoteKey: secretKey(env, 'redis'),
      keys: { password: 'password' },
      templateData: {
        'user.acl': `user ${user} on >{{ .password }} resetkeys ~session:${env.tenant.name}-${env.name}:* resetchannels -@all +@read +@write +@connection -@dangerous\n`,
      },
    });
  }
}
