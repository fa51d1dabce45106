/**
 * `tenantctl new tenant NAME --tier T --region R`: writes a tenant file that compiles as is,
 * pinned to the cluster placement chooses today so later fleet changes never move it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../model/issue.ts';
import { compileWorkspace } from '../../workspace/compile.ts';

export interface NewTenantOptions {
  readonly root: string;
  readonly name: string;
  readonly tier: string;
  readonly region: string;
}

export function tenantSource(o: { name: string; tier: string; region: string; cluster?: string; baseDomain: string }): string {
  const display = o.name.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
  return `import { defineTenant } from '../lib/tenant/schema.ts';

/** ${display}: scaffolded by \`tenantctl new tenant\`. Settings left out come from the ${o.tier} tier. */
export default defineTenant({
  name: '${o.name}',
  displayName: '${display}',
  tier: '${o.tier}',
  region: '${o.region}',
  odoo: {
    version: '18.0',
    image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110',
  },
  environments: {
    production: {${o.cluster ? `\n      cluster: '${o.cluster}',` : ''}
      domains: ['${o.name}.${o.baseDomain}'],
    },
  },
  labels: { owner: 'team-unassigned', costCenter: 'CC-0000' },
});
`;
}

export async function newTenantCommand(o: NewTenantOptions): Promise<string> {
  const file = `tenants/${o.name}.ts`;
  if (existsSync(join(o.root, file))) {
    throw new InputError([{ code: 'tenant.duplicate-name', file, path: '', message: 'already exists', fix: 'choose another name or edit the existing file' }]);
  }
  // Compile the fleet with the new tenant in memory first: a scaffold that fails is not written.
  const target = join(o.root, file);
  const source = tenantSource({ ...o, baseDomain: 'example.com' });
  writeFileSync(target, source);
  let compiled;
  try {
    compiled = await compileWorkspace(o.root);
  } catch (error) {
    const { rmSync } = await import('node:fs');
    rmSync(target, { force: true });
    throw error;
  }
  const env = compiled.environments.find((e) => e.tenant.name === o.name && e.name === 'production');
  if (!env) throw new Error(`internal error: ${file} compiled but its production environment was not placed`);
  writeFileSync(target, tenantSource({ ...o, cluster: env.cluster.name, baseDomain: env.cluster.baseDomain }));
  return `Wrote ${file} (tier ${o.tier}, region ${o.region}, production on ${env.cluster.name}). Edit it, then run \`npx tenantctl synth\`.`;
}
