/** Worker side of lib/io/scan-tree.ts: stats chunks of the files into the shared arrays, then says so. */
import type { MessagePort } from 'node:worker_threads';
import { statChunks, type StatJob } from './scan-tree.ts';

export function serve(port: MessagePort, job: StatJob): void {
  statChunks(job);
  port.postMessage('done');
}
