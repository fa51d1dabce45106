/**
 * Writing adoptions into tenant file sources: only the edited value or the inserted property
 * changes, so each case compares the whole output with the expected text.
 */
import { describe, expect, it } from 'vitest';
import { AdoptionEditError, applyAdoptions, editTenantSource } from '../../lib/adopt/edit-source.ts';
import type { Adoption, SettingPath } from '../../lib/adopt/mapping.ts';
import { COMMENTED, COMPUTED, DOUBLE_QUOTED, FACTORY, SATISFIES } from './fixtures/tenant-sources.ts';

function adoption(setting: SettingPath, value: unknown, environment = 'production'): Adoption {
  return {
    tenant: 'cobalt',
    environment,
    file: 'tenants/cobalt.ts',
    setting,
    value,
    from: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: `tenant-cobalt-${environment}`, name: 'odoo-web' }, environment, path: 'spec.replicas', desired: 1, live: 2 },
    alsoFrom: [],
  };
}

/** `source` with each [before, after] replaced once; fails when `before` is not found exactly once. */
function expected(source: string, ...replacements: Array<[string, string]>): string {
  let out = source;
  for (const [before, after] of replacements) {
    expect(out.split(before).length, `"${before}" occurs exactly once`).toBe(2);
    out = out.replace(before, after);
  }
  return out;
}

describe('applyAdoptions', () => {
  it('replaces a string value in place, keeping its quotes and the comment above it', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['odoo', 'image'], 'registry.odoo-hosting.example/odoo/odoo:18.0-20251201')]);
    expect(out).toBe(expected(COMMENTED, ["odoo:18.0-20251110'", "odoo:18.0-20251201'"]));
  });

  it('adds a missing override to an inline environment object, keeping its trailing comment', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['environments', 'production', 'workers'], 5)]);
    expect(out).toBe(expected(COMMENTED, [
      "production: { domains: ['erp.cobalt.example'] }, // customer-facing",
      "production: { domains: ['erp.cobalt.example'], workers: 5 }, // customer-facing",
    ]));
  });

  it('edits an existing override and leaves the other environments byte-for-byte unchanged', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['environments', 'staging', 'workers'], 2, 'staging')]);
    expect(out).toBe(expected(COMMENTED, ['workers: 1 /* small on purpose */,', 'workers: 2 /* small on purpose */,']));
  });

  it('adds a missing section on its own line at the end of a multi-line object, with the trailing comma style', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['backup', 'rpoMinutes'], 120)]);
    expect(out).toBe(expected(COMMENTED, [
      "  labels: { owner: 'team-tools', costCenter: 'CC-2001' },\n",
      "  labels: { owner: 'team-tools', costCenter: 'CC-2001' },\n  backup: { rpoMinutes: 120 },\n",
    ]));
  });

  it('writes an object value key by key into the existing object, touching only what changed', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['ingress', 'rateLimit'], { average: 100, burst: 160 })]);
    expect(out).toBe(expected(COMMENTED, ['rateLimit: { average: 80, burst: 160 }', 'rateLimit: { average: 100, burst: 160 }']));
  });

  it('appends list items after the written ones, so their comments stay', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['ingress', 'adminAllowList'], ['203.0.113.0/24', '198.51.100.7/32', '192.0.2.0/24'])]);
    expect(out).toBe(expected(COMMENTED, ["      '198.51.100.7/32',\n", "      '198.51.100.7/32',\n      '192.0.2.0/24',\n"]));
  });

  it('rewrites a list that lost or reordered items in its one-per-line layout', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [adoption(['ingress', 'adminAllowList'], ['198.51.100.7/32'])]);
    expect(out).toBe(expected(COMMENTED, ["[\n      '203.0.113.0/24', // office\n      '198.51.100.7/32',\n    ]", "[\n      '198.51.100.7/32',\n    ]"]));
  });

  it('applies several adoptions in order and leaves a value that already matches untouched', () => {
    const out = applyAdoptions(COMMENTED, 'tenants/cobalt.ts', [
      adoption(['odoo', 'workers'], 3),
      adoption(['environments', 'production', 'replicas'], 2),
      adoption(['environments', 'production', 'maxReplicas'], 2),
    ]);
    expect(out).toBe(expected(COMMENTED, [
      "production: { domains: ['erp.cobalt.example'] },",
      "production: { domains: ['erp.cobalt.example'], replicas: 2, maxReplicas: 2 },",
    ]));
  });

  it("writes in the file's quotes, quotes property names that are not identifiers, and keeps the missing trailing commas", () => {
    const out = applyAdoptions(DOUBLE_QUOTED, 'tenants/delta.ts', [
      adoption(['environments', 'pre-prod', 'replicas'], 2),
      adoption(['ingress', 'adminAllowList'], ['203.0.113.0/24']),
    ]);
    expect(out).toBe(expected(DOUBLE_QUOTED,
      ['"pre-prod": { domains: ["delta-pre.eu-west.erp.odoo-hosting.example"] }\n', '"pre-prod": { domains: ["delta-pre.eu-west.erp.odoo-hosting.example"], replicas: 2 }\n'],
      ['  labels: { owner: "team-delta", costCenter: "CC-4" }\n', '  labels: { owner: "team-delta", costCenter: "CC-4" },\n  ingress: { adminAllowList: ["203.0.113.0/24"] }\n'],
    ));
  });

  it('edits a tenant object kept in a variable and checked with satisfies', () => {
    const out = applyAdoptions(SATISFIES, 'tenants/gamma.ts', [adoption(['environments', 'production', 'workers'], 3)]);
    expect(out).toBe(expected(SATISFIES, ["production: { domains: ['gamma.example'] }", "production: { domains: ['gamma.example'], workers: 3 }"]));
  });
});

