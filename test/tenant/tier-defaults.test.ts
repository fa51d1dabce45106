import { describe, expect, it } from 'vitest';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { compileTenants, issuesOf, line, tenantFile, tenantSpec } from '../synth/fixtures.ts';

const envOf = (spec: ReturnType<typeof tenantSpec>, name = 'production'): TenantEnvironment =>
  compileTenants([tenantFile(spec)]).environments.find((e) => e.name === name)!;

describe('tier defaults', () => {
  it('fill every setting a shared tenant leaves out from the shared tier', () => {
    const env = envOf(tenantSpec('acme'));
    expect(env.tier).toBe('shared');
    expect(env.odoo).toMatchObject({ edition: 'community', workers: 2, cronThreads: 1, replicas: 1, maxReplicas: 1, addons: [] });
    expect(env.database).toEqual({ storage: '10Gi', instances: 1, postgres: 16 });
    expect(env.redis).toEqual({ enabled: true, memory: '64Mi' });
    expect(env.backup).toEqual({ rpoMinutes: 240, rtoMinutes: 480, retentionDays: 14, crossRegion: undefined, immutable: false });
    expect(env.maintenance).toEqual({ day: 'sunday', start: '01:00', durationMinutes: 120, timeZone: 'UTC' });
    expect(env.ingress).toEqual({ rateLimit: { average: 50, burst: 100 }, adminAllowList: [], maxUploadMb: 32 });
  });

  it('fill a dedicated tenant from the dedicated tier', () => {
    const env = envOf(tenantSpec('acme', { tier: 'dedicated' }));
    expect(env.odoo).toMatchObject({ edition: 'enterprise', workers: 4, replicas: 2, maxReplicas: 4 });
    expect(env.database).toEqual({ storage: '50Gi', instances: 2, postgres: 16 });
    expect(env.backup.rpoMinutes).toBe(15);
  });

  it('give way to what the tenant file states, environment settings first', () => {
    const spec = tenantSpec('acme', {
      tier: 'dedicated',
      odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-1', workers: 6 },
      database: { storage: '80Gi' },
      environments: { production: { domains: ['acme.west.example.com'], replicas: 3, database: { instances: 3 } }, staging: { domains: ['acme-staging.west.example.com'], workers: 2 } },
    });
    const compiled = compileTenants([tenantFile(spec)]);
    const [production, staging] = ['production', 'staging'].map((n) => compiled.environments.find((e) => e.name === n)!);
    expect(production.odoo).toMatchObject({ workers: 6, replicas: 3, maxReplicas: 4 });
    expect(production.database).toEqual({ storage: '80Gi', instances: 3, postgres: 16 });
    expect(staging.odoo.workers).toBe(2);
    expect(staging.database).toEqual({ storage: '80Gi', instances: 2, postgres: 16 });
  });

  it('never leave maxReplicas below replicas', () => {
    const env = envOf(tenantSpec('acme', { tier: 'dedicated', environments: { production: { domains: ['acme.west.example.com'], replicas: 6 } } }));
    expect(env.odoo).toMatchObject({ replicas: 6, maxReplicas: 6 });
  });
});

