import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifests } from '../../lib/io/read-manifests.ts';
import { contextsFromDocs } from '../../lib/policy/context.ts';
import { policyTiers, runPolicies } from '../../lib/policy/engine.ts';
import { checkTree, unitOrder, unitsOf, type CheckTreeOptions, type PolicyInputs } from '../../lib/validate/check-tree.ts';
import { validateObjects } from '../../lib/validate/index.ts';
import { compileWorkspace } from '../../lib/workspace/compile.ts';
import { cleanRepos, makeRepo, PROJECT } from '../cli/repo.ts';

const TODAY = '2026-01-15';
const TENANTS = readdirSync(join(PROJECT, 'tenants')).map((f) => f.replace(/\.ts$/, ''));

/** The reference: one thread reads every file, validates every document, groups them by cluster and runs the policies. */
function oneThread(root: string, inputs: PolicyInputs) {
  const { docs, problems } = readManifests(join(root, 'generated'), { base: root });
  const { contexts } = contextsFromDocs(docs, inputs);
  return { objects: docs.length, problems, findings: validateObjects(docs), policyFindings: runPolicies(contexts, { today: TODAY }) };
}

const write = (root: string, file: string, text: string) => writeFileSync(join(root, 'generated', file), text);

describe('checkTree: reading, validating and the policies with each cluster folder on one thread', () => {
  let root: string;
  let inputs: PolicyInputs;
  /** Two threads, whatever the machine, on a tree of a few hundred files. */
  const options = (extra: Partial<CheckTreeOptions> = {}): CheckTreeOptions => ({ base: root, root: PROJECT, today: TODAY, policies: Promise.resolve(inputs), workers: 1, minFilesForWorkers: 0, ...extra });

  beforeAll(async () => {
    // The project's fleet and its generated/ (three clusters), with findings of every kind in several clusters.
    root = makeRepo(TENANTS);
    cpSync(join(PROJECT, 'generated'), join(root, 'generated'), { recursive: true });
    // A host also served by another cluster (the fleet-wide check), a policy breach, a schema error, unreadable YAML.
    const route = readFileSync(join(root, 'generated', 'eu-central-1', 'tenants', 'delta-staging', 'ingressroute-odoo.yaml'), 'utf8');
    write(root, 'eu-west-shared-1/tenants/acme-staging/ingressroute-copied.yaml', route.replace('namespace: tenant-delta-staging', 'namespace: tenant-acme-staging').replace('name: odoo\n', 'name: copied\n'));
    write(root, 'eu-central-1/tenants/delta-staging/service-exposed.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: exposed\n  namespace: tenant-delta-staging\nspec:\n  type: LoadBalancer\n  ports: [{port: 80}]\n');
    write(root, 'eu-west-dedicated-1/cluster/deployment-bad.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: default}\nspec:\n  replicaz: 2\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: "nginx:latest"}]\n');
    write(root, 'eu-west-shared-1/cluster/configmap-duplicate.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  name: again\n');
    const compiled = await compileWorkspace(root);
    inputs = { clusters: compiled.fleet.clusters, environments: compiled.environments, fleet: compiled.fleet, tiers: policyTiers(compiled.templates.tiers) };
  }, 300_000);
  afterAll(() => cleanRepos());

  it('gives the findings of reading on one thread, in the same order, without moving the objects', async () => {
    const expected = oneThread(root, inputs);
    // The reference finds something of every kind, including the fleet-wide check across two threads.
    expect(expected.problems).toEqual([expect.objectContaining({ file: 'generated/eu-west-shared-1/cluster/configmap-duplicate.yaml', message: expect.stringMatching(/^line 5: /) })]);
    expect(expected.findings).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'generated/eu-west-dedicated-1/cluster/deployment-bad.yaml', path: 'spec.replicaz' })]));
    expect(expected.policyFindings.map((f) => f.policy)).toEqual(expect.arrayContaining(['ingress/unique-hostnames', 'ingress/no-direct-exposure', 'security/pinned-image']));
    expect(new Set(expected.policyFindings.filter((f) => f.policy === 'ingress/unique-hostnames').map((f) => f.cluster))).toEqual(new Set(['eu-central-1', 'eu-west-shared-1']));

    const { mode, ...result } = await checkTree(join(root, 'generated'), options());
    expect(mode).toBe('by-cluster');
    expect(result).toEqual(expected);
    // On this thread alone, too.
    expect(await checkTree(join(root, 'generated'), options({ workers: 0 }))).toEqual({ ...expected, mode: 'shared-batches' });
  });

  it('gives the same findings in the same order when the threads share the batches of a cluster folder', async () => {
    // Batches of four files, and folders shared out however uneven: the thread that runs dry reads batches of the other's folder.
    const { mode, ...result } = await checkTree(join(root, 'generated'), options({ batchSize: 4, maxImbalance: 100 }));
    expect(mode).toBe('by-cluster');
    expect(result).toEqual(oneThread(root, inputs));
  });

  it('gives the same findings when the threads share batches and some object belongs to another cluster than its folder', async () => {
    const stray = join(root, 'generated', 'eu-central-1', 'cluster', 'configmap-stray.yaml');
    writeFileSync(stray, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n  namespace: default\n  labels: {tenantctl.io/cluster: eu-west-shared-1}\n');
    try {
      const { mode, ...result } = await checkTree(join(root, 'generated'), options({ batchSize: 4, maxImbalance: 100 }));
      expect(mode).toBe('by-cluster-gathered');
      expect(result).toEqual(oneThread(root, inputs));
    } finally {
      rmSync(stray);
    }
  });

  it('gathers the objects on one thread when an object is labelled for another cluster than its folder, with the same findings', async () => {
    const stray = join(root, 'generated', 'eu-central-1', 'cluster', 'configmap-stray.yaml');
    writeFileSync(stray, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n  namespace: default\n  labels: {tenantctl.io/cluster: eu-west-shared-1}\n');
    try {
      const { mode, ...result } = await checkTree(join(root, 'generated'), options());
      expect(mode).toBe('by-cluster-gathered');
      expect(result).toEqual(oneThread(root, inputs));
    } finally {
      rmSync(stray);
    }
  });

  it('gathers the objects when a file lies outside every cluster folder', async () => {
    const loose = join(root, 'generated', 'loose.yaml');
    writeFileSync(loose, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loose\n  namespace: default\n');
    try {
      const { mode, ...result } = await checkTree(join(root, 'generated'), options());
      expect(mode).toBe('by-cluster-gathered');
      expect(result).toEqual(oneThread(root, inputs));
    } finally {
      rmSync(loose);
    }
  });

  it('reads in shared batches when the cluster folders cannot be shared out evenly', async () => {
    const { mode, ...result } = await checkTree(join(root, 'generated'), options({ maxImbalance: 1 }));
    expect(mode).toBe('shared-batches');
    expect(result).toEqual(oneThread(root, inputs));
  });

  it('ends with the error of the tenant files when they do not compile', async () => {
    const failure = new Error('tenants/acme.ts: bad input');
    // Rejected while the files are read, before anything awaits it, in both ways of reading.
    await expect(checkTree(join(root, 'generated'), options({ policies: Promise.reject(failure) }))).rejects.toBe(failure);
    await expect(checkTree(join(root, 'generated'), options({ policies: Promise.reject(failure), workers: 0 }))).rejects.toBe(failure);
  });
});

describe('sharing cluster folders out to threads', () => {
  const unit = (index: number, name: string, from: number, to: number) => ({ index, name, from, to });

  it('cuts the listing into runs of files of one top folder', () => {
    expect(unitsOf(['/g/a/1.yaml', '/g/a/x/2.yaml', '/g/b/3.yaml', '/g/top.yaml', '/g/c/4.yaml'], '/g')).toEqual([unit(0, 'a', 0, 2), unit(1, 'b', 2, 3), unit(2, '', 3, 4), unit(3, 'c', 4, 5)]);
  });

  it('has the threads take the largest folders first', () => {
    // The 1,000-tenant benchmark fleet's four clusters.
    const units = [unit(0, 'eu-central-1', 0, 17872), unit(1, 'eu-central-2', 17872, 26806), unit(2, 'eu-west-dedicated-1', 26806, 38460), unit(3, 'eu-west-shared-1', 38460, 56650)];
    expect(unitOrder(units, 2, 1.25)?.map((u) => u.name)).toEqual(['eu-west-shared-1', 'eu-central-1', 'eu-west-dedicated-1', 'eu-central-2']);
  });

  it('shares nothing out when one folder holds much more than an even share', () => {
    expect(unitOrder([unit(0, 'big', 0, 700), unit(1, 'small', 700, 1000)], 2, 1.25)).toBeUndefined();
    expect(unitOrder([unit(0, 'only', 0, 1000)], 2, 1.25)).toBeUndefined();
  });
});
