/**
 * Worker side of the render pool: renders batches of tenant environments with the project's templates
 * and posts the files back. Environments arrive as structured clones, which render identically:
 * templates read only plain data from them.
 */
import type { MessagePort } from 'node:worker_threads';
import type { TenantEnvironment } from '../model/environment.ts';
import { projectTemplates } from './templates.ts';
import type { ManifestFile } from '../synth/layout.ts';
import { renderEnvironmentFolder } from '../synth/synthesize.ts';

export interface RenderRequest {
  readonly batch: number;
  readonly envs: readonly TenantEnvironment[];
  /** The rendering code's version (SynthUnit.version): files then carry digests made with it (reuse-text.ts). */
  readonly version?: string;
}

export type RenderReply = { readonly batch: number; readonly files: ManifestFile[][] } | { readonly batch: number; readonly error: string };

export function serve(port: MessagePort): void {
  port.on('message', (request: RenderRequest) => {
    try {
      port.postMessage({ batch: request.batch, files: request.envs.map((env) => renderEnvironmentFolder(env, projectTemplates, request.version === undefined ? undefined : { version: request.version })) } satisfies RenderReply);
    } catch (error) {
      port.postMessage({ batch: request.batch, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies RenderReply);
    }
  });
  port.postMessage('ready');
}
