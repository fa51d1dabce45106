/**
 * Network isolation: deny everything, then open exactly the paths Odoo needs. Traefik in, and
 * out to DNS, its database, Redis, object storage and the integrations the tenant declared.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { CNPG_OPERATOR_NAMESPACE, SHARED_PG_NAMESPACE, SHARED_REDIS_NAMESPACE, TENANT_PG_CLUSTER } from './names.ts';

const port = (n: number, protocol = 'TCP'): k8s.NetworkPolicyPort => ({ port: k8s.IntOrString.fromNumber(n), protocol });
const nsSelector = (name: string): k8s.LabelSelector => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const ODOO = { matchLabels: { 'app.kubernetes.io/name': 'odoo' } };

export interface NetworkProps {
  readonly dedicatedData: boolean;
}

export class TenantNetworkPolicies extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: NetworkProps) {
    super(scope, 'network');
    const namespace = env.namespace;
    const policy = (id: string, name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, id, { metadata: { name, namespace }, spec });

    policy('deny', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('traefik', 'allow-traefik-to-odoo', {
      podSelector: ODOO,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: nsSelector(env.cluster.traefikNamespace), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } } }],
          ports: [port(8069), port(8072)],
        },
      ],
    });
    policy('dns', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: nsSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [port(53, 'UDP'), port(53, 'TCP')] }],
    });
    policy('storage', 'allow-object-storage', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [...env.region.objectStorage.cidrs, ...(env.crossRegion?.region.objectStorage.cidrs ?? [])].map((cidr) => ({ ipBlock: { cidr } })),
          ports: [port(443)],
        },
      ],
    });
    if (props.dedicatedData) {
      const pg = { matchLabels: { 'cnpg.io/cluster': TENANT_PG_CLUSTER } };
      policy('odoo-pg', 'allow-odoo-to-postgres', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: pg }], ports: [port(5432)] }],
      });
      policy('pg-in', 'allow-postgres-ingress', {
        podSelector: pg,
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          { from: [{ podSelector: {} }], ports: [port(5432)] },
          { from: [{ namespaceSelector: nsSelector(CNPG_OPERATOR_NAMESPACE) }], ports: [port(8000), port(5432)] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [port(9187)] },
        ],
        egress: [
          { to: [{ podSelector: pg }], ports: [port(5432), port(8000)] },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [port(443), port(6443)] },
        ],
      });
      if (env.redis.enabled) {
        const redis = { matchLabels: { 'app.kubernetes.io/name': 'redis' } };
        policy('odoo-redis', 'allow-odoo-to-redis', {
          podSelector: ODOO,
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: redis }], ports: [port(6379)] }],
        });
        policy('redis-in', 'allow-redis-ingress', {
          podSelector: redis,
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: ODOO }], ports: [port(6379)] }],
        });
      }
    } else {
      policy('odoo-pg', 'allow-odoo-to-postgres', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ namespaceSelector: nsSelector(SHARED_PG_NAMESPACE), podSelector: { matchLabels: { 'cnpg.io/cluster': 'pg-shared' } } }], ports: [port(5432)] }],
      });
      if (env.redis.enabled) {
        policy('odoo-redis', 'allow-odoo-to-redis', {
          podSelector: ODOO,
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: nsSelector(SHARED_REDIS_NAMESPACE), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } }], ports: [port(6379)] }],
        });
      }
    }
    if (env.tenant.egress.length > 0) {
      policy('integrations', 'allow-integrations', {
        podSelector: ODOO,
        policyTypes: ['Egress'],
        egress: env.tenant.egress.map((rule) => ({ to: [{ ipBlock: { cidr: rule.cidr } }], ports: [port(rule.port, rule.protocol ?? 'TCP')] })),
      });
    }
  }
}
