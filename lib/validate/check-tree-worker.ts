/**
 * Worker side of lib/validate/check-tree.ts: reads and validates its units (cluster folders) and
 * sends each one's problems and findings; once the policy inputs arrive, runs the per-cluster
 * policies on them and sends the findings; sends its documents only when asked (`gather`).
 */
import type { MessagePort } from 'node:worker_threads';
import { batchValidator } from '../io/read-manifests-parallel.ts';
import { checkUnits, readUnit, type CheckTreeWorkerData, type FromWorker, type ToWorker, type UnitRead } from './check-tree.ts';

export async function serve(port: MessagePort, data: CheckTreeWorkerData): Promise<void> {
  const queue: ToWorker[] = [];
  let waiting: ((m: ToWorker) => void) | undefined;
  port.on('message', (m: ToWorker) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else queue.push(m);
  });
  const next = () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<ToWorker>((resolve) => (waiting = resolve)));

  const validate = (await batchValidator(data.validate))!;
  const reads: UnitRead[] = [];
  for (let k = Atomics.add(data.next, 0, 1); k < data.units.length; k = Atomics.add(data.next, 0, 1)) {
    const { unit, paths, files } = data.units[k];
    // The unit's files are `paths` here: offsets relative to the slice.
    const read = await readUnit(paths, files, { ...unit, from: 0, to: paths.length }, data.yaml, validate);
    reads.push({ ...read, unit });
    port.postMessage({ kind: 'read', unit: unit.index, objects: read.docs.length, problems: read.problems, findings: read.findings } satisfies FromWorker);
  }
  const inputs = await next();
  if (inputs.kind !== 'inputs') throw new Error(`internal error: expected the policy inputs, got ${inputs.kind}`);
  port.postMessage({ kind: 'checked', checked: checkUnits(reads, inputs.inputs) } satisfies FromWorker);
  if ((await next()).kind === 'gather') {
    for (const r of reads) {
      port.postMessage((r.json ? { kind: 'docs', unit: r.unit.index, json: JSON.stringify(r.docs) } : { kind: 'docs', unit: r.unit.index, docs: r.docs }) satisfies FromWorker);
    }
    port.postMessage({ kind: 'gathered' } satisfies FromWorker);
  }
  port.close();
}
