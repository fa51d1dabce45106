import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desiredCluster, desiredClusterFromTexts, expectedObjects, type DesiredCluster } from '../../lib/audit/desired.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { cachedObjectCount, loadDesiredState } from '../../lib/workspace/desired-state.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, extra: object = {}): KubeObject =>
  ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...extra }) as KubeObject;

const DOCS = [
  { file: 'generated/c1/cluster/namespace-tenant-a.yaml', object: obj('v1', 'Namespace', 'tenant-a') },
  { file: 'generated/c1/tenants/a/configmap.yaml', object: obj('v1', 'ConfigMap', 'odoo', 'tenant-a', { data: { note: 'grüße, 日本' } }) },
  { file: 'generated/c1/tenants/a/deployment.yaml', object: obj('apps/v1', 'Deployment', 'odoo-web', 'tenant-a', { spec: { replicas: 2 } }) },
  { file: 'generated/c1/flux/kustomization.yaml', object: obj('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'c1') },
];
const TREE = 'a'.repeat(40);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desired-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A reader that counts how often generated/ was read. */
function counting(): { read: () => DesiredCluster; readonly calls: number } {
  let calls = 0;
  return {
    read: () => {
      calls++;
      return desiredCluster(DOCS, 'c1');
    },
    get calls() {
      return calls;
    },
  };
}

const entries = () => readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('the desired-state cache', () => {
  it('reads generated/ once per tree: the second load of the same tree comes from the cache, with the same objects and segments', async () => {
    const reader = counting();
    const first = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: reader.read, dir });
    const second = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: reader.read, dir });
    expect([first.from, second.from, reader.calls]).toEqual(['read', 'cache', 1]);
    expect(expectedObjects(second.desired, 'flux')).toEqual(expectedObjects(desiredCluster(DOCS, 'c1'), 'flux'));
    expect(second.desired.segments.map((s) => [s.engine ?? '-', s.kind, s.count, s.namespaces])).toEqual([
      ['-', 'Namespace', 1, []], ['-', 'ConfigMap', 1, ['tenant-a']], ['-', 'Deployment', 1, ['tenant-a']], ['flux', 'Kustomization', 1, []],
    ]);
  });

  it('writes the same entry whether generated/ was read as objects or as text, so either reader fills it for the other', async () => {
    const texts = DOCS.map(({ file, object }) => ({ file, apiVersion: object.apiVersion, kind: object.kind, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}), json: Buffer.from(JSON.stringify(object)) }));
    const other = mkdtempSync(join(tmpdir(), 'desired-state-'));
    try {
      await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: () => desiredCluster(DOCS, 'c1'), dir });
      const fromText = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: () => desiredClusterFromTexts(texts, 'c1'), dir: other });
      expect(readdirSync(other)).toEqual(entries());
      expect(readFileSync(join(other, entries()[0]), 'utf8')).toBe(readFileSync(join(dir, entries()[0]), 'utf8'));
      expect(expectedObjects(fromText.desired, 'flux')).toEqual(expectedObjects(desiredCluster(DOCS, 'c1'), 'flux'));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('gives each load of a segment its own objects, so the caller may drop or change them', async () => {
    await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: counting().read, dir });
    const { desired } = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: counting().read, dir });
    const deployments = desired.segments.find((s) => s.kind === 'Deployment')!;
    const [a] = deployments.objects();
    (a.spec as { replicas: number }).replicas = 9;
    expect(deployments.objects()[0].spec).toEqual({ replicas: 2 });
  });

  it('reads a segment from the entry\'s file when asked for, over more than one chunk, and never after the entry is closed', async () => {
    const big = obj('v1', 'ConfigMap', 'big', 'tenant-a', { data: { blob: 'x'.repeat(3_000_000) } });
    const docs = [...DOCS, { file: 'generated/c1/tenants/a/big.yaml', object: big }];
    const read = () => desiredCluster(docs, 'c1');
    await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read, dir });
    const hit = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read, dir });
    expect(hit.from).toBe('cache');
    const configMaps = hit.desired.segments.find((s) => s.kind === 'ConfigMap')!;
    expect(configMaps.objects().map((o) => o.metadata.name)).toEqual(['odoo', 'big']);
    expect(configMaps.objects()[1]).toEqual(big);
    hit.desired.close?.();
    expect(() => configMaps.objects()).toThrow(/closed/);
    // A byte flipped past the first chunk is found by the streamed checksum.
    const [file] = entries();
    const bytes = readFileSync(join(dir, file));
    bytes[2_500_000] ^= 1;
    writeFileSync(join(dir, file), bytes);
    expect((await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read, dir })).from).toBe('rebuilt');
  });

  it('reads a fresh entry\'s segments back from the file it wrote, so nothing of it stays in memory, and from memory when the cache cannot be written', async () => {
    const fresh = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: counting().read, dir });
    expect(fresh.from).toBe('read');
    const namespaces = fresh.desired.segments.find((s) => s.kind === 'Namespace')!;
    expect(namespaces.objects()).toEqual([DOCS[0].object]);
    fresh.desired.close?.();
    expect(() => namespaces.objects()).toThrow(/closed/);
    // A cache directory that cannot be made: the objects read, all the same.
    const blocked = join(dir, 'not-a-directory');
    writeFileSync(blocked, '');
    const unwritten = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: counting().read, dir: join(blocked, 'desired-state') });
    expect(unwritten.from).toBe('read');
    expect(expectedObjects(unwritten.desired, 'flux')).toEqual(expectedObjects(desiredCluster(DOCS, 'c1'), 'flux'));
    expect(unwritten.desired.segments.map((s) => s.digest)).toEqual(fresh.desired.segments.map((s) => s.digest));
  });

  it('misses the cache for another tree (generated/<cluster> changed) and for another cluster of the same tree', async () => {
    const reader = counting();
    await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: reader.read, dir });
    const changed = await loadDesiredState({ key: { tree: 'b'.repeat(40), cluster: 'c1' }, read: reader.read, dir });
    const other = await loadDesiredState({ key: { tree: TREE, cluster: 'c2' }, read: reader.read, dir });
    expect([changed.from, other.from, reader.calls]).toEqual(['read', 'read', 3]);
  });

  it('counts the objects of a cached tree from the entry\'s index, and knows none for a tree not cached', async () => {
    expect(cachedObjectCount({ tree: TREE, cluster: 'c1' }, dir)).toBeUndefined();
    await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: counting().read, dir });
    expect(cachedObjectCount({ tree: TREE, cluster: 'c1' }, dir)).toBe(DOCS.length);
    expect(cachedObjectCount({ tree: 'b'.repeat(40), cluster: 'c1' }, dir)).toBeUndefined();
    expect(cachedObjectCount({ tree: TREE, cluster: 'c2' }, dir)).toBeUndefined();
  });

  it.each([
    ['a truncated file', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
    ['an empty file', () => Buffer.alloc(0)],
    ['a file of another format', () => Buffer.from('{"segments":[]}\n')],
    ['a damaged index', (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      copy[copy.indexOf(0x0a) + 1] = 0x7b; // '[' of the index made '{'
      return copy;
    }],
  ])('knows no object count for a damaged entry (%s)', async (_, damage) => {
    await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: counting().read, dir });
    const [file] = entries();
    writeFileSync(join(dir, file), damage(readFileSync(join(dir, file))));
    expect(cachedObjectCount({ tree: TREE, cluster: 'c1' }, dir)).toBeUndefined();
  });

  it.each([
    ['a flipped byte in an object', (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      copy[copy.length - 20] ^= 0x01;
      return copy;
    }],
    ['a truncated file', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
    ['an empty file', () => Buffer.alloc(0)],
    ['a file of another format', () => Buffer.from('{"segments":[]}\n')],
  ])('detects a damaged entry (%s), reads generated/ again and rewrites the entry whole', async (_, damage) => {
    const reader = counting();
    await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: reader.read, dir });
    const [file] = entries();
    const whole = readFileSync(join(dir, file));
    writeFileSync(join(dir, file), damage(whole));
    const rebuilt = await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: reader.read, dir });
    expect([rebuilt.from, reader.calls]).toEqual(['rebuilt', 2]);
    expect(expectedObjects(rebuilt.desired, 'flux')).toEqual(expectedObjects(desiredCluster(DOCS, 'c1'), 'flux'));
    expect(readFileSync(join(dir, file)).equals(whole)).toBe(true);
    expect((await loadDesiredState({ key: { tree: TREE, cluster: 'c1' }, read: reader.read, dir })).from).toBe('cache');
  });

  it('caches nothing without a tree (a folder that is not a git repository)', async () => {
    const reader = counting();
    await loadDesiredState({ read: reader.read, dir });
    await loadDesiredState({ read: reader.read, dir });
    expect([reader.calls, entries()]).toEqual([2, []]);
  });

  it('keeps the newest 4 entries of a cluster and drops older ones', async () => {
    for (let i = 0; i < 6; i++) {
      const before = new Set(entries());
      await loadDesiredState({ key: { tree: String(i).repeat(40), cluster: 'c1' }, read: counting().read, dir });
      // Modification times an hour apart, oldest first, whatever the file system's resolution.
      const added = entries().find((f) => !before.has(f))!;
      utimesSync(join(dir, added), new Date(Date.UTC(2026, 0, 1, i)), new Date(Date.UTC(2026, 0, 1, i)));
    }
    expect(entries()).toHaveLength(4);
    const reader = counting();
    expect((await loadDesiredState({ key: { tree: '5'.repeat(40), cluster: 'c1' }, read: reader.read, dir })).from).toBe('cache');
    expect((await loadDesiredState({ key: { tree: '2'.repeat(40), cluster: 'c1' }, read: reader.read, dir })).from).toBe('cache');
    expect((await loadDesiredState({ key: { tree: '1'.repeat(40), cluster: 'c1' }, read: reader.read, dir })).from).toBe('read');
  });

  it('stays whole when two processes fill the same empty entry at once: both succeed, and the entry is then used', async () => {
    const script = resolve('test/workspace/fixtures/load-desired-state.ts');
    const run = () =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, dir, TREE], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('close', (code) => done({ code, out }));
      });
    const results = await Promise.all([run(), run()]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(results.map((r) => JSON.parse(r.out).objects)).toEqual([4, 4]);
    expect(entries()).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse((await run()).out).from).toBe('cache');
  });
});
