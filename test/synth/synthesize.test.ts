import { describe, expect, it } from 'vitest';
import type { ManifestFile } from '../../lib/synth/layout.ts';
import { renderUnits } from '../../lib/workspace/render-pool.ts';
import { planSynth, synthesize, type RenderCache } from '../../lib/synth/synthesize.ts';
import { compileTenants, tenantFile, tenantSpec } from './fixtures.ts';

const fleetOf = (...specs: ReturnType<typeof tenantSpec>[]) => compileTenants(specs.map((s) => tenantFile(s)));
const memoryCache = (): RenderCache & { map: Map<string, readonly ManifestFile[]> } => {
  const map = new Map<string, readonly ManifestFile[]>();
  return { map, get: (k) => map.get(k), set: (k, f) => void map.set(k, f) };
};

describe('synthesize', () => {
  it('is deterministic and the same with or without a cache', () => {
    const compiled = fleetOf(tenantSpec('acme'), tenantSpec('beta', { tier: 'dedicated' }));
    const a = synthesize(compiled, { codeVersion: 'v1' });
    const cache = memoryCache();
    const b = synthesize(compiled, { codeVersion: 'v1', cache });
    const c = synthesize(compiled, { codeVersion: 'v1', cache });
    expect(b.files).toEqual(a.files);
    expect(c.files).toEqual(a.files);
    expect(c.stats).toEqual({ ...a.stats, cached: 2 });
    expect(a.files.map((f) => f.path)).toEqual([...a.files.map((f) => f.path)].sort());
  });

  it('plans one unit per environment folder and three per cluster', () => {
    const compiled = fleetOf(tenantSpec('acme'), tenantSpec('beta'));
    const folders = planSynth(compiled, 'v1').map((u) => u.folder);
    expect(folders).toEqual([
      'west-shared/tenants/acme-production',
      'west-shared/tenants/beta-production',
      ...['central-1', 'west-dedicated', 'west-shared'].flatMap((c) => [`${c}/cluster`, `${c}/argocd`, `${c}/flux`]),
    ]);
  });

  it('changes the key of exactly the folders a tenant change affects', () => {
    const keys = (compiled: ReturnType<typeof fleetOf>, version = 'v1') => Object.fromEntries(planSynth(compiled, version).map((u) => [u.folder, u.key]));
    const before = keys(fleetOf(tenantSpec('acme'), tenantSpec('beta'), tenantSpec('gamma', { region: 'eu-central', environments: { production: { domains: ['gamma.central.example.com'] } } })));
    const resized = keys(fleetOf(tenantSpec('acme', { odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-20251110', workers: 3 } }), tenantSpec('beta'), tenantSpec('gamma', { region: 'eu-central', environments: { production: { domains: ['gamma.central.example.com'] } } })));
    const changed = Object.keys(before).filter((f) => before[f] !== resized[f]);
    // acme's folder, and its cluster's base (the shared database roles depend on workers); not flux: the folders are the same.
    expect(changed).toEqual(['west-shared/tenants/acme-production', 'west-shared/cluster']);
    const otherVersion = keys(fleetOf(tenantSpec('acme'), tenantSpec('beta'), tenantSpec('gamma', { region: 'eu-central', environments: { production: { domains: ['gamma.central.example.com'] } } })), 'v2');
    expect(Object.keys(before).every((f) => before[f] !== otherVersion[f])).toBe(true);
  });

  it('leaves the cluster base folder as it is when a tenant change reads none of its parts (a display name)', () => {
    const keys = (compiled: ReturnType<typeof fleetOf>) => Object.fromEntries(planSynth(compiled, 'v1').map((u) => [u.folder, u.key]));
    const before = keys(fleetOf(tenantSpec('acme'), tenantSpec('beta')));
    const renamed = keys(fleetOf(tenantSpec('acme', { displayName: 'ACME Renamed' }), tenantSpec('beta')));
    expect(Object.keys(before).filter((f) => before[f] !== renamed[f])).toEqual(['west-shared/tenants/acme-production']);
  });

  it("a change of one tenant's workers re-renders the shared cluster's PostgreSQL roles, and only that part of the base folder", () => {
    const workers = (n: number) => ({ odoo: { version: '18.0', image: 'registry.example/odoo/odoo:18.0-20251110', workers: n } });
    const cache = memoryCache();
    synthesize(fleetOf(tenantSpec('acme', workers(2)), tenantSpec('beta')), { codeVersion: 'v1', cache });
    const stored: string[][] = [];
    const watching: RenderCache = { get: (k) => cache.get(k), set: (k, files) => (stored.push(files.map((f) => f.path)), cache.set(k, files)) };
    const changed = fleetOf(tenantSpec('acme', workers(3)), tenantSpec('beta'));
    const warm = synthesize(changed, { codeVersion: 'v1', cache: watching });
    const pg = 'west-shared/cluster/cluster-postgres-shared-pg-shared.yaml';
    // Rendered again: acme's folder, the PostgreSQL Cluster part (its only file) and the base folder they make up;
    // the Redis StatefulSet, the platform objects and beta's folder came from the cache.
    const rendered = stored.map((paths) => (paths.length === 1 ? paths[0] : paths.find((p) => p.endsWith('kustomization.yaml'))));
    expect(rendered.sort()).toEqual([pg, 'west-shared/cluster/kustomization.yaml', 'west-shared/tenants/acme-production/kustomization.yaml'].sort());
    const acme = changed.environments.find((e) => e.tenant.name === 'acme')!;
    const role = /connectionLimit: (\d+)\n\s+ensure: present\n\s+login: true\n\s+name: t_acme_production\n/.exec(warm.files.find((f) => f.path === pg)!.content);
    expect(Number(role?.[1])).toBe(10 + acme.odoo.maxReplicas * (3 + 2));
    // Byte-identical to a cold synth of the changed fleet.
    expect(warm.files).toEqual(synthesize(changed, { codeVersion: 'v1' }).files);
  });

  it('renders the same files in a worker thread as in the main thread', async () => {
    const specs = ['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => tenantSpec(`t${n}`, { tier: ['shared', 'dedicated'][i % 2] }));
    const compiled = fleetOf(...specs);
    const units = planSynth(compiled, 'v1');
    const inline = await renderUnits(units, compiled.templates, undefined, { workers: 0 });
    const cache = memoryCache();
    let inMain = 0;
    const counted = units.map((u) => ({ ...u, render: () => (u.env && inMain++, u.render()) }));
    const pooled = await renderUnits(counted, compiled.templates, cache, { workers: 1, renderInMain: false });
    expect(inMain).toBe(0); // every environment was rendered by the worker
    expect(pooled.map((u) => u.files)).toEqual(inline.map((u) => u.files));
    expect(cache.map.size).toBe(units.length);
    const again = await renderUnits(units, compiled.templates, cache, { workers: 1 });
    expect(again.every((u) => u.cached)).toBe(true);
  });
});
