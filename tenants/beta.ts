import { defineTenant } from '../lib/tenant/schema.ts';

/** Beta Wholesale: standard product on the shared tier. */
export default defineTenant({
  name: 'beta',
  displayName: 'Beta Wholesale',
  tier: 'shared',
  region: 'eu-west',
  odoo: { version: '17.0', image: 'registry.odoo-hosting.example/odoo/odoo:17.0-20251105' },
  environments: {
    production: { domains: ['beta.eu-west.erp.odoo-hosting.example'] },
  },
  labels: { owner: 'team-smb', costCenter: 'CC-2001' },
});
