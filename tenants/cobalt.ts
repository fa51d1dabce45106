import { defineTenant } from '../lib/tenant/schema.ts';

/** Cobalt Logistics: shared tier with a training environment and a carrier integration. */
export default defineTenant({
  name: 'cobalt',
  displayName: 'Cobalt Logistics',
  tier: 'shared',
  region: 'eu-central',
  odoo: { version: '18.0', image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110', workers: 3 },
  environments: {
    production: { domains: ['erp.cobalt-logistics.example'] },
    training: { domains: ['cobalt-training.eu-central.erp.odoo-hosting.example'], workers: 1 },
  },
  backup: { rpoMinutes: 120, retentionDays: 21 },
  egress: [{ name: 'carrier-ups', cidr: '198.51.100.128/28', port: 443 }],
  labels: { owner: 'team-smb', costCenter: 'CC-2002' },
});
