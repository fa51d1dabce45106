import { defineTenant } from '../lib/tenant/schema.ts';

/** Eagle Pharma Distribution: regulated; backups copied immutably to eu-central. */
export default defineTenant({
  name: 'eagle',
  displayName: 'Eagle Pharma Distribution',
  tier: 'regulated',
  region: 'eu-west',
  odoo: { version: '17.0', edition: 'enterprise', image: 'registry.odoo-hosting.example/odoo/odoo:17.0-20251105', workers: 6, cronThreads: 2 },
  environments: {
    production: { domains: ['erp.eagle-pharma.example'] },
    validation: { domains: ['validation.erp.eagle-pharma.example'], replicas: 2, maxReplicas: 2, workers: 2 },
  },
  backup: { rpoMinutes: 5, rtoMinutes: 60, retentionDays: 3650, crossRegion: 'eu-central', immutable: true },
  maintenance: { day: 'sunday', start: '03:00', durationMinutes: 60, timeZone: 'Europe/Dublin' },
  ingress: { rateLimit: { average: 200, burst: 300 }, adminAllowList: ['203.0.113.64/28'], maxUploadMb: 64 },
  labels: { owner: 'team-regulated', costCenter: 'CC-4001' },
});
