import { defineTenant } from '../lib/tenant/schema.ts';

/** Granite Building Materials: shared tier, Redis sessions off. */
export default defineTenant({
  name: 'granite',
  displayName: 'Granite Building Materials',
  tier: 'shared',
  region: 'eu-west',
  odoo: { version: '18.0', edition: 'community', image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110', workers: 2, cronThreads: 1 },
  environments: {
    production: { domains: ['erp.granite-bm.example', 'granite.eu-west.erp.odoo-hosting.example'] },
  },
  redis: { enabled: false },
  labels: { owner: 'team-smb', costCenter: 'CC-2003' },
});
