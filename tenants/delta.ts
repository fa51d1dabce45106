import { defineTenant } from '../lib/tenant/schema.ts';

/** Delta Foods: dedicated, Odoo 19, EDI with retailers over AS2. */
export default defineTenant({
  name: 'delta',
  displayName: 'Delta Foods',
  tier: 'dedicated',
  region: 'eu-central',
  odoo: { version: '19.0', edition: 'enterprise', image: 'registry.odoo-hosting.example/odoo/odoo:19.0-20251112', workers: 8, cronThreads: 3, addons: ['edi_as2'] },
  environments: {
    production: { domains: ['erp.deltafoods.example'], replicas: 2, maxReplicas: 5 },
    staging: { domains: ['staging.erp.deltafoods.example'], replicas: 1, maxReplicas: 1, workers: 2, database: { instances: 1, storage: '20Gi' } },
  },
  database: { storage: '120Gi', instances: 3, postgres: 17 },
  backup: { rpoMinutes: 10, rtoMinutes: 90, retentionDays: 45 },
  maintenance: { day: 'saturday', start: '23:00', durationMinutes: 180, timeZone: 'Europe/Berlin' },
  ingress: { rateLimit: { average: 400, burst: 800 }, adminAllowList: ['203.0.113.32/27'], maxUploadMb: 512 },
  egress: [{ name: 'edi-as2', cidr: '198.51.100.200/32', port: 4080 }],
  labels: { owner: 'team-enterprise', costCenter: 'CC-3001' },
});
