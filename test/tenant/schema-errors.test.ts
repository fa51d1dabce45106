import { describe, expect, it } from 'vitest';
import { compileTenants, issuesOf, line, tenantFile, tenantSpec } from '../synth/fixtures.ts';

describe('tenant schema errors', () => {
  it('name the file, the dotted path down to the array index, and the rule broken', () => {
    const bad = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com', 'Not A Host'] } } });
    const issues = issuesOf([tenantFile(bad)]);
    expect(issues.map(line)).toEqual(['tenants/acme.ts: environments.production.domains[1]: must be a lower-case fully qualified host name, found "Not A Host"']);
    expect(issues[0].code).toBe('tenant.invalid');
  });

  it('collects every issue of a file, not just the first', () => {
    const bad = tenantSpec('acme', {
      displayName: '',
      odoo: { version: '16.0', image: 'registry.example/odoo/odoo:latest' },
      labels: { owner: 'Team A', costCenter: 'CC-1' },
    });
    const paths = issuesOf([tenantFile(bad)]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['displayName', 'odoo.version', 'odoo.image', 'labels.owner']));
    expect(paths).toHaveLength(4);
  });

  it('collects issues across files, each naming its own file', () => {
    const issues = issuesOf([
      tenantFile(tenantSpec('acme', { region: 'EU' })),
      tenantFile(tenantSpec('beta', { odoo: { version: '18.0', image: 'odoo' } })),
      tenantFile(tenantSpec('gamma')),
    ]);
    expect(issues.map((i) => `${i.file}: ${i.path}`)).toEqual(['tenants/acme.ts: region', 'tenants/beta.ts: odoo.image']);
  });

  it('reports a missing required field as "is required"', () => {
    const { labels: _labels, ...rest } = tenantSpec('acme');
    expect(issuesOf([tenantFile(rest, 'tenants/acme.ts')]).map(line)).toEqual(['tenants/acme.ts: labels: is required']);
  });

  it('points an unknown field at the field itself and suggests the field that was meant', () => {
    const bad = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'], replica: 2 } } });
    const [issue, ...rest] = issuesOf([tenantFile(bad)]);
    expect(rest).toEqual([]);
    expect(line(issue)).toBe('tenants/acme.ts: environments.production.replica: unknown field "replica"');
    expect(issue.fix).toContain('replicas');
  });

  it('reports every unknown field of an object, the top level included', () => {
    const bad = { ...tenantSpec('acme'), tire: 'shared', colour: 'red' };
    expect(issuesOf([tenantFile(bad)]).map(line)).toEqual(['tenants/acme.ts: tire: unknown field "tire"', 'tenants/acme.ts: colour: unknown field "colour"']);
  });

  it('rejects a name that is not a DNS label', () => {
    const issues = issuesOf([tenantFile(tenantSpec('Acme_Corp', { environments: { production: { domains: ['acme.west.example.com'] } } }), 'tenants/acme.ts')]);
    expect(issues.map(line)).toEqual(['tenants/acme.ts: name: must be a DNS label: lower-case letters, digits and "-", starting with a letter, found "Acme_Corp"']);
  });

  it('requires the name to match the file name', () => {
    const [issue] = issuesOf([tenantFile(tenantSpec('acme'), 'tenants/acme-corp.ts')]);
    expect(line(issue)).toBe('tenants/acme-corp.ts: name: name "acme" does not match the file name');
    expect(issue.fix).toContain('tenants/acme.ts');
  });

  it('rejects an unknown tier and lists the known ones', () => {
    const [issue, ...rest] = issuesOf([tenantFile(tenantSpec('acme', { tier: 'gold' }))]);
    expect(rest).toEqual([]);
    expect(line(issue)).toBe('tenants/acme.ts: tier: unknown tier "gold"');
    expect(issue.fix).toBe('use one of: dedicated, regulated, shared');
  });

  it('rejects an unknown tier on one environment with the environment path', () => {
    const bad = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'] }, staging: { tier: 'bronze', domains: ['acme-staging.west.example.com'] } } });
    expect(issuesOf([tenantFile(bad)]).map(line)).toEqual(['tenants/acme.ts: environments.staging.tier: unknown tier "bronze"']);
  });

  it('rejects two files declaring the same tenant, naming the first file', () => {
    const issues = issuesOf([tenantFile(tenantSpec('acme')), tenantFile(tenantSpec('acme', { environments: { production: { domains: ['other.west.example.com'] } } }), 'tenants/acme2.ts')]);
    expect(issues.map(line)).toContain('tenants/acme2.ts: name: tenant "acme" is already defined in tenants/acme.ts');
  });

  it('blames the copy, not the file named after the tenant, even when the copy sorts first', () => {
    const copy = tenantFile(tenantSpec('acme', { environments: { production: { domains: ['copy.west.example.com'] } } }), 'tenants/acme-copy.ts');
    const issues = issuesOf([tenantFile(tenantSpec('acme')), copy]);
    expect(issues.map(line)).toEqual(['tenants/acme-copy.ts: name: tenant "acme" is already defined in tenants/acme.ts']);
    expect(issues[0].fix).toContain('name: "acme-copy"');
  });

  it('gives every issue a fix', () => {
    const bad = { ...tenantSpec('acme', { tier: 'gold', displayName: '', odoo: { version: '16.0', image: 'odoo', workers: 99 }, environments: {} }), extra: 1 };
    const issues = issuesOf([tenantFile(bad)]);
    expect(issues.length).toBeGreaterThan(4);
    for (const i of issues) expect(i.fix, line(i)).toMatch(/\S/);
  });

  it('rejects a host name used by another tenant, naming that tenant and environment', () => {
    const acme = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com', 'erp.acme.example'] } } });
    const beta = tenantSpec('beta', { environments: { production: { domains: ['beta.west.example.com', 'erp.acme.example'] } } });
    const [issue, ...rest] = issuesOf([tenantFile(beta), tenantFile(acme)]);
    expect(rest).toEqual([]);
    expect(line(issue)).toBe('tenants/beta.ts: environments.production.domains[1]: "erp.acme.example" is already used by tenant acme (production)');
    expect(issue.code).toBe('tenant.duplicate-domain');
  });

  it('accepts a valid tenant', () => {
    expect(compileTenants([tenantFile(tenantSpec('acme'))]).environments).toHaveLength(1);
  });
});
