import { defineTenant } from '../lib/tenant/schema.ts';

/** Fjord Marine Supply: hybrid, dedicated production and shared staging and training. */
export default defineTenant({
  name: 'fjord',
  displayName: 'Fjord Marine Supply',
  tier: 'dedicated',
  region: 'eu-central',
  odoo: { version: '18.0', image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110', workers: 4 },
  environments: {
    production: { domains: ['erp.fjord-marine.example'] },
    staging: { tier: 'shared', domains: ['fjord-staging.eu-central.erp.odoo-hosting.example'] },
    training: { tier: 'shared', domains: ['fjord-training.eu-central.erp.odoo-hosting.example'], workers: 1 },
  },
  labels: { owner: 'team-enterprise', costCenter: 'CC-3002' },
});
