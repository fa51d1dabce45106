import { describe, expect, it } from 'vitest';
import { countFindings, POLICIES, runPolicies } from '../../lib/policy/engine.ts';
import type { Policy } from '../../lib/policy/types.ts';
import { compliantObjects, context, TODAY, withChange } from './fixtures.ts';

describe('runPolicies', () => {
  it('finds nothing in a compliant tenant environment', () => {
    expect(runPolicies(context(), { today: TODAY })).toEqual([]);
  });

  it('gives every policy a unique category/name id, a description and a fix', () => {
    const ids = POLICIES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of POLICIES) {
      expect(p.id).toMatch(/^[a-z]+\/[a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(10);
      expect(p.fix.length).toBeGreaterThan(10);
    }
  });

  it('names the generated file of an object and sorts errors before warnings', () => {
    const objects = withChange('Deployment', 'odoo', (d) => {
      delete d.spec.template.spec.containers[0].livenessProbe;
      d.spec.template.spec.containers[0].image = 'registry.example.com/odoo/odoo:latest';
    });
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const files = new Map([[deployment, 'generated/eu-1/tenants/acme-production/deployment-odoo.yaml']]);
    const findings = runPolicies({ ...context(objects), files }, { today: TODAY });
    expect(findings.map((f) => [f.policy, f.severity])).toEqual([
      ['security/pinned-image', 'error'],
      ['resilience/probes', 'warning'],
    ]);
    expect(findings[0].file).toBe('generated/eu-1/tenants/acme-production/deployment-odoo.yaml');
    expect(countFindings(findings)).toEqual({ errors: 1, warnings: 1, waived: 0 });
  });

  it('reports a policy that throws as a finding instead of failing the run', () => {
    const broken: Policy = { id: 'test/broken', severity: 'error', description: 'always throws', fix: 'none', check: () => { throw new Error('boom'); } };
    expect(runPolicies(context(compliantObjects()), { today: TODAY, policies: [broken] })).toEqual([expect.objectContaining({ policy: 'policy/failed', message: 'policy test/broken failed: boom' })]);
  });

  it('refuses a today that is not a date', () => {
    expect(() => runPolicies(context(), { today: '1 March' })).toThrow(/YYYY-MM-DD/);
  });
});
