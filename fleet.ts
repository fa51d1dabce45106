/**
 * The fleet: the clusters tenants run on and fleet-wide settings. Placement chooses a cluster by
 * tier and region; a tenant never leaves its region.
 */
import { defineFleet } from './lib/fleet/schema.ts';

export default defineFleet({
  gitops: { repoURL: 'https://github.com/odoo-hosting/tenantctl.git', branch: 'main', path: 'generated' },
  secretStore: { kind: 'ClusterSecretStore', name: 'vault' },
  issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' },
  allowedRegistries: ['registry.odoo-hosting.example/', 'ghcr.io/cloudnative-pg/', 'docker.io/library/redis'],
  images: {
    postgres: {
      '15': 'ghcr.io/cloudnative-pg/postgresql:15.10',
      '16': 'ghcr.io/cloudnative-pg/postgresql:16.6',
      '17': 'ghcr.io/cloudnative-pg/postgresql:17.2',
    },
    redis: 'docker.io/library/redis:7.4.2',
    tools: 'registry.odoo-hosting.example/platform/db-tools:2025.11.1',
  },
  regions: {
    'eu-west': {
      objectStorage: { endpoint: 'https://s3.eu-west.odoo-hosting.example', bucket: 'tenantctl-eu-west', lockedBucket: 'tenantctl-eu-west-locked', cidrs: ['198.18.10.0/24'] },
    },
    'eu-central': {
      objectStorage: { endpoint: 'https://s3.eu-central.odoo-hosting.example', bucket: 'tenantctl-eu-central', lockedBucket: 'tenantctl-eu-central-locked', cidrs: ['198.18.20.0/24'] },
    },
  },
  // engine: the GitOps engine that syncs the cluster (flux | argocd). eu-central-1 names none
  // (e.g. during a migration): it gets both folders, and the audit tells them apart by the CRDs served.
  clusters: [
    { name: 'eu-west-shared-1', region: 'eu-west', tiers: ['shared'], capacity: { cpu: 96, memoryGi: 384 }, baseDomain: 'eu-west.erp.odoo-hosting.example', traefikNamespace: 'traefik', context: 'eu-west-shared-1', engine: 'flux' },
    { name: 'eu-west-dedicated-1', region: 'eu-west', tiers: ['dedicated', 'regulated'], capacity: { cpu: 192, memoryGi: 768 }, baseDomain: 'eu-west.erp.odoo-hosting.example', traefikNamespace: 'traefik', context: 'eu-west-dedicated-1', engine: 'argocd' },
    { name: 'eu-central-1', region: 'eu-central', tiers: ['shared', 'dedicated', 'regulated'], capacity: { cpu: 128, memoryGi: 512 }, baseDomain: 'eu-central.erp.odoo-hosting.example', traefikNamespace: 'traefik', context: 'eu-central-1' },
  ],
});
