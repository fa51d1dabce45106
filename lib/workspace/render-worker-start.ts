/**
 * How a render worker (render-worker.ts) starts: apart from the pool (render-pool.ts) so that the
 * synth command can start one before it loads the compiler. The worker loads cdk8s, the typed
 * objects and yaml as it starts (some 0.15 s on its own core), so one started while this thread
 * compiles the inputs is ready when the first environment is; a re-synth after one tenant changed
 * then loads none of them on this thread.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { runningBundle } from '../io/bundle-info.ts';
import { startWorker } from '../io/worker-pool.ts';

export function startRenderWorker(): Worker {
  return startWorker(new URL('./render-worker.ts', import.meta.url));
}

/**
 * A render worker started ahead of need, or none on a single core (it would only take turns with
 * this thread) or when running from the TypeScript sources. It does not hold the process open until renderUnits uses it; whoever started it
 * terminates it (renderUnits does, whether it used it or not).
 */
export function prestartRenderWorker(): Worker | undefined {
  // From the TypeScript sources (tests, TENANTCTL_NO_BUNDLE=1) a worker takes seconds to start,
  // longer than the main thread takes to get to rendering: it would only compete with it.
  if (availableParallelism() < 2 || !runningBundle()) return undefined;
  const worker = startRenderWorker();
  worker.unref();
  // Its failures surface as an exit; renderUnits then renders on this thread.
  worker.on('error', () => undefined);
  return worker;
}
