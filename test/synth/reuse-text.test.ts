import { describe, expect, it } from 'vitest';
import type { ManifestFile } from '../../lib/synth/layout.ts';
import { renderEnvironmentFolder } from '../../lib/synth/synthesize.ts';
import { compileTenants, tenantFile, tenantSpec } from './fixtures.ts';

const envOf = (displayName: string, file?: string) => {
  const compiled = compileTenants([tenantFile(tenantSpec('acme', { displayName }), file)]);
  return { env: compiled.environments[0], templates: compiled.templates };
};
const render = (displayName: string, reuse?: Parameters<typeof renderEnvironmentFolder>[2], file?: string) => {
  const { env, templates } = envOf(displayName, file);
  return renderEnvironmentFolder(env, templates, reuse);
};
/** Files as a previous render left them, each text marked, so that a reused text shows. */
const marked = (files: readonly ManifestFile[]) => files.map((f) => ({ ...f, content: `${f.content}# reused\n` }));
const contents = (files: readonly ManifestFile[]) => files.map((f) => [f.path, f.content]);

describe('re-rendering a folder', () => {
  it('takes the text of each object unchanged since its previous render, and serializes the changed ones', () => {
    const before = render('Acme', { version: 'v1' });
    expect(before.every((f) => typeof f.digest === 'string')).toBe(true);
    const after = render('Acme Distribution', { version: 'v1', previous: marked(before) });
    const fresh = render('Acme Distribution');
    expect(after.map((f) => f.path)).toEqual(fresh.map((f) => f.path));
    const reused = after.filter((f) => f.content.endsWith('# reused\n')).map((f) => f.path);
    const serialized = after.filter((f) => !f.content.endsWith('# reused\n'));
    // The display name reaches the Namespace's annotation only: that file is serialized again, with the new name.
    expect(serialized.map((f) => f.path)).toEqual(['west-shared/tenants/acme-production/namespace-tenant-acme-production.yaml']);
    expect(serialized[0].content).toContain('Acme Distribution');
    expect(serialized[0].content).toBe(fresh.find((f) => f.path === serialized[0].path)!.content);
    expect(reused.length).toBe(fresh.length - 1);
  });

  it('gives the bytes of a fresh render', () => {
    const before = render('Acme', { version: 'v1' });
    expect(contents(render('Acme Distribution', { version: 'v1', previous: before }))).toEqual(contents(render('Acme Distribution')));
  });

  it('reuses no text made by other code, or under another source header', () => {
    const before = marked(render('Acme', { version: 'v1' }));
    const fresh = contents(render('Acme'));
    expect(contents(render('Acme', { version: 'v2', previous: before }))).toEqual(fresh);
    const moved = render('Acme', { version: 'v1', previous: before }, 'tenants/eu/acme.ts');
    expect(moved.some((f) => f.content.endsWith('# reused\n'))).toBe(false);
    expect(moved[0].content).toContain('tenants/eu/acme.ts');
  });

  it('reuses nothing from files without digests (a render cache entry written before digests)', () => {
    const before = marked(render('Acme')).map(({ path, content }) => ({ path, content }));
    expect(contents(render('Acme', { version: 'v1', previous: before }))).toEqual(contents(render('Acme')));
  });
});
