/**
 * Worker side of lib/io/read-manifests-parallel.ts: takes batches of files from the shared counter,
 * parses (and with `validate`, validates) them and sends the results back, as objects or as
 * texts (`form`), then `{ done: true }`.
 */
import type { MessagePort } from 'node:worker_threads';
import { batchValidator, keepCompiledValidators, parseBatch, textBatch, type ParseWorkerData, type ParseWorkerMessage } from './read-manifests-parallel.ts';

export async function serve(port: MessagePort, data: ParseWorkerData): Promise<void> {
  const { paths, files, next, batchSize, yaml } = data;
  const validate = await batchValidator(data.validate);
  const batches = Math.ceil(paths.length / batchSize);
  for (let batch = Atomics.add(next, 0, 1); batch < batches; batch = Atomics.add(next, 0, 1)) {
    if (data.form === 'texts') {
      const { texts, problems, bytes } = textBatch(paths, files, batch * batchSize, (batch + 1) * batchSize, yaml);
      // The batch's buffer moves to the other thread; the texts arrive as views into it.
      port.postMessage({ batch, texts: { texts, problems } } satisfies ParseWorkerMessage, [bytes]);
      continue;
    }
    const { docs, problems, json } = parseBatch(paths, files, batch * batchSize, (batch + 1) * batchSize, yaml);
    const result = validate ? { docs, problems, findings: validate(docs) } : { docs, problems };
    port.postMessage((json ? { batch, json: JSON.stringify(result) } : { batch, result }) satisfies ParseWorkerMessage);
  }
  await keepCompiledValidators(data.validate);
  port.postMessage({ done: true } satisfies ParseWorkerMessage);
}
