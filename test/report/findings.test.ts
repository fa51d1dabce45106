import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/policy/types.ts';
import { renderFindingsJson } from '../../lib/report/findings-json.ts';
import { renderFindingsMarkdown } from '../../lib/report/findings-markdown.ts';
import { renderFindingsText } from '../../lib/report/findings-text.ts';

const error: Finding = {
  policy: 'security/pinned-image',
  severity: 'error',
  resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tenant-acme-production', name: 'odoo' },
  cluster: 'eu-1',
  tenant: 'acme',
  environment: 'production',
  tenantFile: 'tenants/acme.ts',
  file: 'generated/eu-1/tenants/acme-production/deployment-odoo.yaml',
  path: 'spec.template.spec.containers[0].image',
  message: 'container "odoo" uses "odoo:latest", which is tagged latest',
  fix: 'pin the image to a version tag or a digest',
};
const waived: Finding = { ...error, policy: 'resilience/probes', severity: 'warning', message: 'no | probe', waived: { reason: 'next image', owner: 'team-a', expires: '2026-12-31' } };

describe('findings renderers', () => {
  it('renders text with location, message, fix and counts', () => {
    expect(renderFindingsText([error, waived])).toBe(
      [
        'error   security/pinned-image  Deployment/tenant-acme-production/odoo (acme/production, eu-1)',
        '  at generated/eu-1/tenants/acme-production/deployment-odoo.yaml: spec.template.spec.containers[0].image',
        '  container "odoo" uses "odoo:latest", which is tagged latest',
        '  fix: pin the image to a version tag or a digest',
        'waived  resilience/probes  Deployment/tenant-acme-production/odoo (acme/production, eu-1)',
        '  at generated/eu-1/tenants/acme-production/deployment-odoo.yaml: spec.template.spec.containers[0].image',
        '  no | probe',
        '  waived by team-a until 2026-12-31: next image',
        '',
        '1 error, 0 warnings, 1 waived',
        '',
      ].join('\n'),
    );
  });

  it('renders an empty text report as a count line', () => {
    expect(renderFindingsText([])).toBe('0 errors, 0 warnings, 0 waived\n');
  });

  it('renders JSON with a version and counts', () => {
    expect(JSON.parse(renderFindingsJson([error, waived]))).toEqual({ version: 1, summary: { errors: 1, warnings: 0, waived: 1 }, findings: [error, waived] });
  });

  it('renders a markdown job summary with one table per severity and escaped cells', () => {
    const md = renderFindingsMarkdown([error, waived]);
    expect(md).toContain(':x: **1** error(s), **0** warning(s), **1** waived');
    expect(md).toContain('### Errors (1)');
    expect(md).not.toContain('### Warnings');
    expect(md).toContain('### Waived (1)');
    expect(md).toContain('no \\| probe');
  });

  it('caps markdown tables', () => {
    const md = renderFindingsMarkdown(Array.from({ length: 5 }, () => error), { maxRows: 2 });
    expect(md).toContain('_3 more not shown');
  });
});
