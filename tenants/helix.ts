import { defineTenant } from '../lib/tenant/schema.ts';

/** Helix Medical Devices: regulated in eu-central, copy to eu-west; pinned cluster. */
export default defineTenant({
  name: 'helix',
  displayName: 'Helix Medical Devices',
  tier: 'regulated',
  region: 'eu-central',
  odoo: { version: '18.0', edition: 'enterprise', image: 'registry.odoo-hosting.example/odoo/odoo@sha256:3f1c1d8e0a4b7c2d9e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', workers: 8 },
  environments: {
    production: { cluster: 'eu-central-1', domains: ['erp.helix-med.example'] },
  },
  database: { storage: '200Gi', instances: 3, postgres: 16 },
  backup: { rpoMinutes: 5, retentionDays: 2555, crossRegion: 'eu-west' },
  labels: { owner: 'team-regulated', costCenter: 'CC-4002' },
});
