/**
 * SARIF results point into tenant files through the positions the file was read with, the same
 * mapping compile errors use; the text heuristics remain for fields the file does not write.
 */
import { describe, expect, it } from 'vitest';
import { readStaticModule } from '../../lib/io/static-module.ts';
import type { Finding } from '../../lib/policy/types.ts';
import { locateInTenantFile } from '../../lib/report/locate.ts';

const TEXT = `import { defineTenant } from '../lib/tenant/schema.ts';

// domains: one host per environment, see the README
export default defineTenant({
  name: 'acme',
  environments: {
    staging: { domains: ['staging.acme.example'] },
    production: {
      domains: ['erp.acme.example'],
    },
  },
});
`;

const finding = (policy: string, environment?: string): Finding =>
  ({ policy, severity: 'error', message: 'm', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'tenant-acme-production', name: 'odoo' }, tenant: 'acme', environment, tenantFile: 'tenants/acme.ts' }) as unknown as Finding;

describe('locateInTenantFile', () => {
  it('puts an ingress finding on the environment\'s domains, not on a comment that mentions them', async () => {
    const read = await readStaticModule('/nonexistent', 'tenants/acme.ts', 'tenant', TEXT);
    if ('issues' in read) throw new Error('not data');
    expect(locateInTenantFile(finding('ingress/tls', 'production'), read.positions, TEXT)).toBe(9);
    expect(locateInTenantFile(finding('ingress/tls', 'production'), undefined, TEXT)).toBe(3);
  });

  it('falls back to the text heuristics for a field the file leaves to its tier', async () => {
    const read = await readStaticModule('/nonexistent', 'tenants/acme.ts', 'tenant', TEXT);
    if ('issues' in read) throw new Error('not data');
    expect(locateInTenantFile(finding('backups/rpo'), read.positions, TEXT)).toBe(5);
  });
});
