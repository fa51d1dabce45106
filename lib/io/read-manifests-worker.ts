/**
 * Worker side of lib/io/read-manifests-parallel.ts: takes batches of files from the shared counter,
 * parses them and sends the documents back, then `{ done: true }`.
 */
import type { MessagePort } from 'node:worker_threads';
import { parseBatch, type ParseWorkerData, type ParseWorkerMessage } from './read-manifests-parallel.ts';

export function serve(port: MessagePort, data: ParseWorkerData): void {
  const { paths, files, next, batchSize, yaml } = data;
  const batches = Math.ceil(paths.length / batchSize);
  for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
    const { docs, problems, json } = parseBatch(paths, files, batch * batchSize, (batch + 1) * batchSize, yaml);
    port.postMessage((json ? { batch, json: JSON.stringify({ docs, problems }) } : { batch, result: { docs, problems } }) satisfies ParseWorkerMessage);
  }
  port.postMessage({ done: true } satisfies ParseWorkerMessage);
}
