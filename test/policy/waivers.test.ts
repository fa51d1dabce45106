import { describe, expect, it } from 'vitest';
import { countFindings } from '../../lib/policy/engine.ts';
import { objectMatches } from '../../lib/policy/waivers.ts';
import { environment, withChange } from './fixtures.ts';
import { of, run } from './helpers.ts';

const rootDeployment = () => withChange('Deployment', 'odoo', (d) => delete d.spec.template.spec.securityContext.runAsUser);
const waiver = (object: string | undefined, expires = '2026-06-30') => ({ policy: 'security/run-as-non-root', object, reason: 'vendor image needs root until 18.0-20260401', owner: 'team-a', expires });

describe('waivers', () => {
  it('matches object patterns per segment with * wildcards', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tenant-acme-production', name: 'odoo' };
    expect(objectMatches(undefined, ref)).toBe(true);
    expect(objectMatches('Deployment/tenant-acme-production/odoo', ref)).toBe(true);
    expect(objectMatches('Deployment/*/odoo', ref)).toBe(true);
    expect(objectMatches('Deployment/tenant-acme-*/od*', ref)).toBe(true);
    expect(objectMatches('StatefulSet/*/*', ref)).toBe(false);
    expect(objectMatches('Deployment/odoo', ref)).toBe(false);
    expect(objectMatches('Namespace/tenant-*', { apiVersion: 'v1', kind: 'Namespace', name: 'tenant-acme-production' })).toBe(true);
  });

  it('a waiver marks the finding waived and it no longer counts as an error', () => {
    const env = environment({ waivers: [waiver('Deployment/tenant-acme-production/odoo')] });
    const findings = of('security/run-as-non-root', run(rootDeployment(), [env]));
    expect(findings).toHaveLength(2);
    expect(findings.every((f) => f.waived?.owner === 'team-a' && f.waived.expires === '2026-06-30')).toBe(true);
    expect(countFindings(findings)).toEqual({ errors: 0, warnings: 0, waived: 2 });
  });

  it('a waiver without an object pattern covers every object of the tenant', () => {
    const env = environment({ waivers: [waiver(undefined)] });
    expect(of('security/run-as-non-root', run(rootDeployment(), [env])).every((f) => f.waived)).toBe(true);
  });

  it('a waiver that expires today still applies', () => {
    const env = environment({ waivers: [waiver(undefined, '2026-03-01')] });
    const findings = run(rootDeployment(), [env]);
    expect(of('security/run-as-non-root', findings).every((f) => f.waived)).toBe(true);
    expect(of('policy/waiver-expired', findings)).toEqual([]);
  });

  it('an expired waiver no longer applies and is an error naming the tenant file', () => {
    const env = environment({ waivers: [waiver('Deployment/*/odoo', '2026-02-28')] });
    const findings = run(rootDeployment(), [env]);
    expect(of('security/run-as-non-root', findings).some((f) => f.waived)).toBe(false);
    expect(of('policy/waiver-expired', findings)).toEqual([
      expect.objectContaining({ severity: 'error', tenant: 'acme', file: 'tenants/acme.ts', tenantFile: 'tenants/acme.ts', path: 'waivers[0].expires', message: expect.stringContaining('tenants/acme.ts: waiver of security/run-as-non-root for Deployment/*/odoo expired on 2026-02-28') }),
    ]);
  });

  it('a waiver for another object does not apply', () => {
    const env = environment({ waivers: [waiver('Deployment/tenant-acme-production/odoo-cron')] });
    expect(of('security/run-as-non-root', run(rootDeployment(), [env])).some((f) => f.waived)).toBe(false);
  });

  it("a waiver of one tenant does not apply to another tenant's objects", () => {
    const other = environment({ tenant: 'globex', waivers: [waiver(undefined)] });
    expect(of('security/run-as-non-root', run(rootDeployment(), [environment(), other])).some((f) => f.waived)).toBe(false);
  });

  it('a waiver naming an unknown policy is a warning', () => {
    const env = environment({ waivers: [{ ...waiver(undefined), policy: 'security/run-as-nonroot' }] });
    expect(of('policy/waiver-unknown-policy', run(rootDeployment(), [env]))).toEqual([expect.objectContaining({ severity: 'warning', path: 'waivers[0].policy' })]);
  });
});
