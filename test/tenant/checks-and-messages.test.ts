/**
 * Checks the schema alone cannot make, and messages a platform engineer can act on: what was
 * found, what is expected and a fix for that field, never zod's own wording.
 */
import { describe, expect, it } from 'vitest';
import { fleetSpec, issuesOf, line, tenantFile, tenantSpec } from '../synth/fixtures.ts';

const only = (value: unknown, fleet?: unknown) => {
  const issues = issuesOf([tenantFile(value, 'tenants/acme.ts')], fleet);
  return issues.map((i) => ({ line: line(i), fix: i.fix }));
};

describe('checks', () => {
  it('rejects an Odoo image from a registry fleet.ts does not allow', () => {
    expect(only(tenantSpec('acme', { odoo: { version: '18.0', image: 'evil.example/odoo/odoo:18.0-1' } }))).toEqual([
      { line: 'tenants/acme.ts: odoo.image: image "evil.example/odoo/odoo:18.0-1" is not from a registry fleet.ts allows', fix: 'use an image from one of: registry.example/ (or add its registry to allowedRegistries in fleet.ts)' },
    ]);
  });

  it('rejects maxReplicas below replicas', () => {
    expect(only(tenantSpec('acme', { tier: 'dedicated', environments: { production: { domains: ['acme.west.example.com'], replicas: 4, maxReplicas: 2 } } }))).toEqual([
      { line: 'tenants/acme.ts: environments.production.maxReplicas: maxReplicas 2 is below replicas 4: the autoscaler could never run the replicas asked for', fix: 'set maxReplicas to 4 or more, or lower replicas' },
    ]);
  });

  it.each(['2099-99-99', '2026-02-30', '2027-1-31'])('rejects a waiver expiring %s, which is not a real date', (expires) => {
    const waivers = [{ policy: 'resilience/probes', reason: 'cron has no HTTP endpoint', owner: 'jane', expires }];
    expect(only(tenantSpec('acme', { waivers }))).toEqual([
      { line: `tenants/acme.ts: waivers[0].expires: must be a real date YYYY-MM-DD, found "${expires}"`, fix: 'write a real calendar date as YYYY-MM-DD, e.g. "2027-01-31"' },
    ]);
  });
});

describe('messages', () => {
  it('says a value of the wrong type has the wrong type, not that it is required', () => {
    expect(only(tenantSpec('acme', { displayName: 42 }))).toEqual([
      { line: 'tenants/acme.ts: displayName: must be a string in quotes, found the number 42', fix: 'write displayName as a string in quotes, e.g. "value"' },
    ]);
  });

  it('names a too-long environment key and how to rename it, not "Invalid key in record"', () => {
    expect(only(tenantSpec('acme', { environments: { 'production-europe': { domains: ['acme.west.example.com'] } } }))).toEqual([
      { line: 'tenants/acme.ts: environments.production-europe: the key "production-europe" must be at most 16 characters', fix: 'rename "production-europe": name environments with lower-case letters, digits and "-" (at most 16 characters), e.g. "production"' },
    ]);
  });

  it('lists the allowed PostgreSQL versions, not "Invalid input"', () => {
    expect(only(tenantSpec('acme', { database: { postgres: 18 } }))).toEqual([{ line: 'tenants/acme.ts: database.postgres: must be one of 15, 16, 17, found 18', fix: 'use one of: 15, 16, 17' }]);
  });

  it('asks for an https:// endpoint, not "Invalid URL"', () => {
    const fleet = fleetSpec();
    const regions = { ...fleet.regions, 'eu-west': { objectStorage: { ...fleet.regions['eu-west'].objectStorage, endpoint: 'http://s3.eu-west.example' } } };
    const issues = issuesOf([], { ...fleet, regions });
    expect(issues.map((i) => ({ line: line(i), fix: i.fix }))).toEqual([
      { line: 'fleet.ts: regions.eu-west.objectStorage.endpoint: must be an https:// URL, found "http://s3.eu-west.example"', fix: 'write the endpoint as an https:// URL, e.g. "https://s3.eu-west.example.com"' },
    ]);
  });

  it('says a capacity must be greater than 0, not "use at least 0"', () => {
    const fleet = fleetSpec();
    const clusters = [{ ...fleet.clusters[0], capacity: { cpu: 0, memoryGi: 10 } }, ...fleet.clusters.slice(1)];
    expect(issuesOf([], { ...fleet, clusters }).map((i) => ({ line: line(i), fix: i.fix }))).toEqual([
      { line: 'fleet.ts: clusters[0].capacity.cpu: must be greater than 0, found 0', fix: 'use a number greater than 0' },
    ]);
  });

  it('gives a fix for the field, not "change <field> as described"', () => {
    const issues = issuesOf([tenantFile(tenantSpec('acme', { maintenance: { day: 'sunday', start: '2am', durationMinutes: 60, timeZone: 'Mars/Olympus' } }))]);
    expect(issues.map((i) => i.fix)).toEqual(['write the start time as HH:MM, e.g. "02:00"', 'use an IANA time zone, e.g. "Europe/Paris" or "UTC"']);
    expect(issues.map((i) => i.fix).join('\n')).not.toMatch(/as described/);
  });
});
