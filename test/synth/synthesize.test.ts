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
