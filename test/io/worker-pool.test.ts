import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseWorkerData, ParseWorkerMessage } from '../../lib/io/read-manifests-parallel.ts';
import type { ReadManifests } from '../../lib/io/read-manifests.ts';
import { poolSize, startWorker, stopWorkers } from '../../lib/io/worker-pool.ts';

describe('poolSize', () => {
  it('starts no thread for a job not worth it, unless threads are asked for', () => {
    expect(poolSize({ worthIt: false, limit: 10 })).toBe(0);
    expect(poolSize({ requested: 2, worthIt: false, limit: 10 })).toBe(2);
  });

  it('uses one thread per core beyond this one, capped by max and by what the job can use', () => {
    expect(poolSize({ worthIt: true, limit: 1000 })).toBe(availableParallelism() - 1);
    expect(poolSize({ worthIt: true, limit: 1000, max: 1 })).toBe(Math.min(1, availableParallelism() - 1));
    expect(poolSize({ requested: 8, worthIt: true, limit: 3 })).toBe(3);
    expect(poolSize({ requested: 8, worthIt: true, limit: -1 })).toBe(0);
  });
});

describe('startWorker', () => {
  it('runs a TypeScript module\'s serve export on a thread, with the data it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantctl-pool-'));
    try {
      const path = join(dir, 'cm.yaml');
      writeFileSync(path, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-a-thread}\n');
      const data: ParseWorkerData = { paths: [path], files: ['cm.yaml'], next: new Int32Array(new SharedArrayBuffer(4)), batchSize: 1, yaml: undefined };
      const worker = startWorker(new URL('../../lib/io/read-manifests-worker.ts', import.meta.url), data);
      const messages: ParseWorkerMessage[] = [];
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (m: ParseWorkerMessage) => (messages.push(m), 'done' in m && resolve()));
        worker.on('error', reject);
      });
      await stopWorkers([worker]);
      const first = messages[0];
      if ('done' in first) throw new Error('the worker sent no batch');
      expect(first.batch).toBe(0);
      if ('texts' in first) throw new Error('the worker sent texts, not the objects it was asked for');
      const read: ReadManifests = 'json' in first ? JSON.parse(first.json) : first.result;
      expect(read.docs.map((d) => d.object.metadata?.name)).toEqual(['from-a-thread']);
      expect(messages.at(-1)).toEqual({ done: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
