import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifestsParallel, readManifestTextsParallel } from '../../lib/io/read-manifests-parallel.ts';
import { readManifests, type ReadManifests } from '../../lib/io/read-manifests.ts';
import { readAndValidate, validateObjects } from '../../lib/validate/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('reading manifests on several threads', () => {
  let root: string;
  let dir: string;

  beforeAll(() => {
    // Three copies of generated/ (1,800 files), plus files the reference parser reads and files with problems.
    root = mkdtempSync(join(tmpdir(), 'tenantctl-parallel-'));
    dir = join(root, 'generated');
    for (const copy of ['a', 'b', 'c']) cpSync(join(ROOT, 'generated'), join(dir, copy), { recursive: true });
    mkdirSync(join(dir, 'z'));
    writeFileSync(join(dir, 'z', 'dup.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    writeFileSync(join(dir, 'z', 'anchors.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: anchored}\ndata: {a: "1"}\n');
    writeFileSync(join(dir, 'z', 'two.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\ndata: {on: yes}\n');
    writeFileSync(join(dir, 'z', 'list.yaml'), '- a\n');
    writeFileSync(join(dir, 'z', 'unicode.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unicode, namespace: tenant-a}\ndata: {a: "grüße, 日本 ✓"}\n');
    writeFileSync(join(dir, 'z', 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n      args: [--appendonly, yes]\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the same documents and problems, in the same order, as readManifests', async () => {
    const expected = readManifests(dir, { base: root });
    expect(expected.docs.length).toBeGreaterThan(1500);
    expect(expected.problems).toHaveLength(2);
    const batches: ReadManifests[] = [];
    const parallel = await readManifestsParallel(dir, { base: root, workers: 1, minFilesForWorkers: 0, onBatch: (b) => batches.push(b) });
    expect(parallel).toEqual(expected);
    expect(batches.flatMap((b) => b.docs)).toEqual(expected.docs);
    // On this thread only, too.
    expect(await readManifestsParallel(dir, { base: root, workers: 0 })).toEqual(expected);
  });

  it('reads the same documents as text: each the JSON of the object readManifests reads, with its type and namespace, and the same problems', async () => {
    const expected = readManifests(dir, { base: root });
    const asText = expected.docs.map(({ file, object }) => ({ file, apiVersion: object.apiVersion, kind: object.kind, ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}), json: JSON.stringify(object) }));
    expect(asText.some((t) => t.namespace)).toBe(true);
    expect(asText.some((t) => t.json.includes('日本'))).toBe(true);
    const decoded = ({ texts, problems }: Awaited<ReturnType<typeof readManifestTextsParallel>>) => ({ texts: texts.map((t) => ({ ...t, json: Buffer.from(t.json).toString('utf8') })), problems });
    const parallel = decoded(await readManifestTextsParallel(dir, { base: root, workers: 1, minFilesForWorkers: 0 }));
    expect(parallel).toEqual({ texts: asText, problems: expected.problems });
    expect(decoded(await readManifestTextsParallel(dir, { base: root, workers: 0 }))).toEqual(parallel);
  });

  it('validates as it reads: the same findings as reading, then validateObjects', async () => {
    const read = readManifests(dir, { base: root });
    const findings = validateObjects(read.docs);
    expect(findings).toEqual([
      expect.objectContaining({ file: 'generated/z/pod.yaml', path: 'spec.containers[0].args[1]', message: 'must be string, got boolean true' }),
      // `on: yes` is `true: true` in YAML 1.1.
      expect.objectContaining({ file: 'generated/z/two.yaml', path: 'data.true', message: 'must be string, got boolean true' }),
    ]);
    expect(await readAndValidate(dir, { base: root, workers: 1, minFilesForWorkers: 0 })).toEqual({ ...read, findings });
  });
});
