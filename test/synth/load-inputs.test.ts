/**
 * Loading tenant files: pure-data files are evaluated directly (lib/io/data-module.ts), everything
 * else is imported; both give the same values, and declining is the safe default.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateDataModule, type DataImport } from '../../lib/io/data-module.ts';
import { loadModule } from '../../lib/io/load-modules.ts';
import * as schema from '../../lib/tenant/schema.ts';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const root = mkdtempSync(join(tmpdir(), 'tenantctl-load-'));
symlinkSync(join(PROJECT, 'lib'), join(root, 'lib'));
symlinkSync(join(PROJECT, 'node_modules'), join(root, 'node_modules'));
writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
mkdirSync(join(root, 'tenants'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ALLOWED: DataImport[] = [{ specifier: '../lib/tenant/schema.ts', path: join(PROJECT, 'lib/tenant/schema.ts'), exports: schema }];
const HEADER = "import { defineTenant } from '../lib/tenant/schema.ts';\n";
const BODY = "export default defineTenant({ name: 'acme', displayName: 'Acme', tier: 'shared' });\n";
const at = (name: string) => join(root, 'tenants', `${name}.ts`);

function write(name: string, source: string): string {
  writeFileSync(at(name), source);
  return source;
}

describe('pure-data tenant files', () => {
  it('evaluate to the value importing them gives', async () => {
    const source = write('plain', `${HEADER}\n/** Doc comment: export default is not code here. */\nconst domains = ['a.example.com'];\n${BODY.replace("tier: 'shared' }", "tier: 'shared', environments: { production: { domains } } }")}`);
    const fast = evaluateDataModule(at('plain'), source, ALLOWED);
    expect(fast).toBeDefined();
    const imported = ((await import(pathToFileURL(at('plain')).href)) as { default: unknown }).default;
    expect(fast!.value).toEqual(imported);
  });

  it('accept type-only imports and aliases of the schema module', () => {
    const source = `import type { TenantSpec } from '../lib/tenant/schema.ts';\nimport { defineTenant as tenant, ODOO_VERSIONS } from '../lib/tenant/schema.ts';\nexport default tenant({ name: 'acme', version: ODOO_VERSIONS[0] });\n`;
    expect(evaluateDataModule(at('alias'), write('alias', source), ALLOWED)?.value).toEqual({ name: 'acme', version: '17.0' });
  });

  it.each([
    ['another import', `${HEADER}import { other } from './other.ts';\n${BODY}`],
    ['a default import', `import schema from '../lib/tenant/schema.ts';\n${BODY}`],
    ['an unknown export of the schema module', `import { nope } from '../lib/tenant/schema.ts';\n${BODY}`],
    ['TypeScript-only syntax', `${HEADER}const tier = 'shared' as const;\n${BODY}`],
    ['a dynamic import', `${HEADER}const later = () => import('./other.ts');\n${BODY}`],
    ['a named export', `${HEADER}export const extra = 1;\n${BODY}`],
    ['no default export on one line', `${HEADER}export default\n  defineTenant({ name: 'acme' });\n`],
    ['two default exports', `${HEADER}${BODY}${BODY}`],
    ['a throw', `${HEADER}throw new Error('no');\n${BODY}`],
    ['a syntax error', `${HEADER}export default defineTenant({ name: 'acme' tier: 'shared' });\n`],
  ])('are declined when they contain %s', (_, source) => {
    expect(evaluateDataModule(at('declined'), write('declined', source), ALLOWED)).toBeUndefined();
  });

  it('are declined when they import another copy of the schema module', () => {
    const copy: DataImport[] = [{ ...ALLOWED[0], path: join(root, 'elsewhere', 'schema.ts') }];
    expect(evaluateDataModule(at('plain'), `${HEADER}${BODY}`, copy)).toBeUndefined();
  });
});

describe('loadModule', () => {
  it('imports files the fast path declines', async () => {
    write('typed', `${HEADER}const tier = 'shared' as const;\nexport default defineTenant({ name: 'typed', tier } as never);\n`);
    expect(await loadModule(root, 'tenants/typed.ts', 'tenant.load-failed')).toEqual({ file: 'tenants/typed.ts', value: { name: 'typed', tier: 'shared' } });
  });

  it('reads a data file again after it changed, in the same process', async () => {
    write('changing', `${HEADER}export default defineTenant({ name: 'v1' });\n`);
    expect(await loadModule(root, 'tenants/changing.ts', 'tenant.load-failed')).toEqual({ file: 'tenants/changing.ts', value: { name: 'v1' } });
    write('changing', `${HEADER}export default defineTenant({ name: 'v2' });\n`);
    expect(await loadModule(root, 'tenants/changing.ts', 'tenant.load-failed')).toEqual({ file: 'tenants/changing.ts', value: { name: 'v2' } });
  });

  it('reports a file without a default export', async () => {
    write('empty', `${HEADER}const x = 1;\n`);
    expect(await loadModule(root, 'tenants/empty.ts', 'tenant.load-failed')).toMatchObject({ code: 'tenant.load-failed', file: 'tenants/empty.ts', message: 'has no default export' });
  });
});
