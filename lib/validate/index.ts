/**
 * Offline strict schema validation: the entry the CLI and CI call.
 *
 * `validateObjects` checks each object against the schema of its (apiVersion, kind), generated
 * from the vendored Kubernetes definitions and CRDs, with unknown fields as errors (like
 * `kubeconform -strict`). The registry is built once per Kubernetes version and reused.
 */
import { readManifestsParallel, type ReadManifestsParallelOptions } from '../io/read-manifests-parallel.ts';
import type { ReadManifests } from '../io/read-manifests.ts';
import type { ReadSchemasOptions } from '../io/read-schemas.ts';
import type { ManifestDoc, SchemaFinding } from './findings.ts';
import { SchemaRegistry } from './registry.ts';
import { validateWith } from './validate.ts';
import { vendoredRegistry } from './vendored.ts';

export type { ManifestDoc, SchemaFinding, SchemaFindingCode } from './findings.ts';
export { SchemaRegistry, type SchemaSource, type CrdVersion } from './registry.ts';
export { isKustomizeConfig, resourceLabel, validateWith } from './validate.ts';
export { DEFAULT_KUBERNETES_VERSION } from '../io/read-schemas.ts';
export { vendoredRegistry } from './vendored.ts';

export interface ValidateOptions extends ReadSchemasOptions {
  /** Use this registry instead of the vendored schemas (tests, several versions at once). */
  readonly registry?: SchemaRegistry;
}

/** Every schema problem of `docs`; an empty array means all of them are valid. */
export function validateObjects(docs: ReadonlyArray<ManifestDoc>, options: ValidateOptions = {}): SchemaFinding[] {
  return validateWith(options.registry ?? vendoredRegistry(options), docs);
}

export interface ReadAndValidateOptions extends ValidateOptions, Omit<ReadManifestsParallelOptions, 'onBatch' | 'validate'> {}

/**
 * Reads every manifest under `dir` on every core (lib/io/read-manifests-parallel.ts), each thread
 * validating the batches it reads against its own registry (validators from the user cache, see
 * validator-cache.ts), so that reading, parsing and validating all spread over the cores. The same
 * documents, problems and findings, in the same order, as `readManifests` followed by `validateObjects`.
 * With `registry` (tests), documents are validated against it on this thread as each batch arrives.
 */
export async function readAndValidate(dir: string, options: ReadAndValidateOptions = {}): Promise<ReadManifests & { findings: SchemaFinding[] }> {
  const { registry } = options;
  if (registry) {
    const findings: SchemaFinding[] = [];
    const read = await readManifestsParallel(dir, {
      ...options,
      onBatch: (batch) => {
        for (const finding of validateWith(registry, batch.docs)) findings.push(finding);
      },
    });
    return { ...read, findings };
  }
  const { root, kubernetesVersion, cacheDir } = options;
  const read = await readManifestsParallel(dir, { ...options, validate: { root, kubernetesVersion, cacheDir } });
  return { docs: read.docs, problems: read.problems, findings: read.findings ?? [] };
}
