import { defineTenant } from '../lib/tenant/schema.ts';

/** ACME Distribution: dedicated production, staging on the shared tier (hybrid). */
export default defineTenant({
  name: 'acme',
  displayName: 'ACME Distribution',
  tier: 'dedicated',
  region: 'eu-west',
  odoo: {
    version: '18.0',
    edition: 'enterprise',
    image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110',
    workers: 6,
    cronThreads: 2,
    addons: ['stock_barcode', 'edi_gateway'],
  },
  environments: {
    production: { domains: ['erp.acme.example', 'acme.eu-west.erp.odoo-hosting.example'], replicas: 3, maxReplicas: 6 },
    staging: { tier: 'shared', workers: 2, domains: ['acme-staging.eu-west.erp.odoo-hosting.example'] },
  },
  database: { storage: '80Gi', instances: 3, postgres: 16 },
  redis: { enabled: true, memory: '512Mi' },
  backup: { rpoMinutes: 15, rtoMinutes: 120, retentionDays: 30 },
  maintenance: { day: 'sunday', start: '02:00', durationMinutes: 120, timeZone: 'Europe/Paris' },
  ingress: { rateLimit: { average: 300, burst: 600 }, adminAllowList: ['203.0.113.0/24'], maxUploadMb: 256 },
  egress: [
    { name: 'edi-gateway', cidr: '198.51.100.10/32', port: 443 },
    { name: 'carrier-dhl', cidr: '198.51.100.64/28', port: 443 },
  ],
  labels: { owner: 'team-logistics', costCenter: 'CC-1001' },
});
