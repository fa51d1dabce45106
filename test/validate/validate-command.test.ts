import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../lib/cli/commands/validate.ts';
import { readManifests } from '../../lib/io/read-manifests.ts';
import { readSchemaSource } from '../../lib/io/read-schemas.ts';
import { contextsFromDocs } from '../../lib/policy/context.ts';
import { runPolicies } from '../../lib/policy/engine.ts';
import { renderFindingsJson } from '../../lib/report/findings-json.ts';
import { schemaFindingsAsFindings } from '../../lib/report/rules.ts';
import { SchemaRegistry, validateObjects } from '../../lib/validate/index.ts';
import { compileWorkspace } from '../../lib/workspace/compile.ts';
import { cleanRepos, cli, makeRepo, PROJECT } from '../cli/repo.ts';

const TODAY = '2026-01-15';

/**
 * What `tenantctl validate --format json` printed before the command read on several threads: one
 * thread, every file read, then every document validated (validators compiled here, no cache), then
 * the policies.
 */
async function oneThreadReference(root: string): Promise<string> {
  const compiled = await compileWorkspace(root);
  const { docs, problems } = readManifests(join(root, 'generated'), { base: root });
  const registry = new SchemaRegistry(readSchemaSource({ cacheDir: false }));
  const schema = schemaFindingsAsFindings([...problems, ...validateObjects(docs, { registry })], compiled.environments);
  const { contexts } = contextsFromDocs(docs, { clusters: compiled.fleet.clusters, environments: compiled.environments, fleet: compiled.fleet, tiers: compiled.templates.tiers });
  return renderFindingsJson([...schema, ...runPolicies(contexts, { today: TODAY })]);
}

describe('tenantctl validate on a tree large enough for worker threads', () => {
  let root: string;
  let files = 0;

  beforeAll(async () => {
    root = makeRepo(['acme', 'beta']);
    expect((await cli(root, 'synth')).code).toBe(0);
    // Copies of one tenant environment's folder until the tree passes the 2,000 files at which the
    // reader starts worker threads; then errors in copies far apart, read by different batches.
    const cluster = join(root, 'generated', 'eu-west-dedicated-1', 'tenants');
    const folder = readdirSync(cluster).sort()[0];
    const perCopy = readdirSync(join(cluster, folder)).length;
    const copies = Math.ceil(2100 / perCopy);
    for (let i = 0; i < copies; i++) cpSync(join(cluster, folder), join(cluster, `${folder}-copy${String(i).padStart(3, '0')}`), { recursive: true });
    const copy = (i: number) => join(cluster, `${folder}-copy${String(i).padStart(3, '0')}`);
    const deployment = readdirSync(copy(0)).find((f) => f.startsWith('deployment-'))!;
    const unknownField = join(copy(1), deployment);
    writeFileSync(unknownField, readFileSync(unknownField, 'utf8').replace(/^spec:\n/m, 'spec:\n  replicaz: 3\n'));
    writeFileSync(join(copy(Math.floor(copies / 2)), 'configmap-duplicate.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  name: again\n');
    writeFileSync(join(copy(copies - 1), 'pod-string-port.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n    - name: c\n      image: registry.odoo-hosting.example/x:1\n      ports: [{containerPort: "8069"}]\n');
    files = readManifests(join(root, 'generated'), { base: root }).docs.length;
  }, 300_000);
  afterAll(() => cleanRepos());

  it('reports the same findings, with file, field and line, as reading and validating on one thread', async () => {
    expect(files).toBeGreaterThan(2000);
    const { output } = await validateCommand({ root, packageRoot: PROJECT, format: 'json', today: TODAY });
    expect(output).toBe(await oneThreadReference(root));
    const { findings } = JSON.parse(output) as { findings: Array<{ policy: string; file?: string; path?: string; message: string }> };
    const schema = findings.filter((f) => f.policy.startsWith('schema/') || f.policy.startsWith('manifest/'));
    expect(schema).toEqual([
      expect.objectContaining({ policy: 'manifest/unreadable', file: expect.stringMatching(/-copy\d+\/configmap-duplicate\.yaml$/), message: expect.stringMatching(/^line 5: /) }),
      expect.objectContaining({ policy: 'schema/invalid', file: expect.stringMatching(/-copy001\/deployment-/), path: 'spec.replicaz' }),
      expect.objectContaining({ policy: 'schema/invalid', file: expect.stringMatching(/\/pod-string-port\.yaml$/), path: 'spec.containers[0].ports[0].containerPort' }),
    ]);
  }, 300_000);

  it('prints the summary of every object it read, and exits 1 on the errors', async () => {
    const r = await cli(root, 'validate', '--today', TODAY);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`validated ${files} objects: `);
    expect(r.out).toMatch(/spec\.replicaz/);
  }, 300_000);
});
