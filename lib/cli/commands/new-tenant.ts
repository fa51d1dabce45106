/**
 * `tenantctl new tenant NAME --tier T --region R [--cross-region C]`: writes a tenant file that
 * compiles as is, pinned to the cluster placement chooses today so later fleet changes never move it.
 *
 * NAME, tier and regions are checked before anything is written, and the scaffold is compiled
 * with the fleet in memory (tenant files are read as data, never run): a scaffold that would not
 * compile is never written, and nothing a user types ends up in code that runs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectTemplates } from '../../workspace/templates.ts';
import { literal } from '../../adopt/literal.ts';
import { isIssue, loadModule } from '../../io/load-modules.ts';
import { readStaticModule } from '../../io/static-module.ts';
import { InputError, type Issue } from '../../model/issue.ts';
import { UsageError } from '../errors.ts';
import { compileWorkspace } from '../../workspace/compile.ts';

export interface NewTenantOptions {
  readonly root: string;
  readonly name: string;
  readonly tier: string;
  readonly region: string;
  /** Region of the backup copy; required by tiers that copy backups to another region (default: the first other region). */
  readonly crossRegion?: string;
}

const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

export function tenantSource(o: { name: string; tier: string; region: string; cluster?: string; baseDomain: string; crossRegion?: string }): string {
  const q = (s: string) => literal(s, { quote: "'" });
  const display = o.name.split('-').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
  return `import { defineTenant } from '../lib/tenant/schema.ts';

/** ${display}: scaffolded by \`tenantctl new tenant\`. Settings left out come from the ${o.tier} tier. */
export default defineTenant({
  name: ${q(o.name)},
  displayName: ${q(display)},
  tier: ${q(o.tier)},
  region: ${q(o.region)},
  odoo: {
    version: '18.0',
    image: 'registry.odoo-hosting.example/odoo/odoo:18.0-20251110',
  },
  environments: {
    production: {${o.cluster ? `\n      cluster: ${q(o.cluster)},` : ''}
      domains: [${q(`${o.name}.${o.baseDomain}`)}],
    },
  },${o.crossRegion ? `\n  backup: { crossRegion: ${q(o.crossRegion)} },` : ''}
  labels: { owner: 'team-unassigned', costCenter: 'CC-0000' },
});
`;
}

function usage(file: string, path: string, message: string, fix: string): InputError {
  return new InputError([{ code: 'tenant.invalid', file, path, message, fix }]);
}

/** NAME, tier and regions, checked against the fleet before anything is written. */
async function checkArguments(o: NewTenantOptions, file: string): Promise<{ crossRegion?: string }> {
  if (!DNS_LABEL.test(o.name) || o.name.length > 24) {
    throw new UsageError(`NAME ${JSON.stringify(o.name)} is not a valid tenant name: use a DNS label of at most 24 characters (lower-case letters, digits and "-", starting with a letter, not ending with "-"), e.g. acme-logistics`);
  }
  if (existsSync(join(o.root, file))) {
    throw new InputError([{ code: 'tenant.duplicate-name', file, path: '', message: 'already exists', fix: 'choose another name or edit the existing file' }]);
  }
  const { tiers } = projectTemplates;
  const tier = tiers[o.tier];
  if (!tier) throw usage(file, 'tier', `unknown tier "${o.tier}"`, `use one of: ${Object.keys(tiers).sort().join(', ')}`);
  const fleet = await loadModule(o.root, 'fleet.ts', 'fleet.load-failed');
  if (isIssue(fleet)) throw new InputError([fleet]);
  const regions = Object.keys((fleet.value as { regions?: Record<string, unknown> }).regions ?? {}).sort();
  if (!regions.includes(o.region)) throw usage(file, 'region', `region "${o.region}" is not declared in fleet.ts`, `use one of: ${regions.join(', ')}`);
  if (o.crossRegion !== undefined) {
    if (!regions.includes(o.crossRegion) || o.crossRegion === o.region) throw usage(file, 'backup.crossRegion', `--cross-region "${o.crossRegion}" is not another region of fleet.ts`, `use one of: ${regions.filter((r) => r !== o.region).join(', ')}`);
    return { crossRegion: o.crossRegion };
  }
  if (!tier.floors.requiresCrossRegion) return {};
  const other = regions.find((r) => r !== o.region);
  if (!other) throw usage(file, 'backup.crossRegion', `the ${o.tier} tier requires a backup copy in another region, and fleet.ts declares no other region than ${o.region}`, 'declare a second region under regions in fleet.ts');
  return { crossRegion: other };
}

export async function newTenantCommand(o: NewTenantOptions): Promise<string> {
  const file = `tenants/${o.name}.ts`;
  const { crossRegion } = await checkArguments(o, file);
  // Compile the fleet with the new tenant in memory first: a scaffold that fails is not written.
  const draft = tenantSource({ ...o, crossRegion, baseDomain: 'example.com' });
  const read = await readStaticModule(o.root, file, 'tenant', draft);
  if ('issues' in read) throw new Error(`internal error: the scaffold of ${file} is not data: ${read.issues.map((i: Issue) => i.message).join('; ')}`);
  let compiled;
  try {
    compiled = await compileWorkspace(o.root, [{ file, value: read.value }]);
  } catch (error) {
    // Positions in the draft would point into a file that was never written.
    if (error instanceof InputError) throw new InputError(error.issues.map((i) => (i.file === file ? { ...i, line: undefined, column: undefined } : i)));
    throw error;
  }
  const env = compiled.environments.find((e) => e.tenant.name === o.name && e.name === 'production');
  if (!env) throw new Error(`internal error: ${file} compiled but its production environment was not placed`);
  writeFileSync(join(o.root, file), tenantSource({ ...o, crossRegion, cluster: env.cluster.name, baseDomain: env.cluster.baseDomain }), { flag: 'wx' });
  return `Wrote ${file} (tier ${o.tier}, region ${o.region}${crossRegion ? `, backup copy in ${crossRegion}` : ''}, production on ${env.cluster.name}). Edit it, then run \`npx tenantctl synth\`.`;
}
