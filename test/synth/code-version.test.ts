import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeVersion } from '../../lib/workspace/compile.ts';
import { sourceClosure } from '../../lib/io/source-graph.ts';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const copy = mkdtempSync(join(tmpdir(), 'tenantctl-code-'));
for (const entry of ['lib', 'tiers', 'vendor/imports', 'package-lock.json']) cpSync(join(PROJECT, entry), join(copy, entry), { recursive: true });
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('the render cache code version', () => {
  it('covers the templates, the vendored imports and the compiler modules they use', () => {
    const files = sourceClosure(PROJECT, ['lib/synth/synthesize.ts', 'lib/workspace/render-worker.ts', 'tiers/index.ts'])!;
    expect(files).toEqual(expect.arrayContaining(['tiers/constructs/odoo.ts', 'tiers/gitops.ts', 'lib/synth/serialize.ts', 'lib/synth/layout.ts', 'lib/model/resource.ts']));
    expect(files.some((f) => f.startsWith('vendor/imports/'))).toBe(true);
    expect(files.some((f) => f.startsWith('lib/policy/') || f.startsWith('lib/report/'))).toBe(false);
  });

  it('changes when a template changes', () => {
    const before = codeVersion(copy);
    appendFileSync(join(copy, 'tiers', 'constructs', 'odoo.ts'), '\n// changed\n');
    expect(codeVersion(copy)).not.toBe(before);
  });

  it('changes when the serializer or a dependency version changes', () => {
    const before = codeVersion(copy);
    appendFileSync(join(copy, 'lib', 'synth', 'serialize.ts'), '\n// changed\n');
    const afterSerializer = codeVersion(copy);
    expect(afterSerializer).not.toBe(before);
    appendFileSync(join(copy, 'package-lock.json'), '\n');
    expect(codeVersion(copy)).not.toBe(afterSerializer);
  });

  it('stays the same when code that does not render changes', () => {
    const before = codeVersion(copy);
    appendFileSync(join(copy, 'lib', 'report', 'issues.ts'), '\n// changed\n');
    appendFileSync(join(copy, 'lib', 'policy', 'engine.ts'), '\n// changed\n');
    expect(codeVersion(copy)).toBe(before);
  });
});
