/**
 * Worker side of lib/validate/check-tree.ts: starts while the tree is listed (its validators load
 * meanwhile), then reads and validates its share of the units (cluster folders; lib/validate/unit-batches.ts)
 * and sends each one's problems and findings; once the policy inputs arrive, runs the per-cluster
 * policies on them and sends the findings; sends its documents only when asked (`gather`).
 */
import type { MessagePort } from 'node:worker_threads';
import { batchValidator, keepCompiledValidators } from '../io/read-manifests-parallel.ts';
import { checkUnits, mailbox, type CheckTreeWorkerData, type FromWorker, type ToWorker } from './check-tree.ts';
import { readBatches, type HelpedBatch } from './unit-batches.ts';

export async function serve(port: MessagePort, data: CheckTreeWorkerData): Promise<void> {
  // Batches read for this thread (and word of a thread that stopped) apart from the rest, which comes in order.
  const batches = mailbox<HelpedBatch | 'lost'>();
  const box = mailbox<ToWorker>();
  port.on('message', (m: ToWorker) => (m.kind === 'batch' ? batches.put(m) : m.kind === 'lost' ? batches.put('lost') : box.put(m)));

  const validate = (await batchValidator(data.validate))!;
  // The registry is built (the schemas read) while this thread waits for the listing.
  validate([]);
  const start = await box.take();
  if (start.kind !== 'units') throw new Error(`internal error: expected the units, got ${start.kind}`);
  const reads = await readBatches({
    thread: data.thread,
    units: start.units,
    schedule: start.schedule,
    batchSize: data.batchSize,
    yaml: data.yaml,
    validate,
    send: (m) => port.postMessage(m satisfies FromWorker),
    receive: batches.take,
  });
  for (const read of reads) port.postMessage({ kind: 'read', unit: read.unit.index, objects: read.docs.length, problems: read.problems, findings: read.findings } satisfies FromWorker);
  await keepCompiledValidators(data.validate);
  const inputs = await box.take();
  if (inputs.kind !== 'inputs') throw new Error(`internal error: expected the policy inputs, got ${inputs.kind}`);
  port.postMessage({ kind: 'checked', checked: checkUnits(reads, inputs.inputs) } satisfies FromWorker);
  if ((await box.take()).kind === 'gather') {
    for (const r of reads) {
      port.postMessage((r.json ? { kind: 'docs', unit: r.unit.index, json: JSON.stringify(r.docs) } : { kind: 'docs', unit: r.unit.index, docs: r.docs }) satisfies FromWorker);
    }
    port.postMessage({ kind: 'gathered' } satisfies FromWorker);
  }
  port.close();
}
