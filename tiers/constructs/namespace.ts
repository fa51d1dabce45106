/**
 * The tenant environment's namespace and its guard rails: Pod Security `restricted`, a quota
 * against noisy neighbours, container defaults, and an Odoo service account without API access.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { environmentQuota } from '../../lib/tenant/sizing.ts';
import { AUDITOR_SECRETS_ROLE, AUDITOR_SUBJECTS } from './names.ts';

export interface NamespaceProps {
  readonly dedicatedData: boolean;
  /** Extra namespace labels, e.g. the dedicated node pool. */
  readonly labels?: Record<string, string>;
}

export class TenantNamespace extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: NamespaceProps) {
    super(scope, 'namespace');
    const ns = env.namespace;
    const w = env.maintenance;
    new k8s.KubeNamespace(this, 'ns', {
      metadata: {
        name: ns,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.28',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'tenantctl.io/owner': env.tenant.owner,
          'tenantctl.io/cost-center': env.tenant.costCenter,
          ...props.labels,
        },
        annotations: {
          'tenantctl.io/display-name': env.tenant.displayName,
          'tenantctl.io/region': env.cluster.region,
          'tenantctl.io/maintenance-window': `${w.day} ${w.start} ${w.durationMinutes}m ${w.timeZone}`,
        },
      },
    });
    const q = environmentQuota(env, props.dedicatedData);
    new k8s.KubeResourceQuota(this, 'quota', {
      metadata: { name: 'tenant-quota', namespace: ns },
      spec: {
        hard: {
          'requests.cpu': k8s.Quantity.fromString(`${q.requests.cpuMillis}m`),
          'requests.memory': k8s.Quantity.fromString(`${q.requests.memoryMi}Mi`),
          'limits.cpu': k8s.Quantity.fromString(`${q.limits.cpuMillis}m`),
          'limits.memory': k8s.Quantity.fromString(`${q.limits.memoryMi}Mi`),
          persistentvolumeclaims: k8s.Quantity.fromString(props.dedicatedData ? '12' : '4'),
          pods: k8s.Quantity.fromString(String(env.odoo.maxReplicas + (props.dedicatedData ? env.database.instances + 8 : 6))),
          'services.loadbalancers': k8s.Quantity.fromString('0'),
          'services.nodeports': k8s.Quantity.fromString('0'),
        },
      },
    });
    new k8s.KubeLimitRange(this, 'limits', {
      metadata: { name: 'container-defaults', namespace: ns },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
            default: { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('512Mi') },
            max: { memory: k8s.Quantity.fromString(props.dedicatedData ? '16Gi' : '6Gi') },
          },
        ],
      },
    });
    new k8s.KubeServiceAccount(this, 'sa', {
      metadata: { name: 'odoo', namespace: ns },
      automountServiceAccountToken: false,
    });
    // The auditor reads Secrets only in tenant namespaces (ClusterRole in the cluster base).
    new k8s.KubeRoleBinding(this, 'auditor-secrets', {
      metadata: { name: AUDITOR_SECRETS_ROLE, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AUDITOR_SECRETS_ROLE },
      subjects: [...AUDITOR_SUBJECTS],
    });
  }
}
