import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailbox } from '../../lib/validate/check-tree.ts';
import { validateObjects } from '../../lib/validate/index.ts';
import { newSchedule, readBatches, type BatchThread, type HelpedBatch, type UnitFiles } from '../../lib/validate/unit-batches.ts';

/** Two threads' share of the same units, run on this thread: each awaits between batches, so they take turns. */
function pair(units: readonly UnitFiles[], options: { dropSent?: boolean } = {}) {
  const schedule = newSchedule(units.length);
  const boxes = [mailbox<HelpedBatch | 'lost'>(), mailbox<HelpedBatch | 'lost'>()];
  const sent = [0, 0];
  const thread = (n: number): BatchThread => ({
    thread: n,
    units,
    schedule,
    batchSize: 2,
    yaml: undefined,
    validate: (docs) => validateObjects(docs),
    between: () => new Promise((resolve) => setImmediate(resolve)),
    send: (m) => {
      sent[n]++;
      // A thread that stopped after taking batches: its batches never arrive, word that it stopped does.
      if (!options.dropSent) boxes[m.owner].put(m);
    },
    receive: boxes[n].take,
  });
  return { schedule, sent, boxes, thread };
}

describe('reading cluster folders in batches shared by the threads', () => {
  let root: string;
  let units: UnitFiles[];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tenantctl-unit-batches-'));
    mkdirSync(join(root, 'a'));
    const paths: string[] = [];
    for (let i = 0; i < 11; i++) {
      const name = `configmap-${String(i).padStart(2, '0')}.yaml`;
      // Every third object breaks its schema, one file is not YAML, one holds two documents.
      const body = i === 4 ? 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n' : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: default\n${i % 3 === 0 ? 'datta:\n  x: "1"\n' : 'data:\n  x: "1"\n'}${i === 7 ? '---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\n' : ''}`;
      writeFileSync(join(root, 'a', name), body);
      paths.push(join(root, 'a', name));
    }
    units = [{ unit: { index: 0, name: 'a', from: 0, to: paths.length }, paths, files: paths.map((p) => p.slice(root.length + 1)) }];
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** The reference: the folder read by one thread alone. */
  const alone = () => readBatches({ ...pair(units).thread(0), schedule: newSchedule(1) });

  it('reads a folder alone into its documents, problems and findings in file order', async () => {
    const [read] = await alone();
    expect(read.docs.map((d) => d.file)).toEqual([...units[0].files.filter((f) => !f.endsWith('04.yaml')).flatMap((f) => (f.endsWith('07.yaml') ? [f, f] : [f]))]);
    expect(read.problems).toEqual([expect.objectContaining({ code: 'manifest.unreadable', file: 'a/configmap-04.yaml' })]);
    expect(read.findings.map((f) => f.file)).toEqual(['a/configmap-00.yaml', 'a/configmap-03.yaml', 'a/configmap-06.yaml', 'a/configmap-09.yaml']);
  });

  it('gives a folder the same documents, problems and findings in the same order when another thread reads some of its batches', async () => {
    const expected = await alone();
    const { thread, sent } = pair(units);
    // The first thread takes the folder; the second finds no folder left and takes its batches in turn.
    const [first, second] = await Promise.all([readBatches(thread(0)), readBatches(thread(1))]);
    expect(sent).toEqual([0, 3]);
    expect(second).toEqual([]);
    expect(first).toEqual(expected);
  });

  it('reads the batches a stopped thread took once word comes that it stopped', async () => {
    const expected = await alone();
    const { thread, sent, boxes } = pair(units, { dropSent: true });
    const owner = readBatches(thread(0));
    await readBatches(thread(1));
    expect(sent[1]).toBeGreaterThan(0);
    boxes[0].put('lost');
    expect(await owner).toEqual(expected);
  });
});