describe('tier floors and ceilings', () => {
  it('reject an RPO below what the tier can deliver, naming the tier and its floor', () => {
    const [issue, ...rest] = issuesOf([tenantFile(tenantSpec('acme', { backup: { rpoMinutes: 30 } }))]);
    expect(rest).toEqual([]);
    expect(line(issue)).toBe('tenants/acme.ts: backup.rpoMinutes: RPO of 30 minutes is below what the shared tier can deliver (at least 60 minutes)');
    expect(issue.code).toBe('tenant.below-tier-floor');
    expect(issue.fix).toContain('set backup.rpoMinutes to 60 or more');
  });

  it('accept an RPO at the floor', () => {
    expect(envOf(tenantSpec('acme', { backup: { rpoMinutes: 60 } })).backup.rpoMinutes).toBe(60);
  });

  it('reject a retention below the tier minimum', () => {
    expect(issuesOf([tenantFile(tenantSpec('acme', { tier: 'dedicated', backup: { retentionDays: 7 } }))]).map(line)).toEqual([
      'tenants/acme.ts: backup.retentionDays: retention of 7 days is below the dedicated tier minimum of 14 days',
    ]);
  });

  it('reject replicas above the tier ceiling on the environment that asks for them', () => {
    const spec = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'], replicas: 3 } } });
    expect(issuesOf([tenantFile(spec)]).map(line)).toEqual(['tenants/acme.ts: environments.production.replicas: 3 replicas exceed the shared tier ceiling of 2']);
  });

  it('reject tenant-wide workers above the ceiling at odoo.workers, and per-environment ones at the environment', () => {
    const tenantWide = tenantSpec('acme', { odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-1', workers: 6 } });
    expect(issuesOf([tenantFile(tenantWide)]).map(line)).toEqual(['tenants/acme.ts: odoo.workers: 6 workers exceed the shared tier ceiling of 4']);
    const perEnv = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'], workers: 5 } } });
    expect(issuesOf([tenantFile(perEnv)]).map(line)).toEqual(['tenants/acme.ts: environments.production.workers: 5 workers exceed the shared tier ceiling of 4']);
  });

  it('require a regulated tenant to copy backups to another region, immutably', () => {
    const spec = tenantSpec('acme', { tier: 'regulated', backup: { immutable: false } });
    expect(issuesOf([tenantFile(spec)]).map(line)).toEqual([
      'tenants/acme.ts: backup.crossRegion: the regulated tier requires a cross-region backup copy',
      'tenants/acme.ts: backup.immutable: the regulated tier requires immutable backups',
    ]);
  });

  it('reject a cross-region copy into the tenant\'s own region or an undeclared one', () => {
    const own = tenantSpec('acme', { tier: 'regulated', backup: { crossRegion: 'eu-west' } });
    expect(issuesOf([tenantFile(own)]).map(line)).toEqual(['tenants/acme.ts: backup.crossRegion: cross-region target "eu-west" is the tenant\'s own region']);
    const unknown = tenantSpec('acme', { tier: 'regulated', backup: { crossRegion: 'us-east' } });
    expect(issuesOf([tenantFile(unknown)]).map(line)).toEqual(['tenants/acme.ts: backup.crossRegion: region "us-east" is not declared in fleet.ts']);
  });

  it('accept a regulated tenant with its cross-region copy', () => {
    const env = envOf(tenantSpec('acme', { tier: 'regulated', backup: { crossRegion: 'eu-central' } }));
    expect(env.backup).toEqual({ rpoMinutes: 5, rtoMinutes: 60, retentionDays: 365, crossRegion: 'eu-central', immutable: true });
    expect(env.crossRegion?.name).toBe('eu-central');
  });
});

describe('hybrid environments', () => {
  /** A dedicated tenant whose tenant-wide data settings would break the shared tier's floors. */
  const hybrid = () =>
    tenantSpec('acme', {
      tier: 'dedicated',
      database: { storage: '80Gi', instances: 3 },
      redis: { memory: '512Mi' },
      backup: { rpoMinutes: 15, retentionDays: 30 },
      environments: { production: { domains: ['acme.west.example.com'] }, staging: { tier: 'shared', domains: ['acme-staging.west.example.com'] } },
    });

  it('take their own tier\'s defaults for data settings, not the tenant\'s', () => {
    const compiled = compileTenants([tenantFile(hybrid())]);
    const staging = compiled.environments.find((e) => e.name === 'staging')!;
    expect(staging.tier).toBe('shared');
    expect(staging.database).toEqual({ storage: '10Gi', instances: 1, postgres: 16 });
    expect(staging.redis).toEqual({ enabled: true, memory: '64Mi' });
    expect(staging.backup).toEqual({ rpoMinutes: 240, rtoMinutes: 480, retentionDays: 14, crossRegion: undefined, immutable: false });
    expect(staging.odoo).toMatchObject({ replicas: 1, maxReplicas: 1 });
  });

  it('keep the tenant\'s settings on the tenant\'s own tier', () => {
    const production = compileTenants([tenantFile(hybrid())]).environments.find((e) => e.name === 'production')!;
    expect(production.tier).toBe('dedicated');
    expect(production.database).toEqual({ storage: '80Gi', instances: 3, postgres: 16 });
    expect(production.backup.rpoMinutes).toBe(15);
  });

  it('are placed on a cluster hosting their own tier', () => {
    const placed = compileTenants([tenantFile(hybrid())]).environments.map((e) => `${e.name}@${e.cluster.name}`).sort();
    expect(placed).toEqual(['production@west-dedicated', 'staging@west-shared']);
  });

  it('are held to their own tier\'s ceilings', () => {
    const spec = hybrid();
    (spec.environments.staging as { replicas?: number }).replicas = 3;
    expect(issuesOf([tenantFile(spec)]).map(line)).toEqual(['tenants/acme.ts: environments.staging.replicas: 3 replicas exceed the shared tier ceiling of 2']);
  });
});
