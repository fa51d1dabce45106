// Worker thread of lib/io/read-manifests-parallel.ts: takes batches of files from the shared
// counter, parses them and sends the documents back. Plain JavaScript, because a worker does not
// inherit the TypeScript loader of its parent: it registers tsx itself, then loads the parser.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { parseBatch } = await import('./read-manifests-parallel.ts');

/** @type {import('./read-manifests-parallel.ts').ParseWorkerData} */
const { paths, files, next, batchSize, yaml } = workerData;
const batches = Math.ceil(paths.length / batchSize);
for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
  const { docs, problems, json } = parseBatch(paths, files, batch * batchSize, (batch + 1) * batchSize, yaml);
  parentPort.postMessage(json ? { batch, json: JSON.stringify({ docs, problems }) } : { batch, result: { docs, problems } });
}
parentPort.postMessage({ done: true });
