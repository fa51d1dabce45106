import { describe, expect, it } from 'vitest';
import { compileTenants, fleetSpec, issuesOf, line, placementsOf, REGION_STORAGE, tenantFile, tenantSpec } from '../synth/fixtures.ts';

/** A fleet where placement has a real choice: three shared clusters in eu-west. */
const choosyFleet = () =>
  fleetSpec({
    clusters: ['a', 'b', 'c'].map((n) => ({ name: `west-${n}`, region: 'eu-west', tiers: ['shared', 'dedicated', 'regulated'], capacity: { cpu: 10000, memoryGi: 40000 }, baseDomain: 'west.example.com' })).concat([
      { name: 'central-1', region: 'eu-central', tiers: ['shared', 'dedicated', 'regulated'], capacity: { cpu: 10000, memoryGi: 40000 }, baseDomain: 'central.example.com' },
    ]),
  });

const tenants = (n: number, from = 0) => Array.from({ length: n }, (_, i) => tenantFile(tenantSpec(`t${from + i}`)));

describe('placement', () => {
  it('spreads tenants over the candidate clusters', () => {
    const clusters = new Set(Object.values(placementsOf(compileTenants(tenants(30), choosyFleet()))));
    expect(clusters).toEqual(new Set(['west-a', 'west-b', 'west-c']));
  });

  it('is stable: adding tenants never moves an existing one', () => {
    const before = placementsOf(compileTenants(tenants(20), choosyFleet()));
    const after = placementsOf(compileTenants([...tenants(20), ...tenants(15, 100)], choosyFleet()));
    for (const [env, cluster] of Object.entries(before)) expect(after[env]).toBe(cluster);
  });

  it('is stable: removing tenants never moves the others', () => {
    const before = placementsOf(compileTenants(tenants(20), choosyFleet()));
    const after = placementsOf(compileTenants(tenants(20).filter((_, i) => i % 3 !== 0), choosyFleet()));
    for (const [env, cluster] of Object.entries(after)) expect(cluster).toBe(before[env]);
  });

  it('does not depend on the order tenant files are given in', () => {
    const list = tenants(12);
    expect(placementsOf(compileTenants([...list].reverse(), choosyFleet()))).toEqual(placementsOf(compileTenants(list, choosyFleet())));
  });

  it('honours a pin to a cluster of the tenant\'s region', () => {
    const spec = (name: string, cluster: string) => tenantSpec(name, { environments: { production: { domains: [`${name}.west.example.com`], cluster } } });
    const placed = placementsOf(compileTenants(['west-a', 'west-b', 'west-c'].map((c, i) => tenantFile(spec(`p${i}`, c))), choosyFleet()));
    expect(placed).toEqual({ 'p0/production': 'west-a', 'p1/production': 'west-b', 'p2/production': 'west-c' });
  });

  it('never lets a pin cross the region: data residency is not negotiable', () => {
    const spec = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'], cluster: 'central-1' } } });
    const [issue, ...rest] = issuesOf([tenantFile(spec)], choosyFleet());
    expect(rest).toEqual([]);
    expect(line(issue)).toBe('tenants/acme.ts: environments.production.cluster: cluster "central-1" is in region eu-central, but the tenant\'s data must stay in eu-west');
    expect(issue.code).toBe('placement.wrong-region');
  });

  it('rejects a pin to an unknown cluster, listing the known ones', () => {
    const spec = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'], cluster: 'west-z' } } });
    const [issue] = issuesOf([tenantFile(spec)], choosyFleet());
    expect(line(issue)).toBe('tenants/acme.ts: environments.production.cluster: cluster "west-z" is not declared in fleet.ts');
    expect(issue.fix).toBe('use one of: central-1, west-a, west-b, west-c');
  });

  it('rejects a pin to a cluster that does not host the environment\'s tier', () => {
    const spec = tenantSpec('acme', { environments: { production: { domains: ['acme.west.example.com'], cluster: 'west-dedicated' } } });
    expect(issuesOf([tenantFile(spec)]).map(line)).toEqual(['tenants/acme.ts: environments.production.cluster: cluster "west-dedicated" does not host the shared tier']);
  });

  it('only ever places an environment in its tenant\'s region', () => {
    const specs = Array.from({ length: 20 }, (_, i) => tenantFile(tenantSpec(`c${i}`, { region: 'eu-central', environments: { production: { domains: [`c${i}.central.example.com`] } } })));
    const compiled = compileTenants(specs, choosyFleet());
    expect(new Set(compiled.environments.map((e) => e.cluster.region))).toEqual(new Set(['eu-central']));
  });

  it('reports a region that is not in the fleet once, at the tenant\'s region', () => {
    const spec = tenantSpec('acme', { region: 'us-east', environments: { production: { domains: ['acme.example.com'] }, staging: { domains: ['acme-staging.example.com'] } } });
    const issues = issuesOf([tenantFile(spec)]);
    expect(issues.map(line)).toEqual(['tenants/acme.ts: region: region "us-east" is not declared in fleet.ts']);
    expect(issues[0].code).toBe('placement.no-cluster');
    expect(issues[0].fix).toContain('use one of: eu-central, eu-west');
  });

  it('reports a region with no cluster for the tier once, naming the regions that have one', () => {
    const fleet = fleetSpec({
      regions: { 'eu-west': REGION_STORAGE('eu-west'), 'eu-central': REGION_STORAGE('eu-central'), 'eu-north': REGION_STORAGE('eu-north') },
    });
    const spec = tenantSpec('acme', { region: 'eu-north', environments: { production: { domains: ['acme.example.com'] }, staging: { domains: ['acme-staging.example.com'] } } });
    const issues = issuesOf([tenantFile(spec)], fleet);
    expect(issues.map(line)).toEqual(['tenants/acme.ts: region: no cluster in region eu-north hosts the shared tier']);
    expect(issues[0].fix).toContain('(eu-central, eu-west)');
  });

  it('names the full cluster, the numbers and the fix when capacity is exceeded', () => {
    const fleet = fleetSpec({
      clusters: [{ name: 'west-small', region: 'eu-west', tiers: ['shared'], capacity: { cpu: 2, memoryGi: 8 }, baseDomain: 'west.example.com' }],
    });
    // A shared environment at defaults asks for 1 CPU and 1.875Gi (web + cron): two fit, the third does not.
    const issues = issuesOf(tenants(3), fleet);
    expect(issues.map((i) => `${i.file}: ${i.path}`)).toEqual(['tenants/t2.ts: environments.production']);
    expect(issues[0].code).toBe('placement.capacity-exceeded');
    expect(issues[0].message).toBe('cluster west-small is full: with this environment its requests reach 3.0 CPU and 5.6Gi of its 2 CPU and 8Gi');
    expect(issues[0].fix).toBe('pin the environment to another cluster in eu-west (environments.production.cluster), lower its replicas or workers, or raise the cluster\'s capacity in fleet.ts');
  });
});
