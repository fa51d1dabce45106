/**
 * Worker side of the render pool: renders batches of tenant environments with the project's templates
 * and posts the files back. Environments arrive as structured clones, which render identically:
 * templates read only plain data from them.
 */
import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';
import { runningBundle } from '../io/bundle-info.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import { projectTemplates } from './templates.ts';
import type { ManifestFile } from '../synth/layout.ts';
import { renderClusterObjects } from '../synth/render.ts';
import { toYaml } from '../synth/serialize.ts';
import { renderEnvironmentFolder } from '../synth/synthesize.ts';

export interface RenderRequest {
  readonly batch: number;
  readonly envs: readonly TenantEnvironment[];
}

export type RenderReply = { readonly batch: number; readonly files: ManifestFile[][] } | { readonly batch: number; readonly error: string };

/**
 * Loads what rendering runs on (cdk8s, the typed objects of cdk8s-plus-28 and vendor/imports/,
 * yaml) before the first request, not on it: a worker started ahead of need
 * (render-worker-start.ts) does it while the main thread compiles the inputs.
 */
function warm(): void {
  const packages = runningBundle()?.packages;
  if (packages) (createRequire(packages)(packages) as { loadAll(): void }).loadAll();
  renderClusterObjects(() => undefined);
  toYaml({});
}

export function serve(port: MessagePort): void {
  warm();
  port.on('message', (request: RenderRequest) => {
    try {
      port.postMessage({ batch: request.batch, files: request.envs.map((env) => renderEnvironmentFolder(env, projectTemplates)) } satisfies RenderReply);
    } catch (error) {
      port.postMessage({ batch: request.batch, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RenderReply);
    }
  });
  port.postMessage('ready');
}