describe('values the file computes', () => {
  it('are not rewritten: each is reported with its setting and a fix, and the other adoptions are applied', () => {
    const result = editTenantSource(COMPUTED, 'tenants/eagle.ts', [
      adoption(['odoo', 'image'], 'registry.odoo-hosting.example/odoo/odoo:18.0-20251201'),
      adoption(['odoo', 'workers'], 4),
      adoption(['environments', 'production', 'workers'], 3),
    ]);
    expect(result.failed.map((f) => f.issue)).toEqual([
      { code: 'adopt.not-a-literal', file: 'tenants/eagle.ts', path: 'odoo.image', message: 'odoo.image is `IMAGE`, computed by code rather than written as a literal', fix: 'set odoo.image in tenants/eagle.ts by hand' },
      { code: 'adopt.not-a-literal', file: 'tenants/eagle.ts', path: 'odoo.workers', message: 'odoo.workers is `size(1)`, computed by code rather than written as a literal', fix: 'set odoo.workers in tenants/eagle.ts by hand' },
    ]);
    expect(result.applied.map((a) => a.setting.join('.'))).toEqual(['environments.production.workers']);
    expect(result.source).toBe(expected(COMPUTED, ['production: { replicas: 1, ...base },', 'production: { replicas: 1, ...base, workers: 3 },']));
  });

  it('make applyAdoptions throw an error that carries the issues and the partly edited source', () => {
    let error: unknown;
    try {
      applyAdoptions(COMPUTED, 'tenants/eagle.ts', [adoption(['environments', 'production', 'replicas'], 2), adoption(['environments', 'production', 'workers'], 3)]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdoptionEditError);
    const e = error as AdoptionEditError;
    expect(e.issues).toEqual([{
      code: 'adopt.not-a-literal',
      file: 'tenants/eagle.ts',
      path: 'environments.production.replicas',
      message: 'environments.production.replicas may be overridden by `...base` after it',
      fix: 'move the spread before environments.production.replicas in tenants/eagle.ts, or edit the value by hand',
    }]);
    expect(e.source).toContain('production: { replicas: 1, ...base, workers: 3 },');
  });

  it('include a tenant made by a helper function, which has no literal to edit', () => {
    const result = editTenantSource(FACTORY, 'tenants/falcon.ts', [adoption(['environments', 'production', 'replicas'], 2)]);
    expect(result.source).toBe(FACTORY);
    expect(result.failed.map((f) => f.issue)).toEqual([{
      code: 'adopt.no-tenant-literal',
      file: 'tenants/falcon.ts',
      path: 'environments.production.replicas',
      message: "the default export is `standardTenant('falcon')`, not defineTenant({...}) with an object literal",
      fix: 'end tenants/falcon.ts with `export default defineTenant({...})` and write the settings as literals',
    }]);
  });
});
