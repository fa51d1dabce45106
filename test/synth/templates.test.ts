/**
 * lib/synth is pure: it renders with the templates it is handed, and only lib/workspace/ reaches
 * for the project's own (tiers/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { compile } from '../../lib/synth/compile.ts';
import { synthesize } from '../../lib/synth/synthesize.ts';
import type { Templates } from '../../lib/tier/tier.ts';
import { templates } from '../../tiers/index.ts';
import { fleetSpec, tenantFile, tenantSpec } from './fixtures.ts';

const PROJECT = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('templates passed in as one value', () => {
  it('synthesize renders the per-cluster folders with the templates the compiled fleet carries', () => {
    const marked: Templates = {
      ...templates,
      flux: (scope) => void new ApiObject(scope, 'marker', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-the-value', namespace: 'flux-system' } }),
    };
    const compiled = compile({ fleet: { file: 'fleet.ts', value: fleetSpec() }, tenants: [tenantFile(tenantSpec('acme'))], templates: marked });
    const flux = synthesize(compiled, { codeVersion: 'v1' }).files.filter((f) => f.path.startsWith('west-shared/flux/'));
    expect(flux.map((f) => f.path)).toEqual(['west-shared/flux/configmap-flux-system-from-the-value.yaml', 'west-shared/flux/kustomization.yaml']);
  });

  it('only lib/workspace/ imports tiers/ among lib/ modules', () => {
    const importers = tsFiles(join(PROJECT, 'lib')).filter((file) => {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      return specifiers.some((s) => s.startsWith('.') && relative(PROJECT, resolve(dirname(file), s)).startsWith('tiers/'));
    });
    expect(importers.map((f) => relative(PROJECT, f))).toEqual(['lib/workspace/templates.ts']);
  });
});
