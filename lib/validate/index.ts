/**
 * Offline strict schema validation: the entry the CLI and CI call.
 *
 * `validateObjects` checks each object against the schema of its (apiVersion, kind), generated
 * from the vendored Kubernetes definitions and CRDs, with unknown fields as errors (like
 * `kubeconform -strict`). The registry is built once per Kubernetes version and reused.
 */
import { readManifestsParallel, type ReadManifestsParallelOptions } from '../io/read-manifests-parallel.ts';
import type { ReadManifests } from '../io/read-manifests.ts';
import { join } from 'node:path';
import { DEFAULT_KUBERNETES_VERSION, defaultCacheDir, readSchemaSource, type ReadSchemasOptions } from '../io/read-schemas.ts';
import type { ManifestDoc, SchemaFinding } from './findings.ts';
import { SchemaRegistry } from './registry.ts';
import { validateWith } from './validate.ts';
import { diskValidatorStore } from './validator-cache.ts';

export type { ManifestDoc, SchemaFinding, SchemaFindingCode } from './findings.ts';
export { SchemaRegistry, type SchemaSource, type CrdVersion } from './registry.ts';
export { isKustomizeConfig, resourceLabel, validateWith } from './validate.ts';
export { DEFAULT_KUBERNETES_VERSION } from '../io/read-schemas.ts';

export interface ValidateOptions extends ReadSchemasOptions {
  /** Use this registry instead of the vendored schemas (tests, several versions at once). */
  readonly registry?: SchemaRegistry;
}

const registries = new Map<string, SchemaRegistry>();

/**
 * The registry for the vendored schemas of `kubernetesVersion`, built on first use, with its
 * compiled validators kept in `<cacheDir>/validators` across runs (unless `cacheDir` is false).
 */
export function vendoredRegistry(options: ReadSchemasOptions = {}): SchemaRegistry {
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const key = `${options.root ?? ''}\0${options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION}\0${cacheDir}`;
  let registry = registries.get(key);
  if (!registry) {
    registry = new SchemaRegistry(readSchemaSource(options), cacheDir ? { store: diskValidatorStore(join(cacheDir, 'validators')) } : {});
    registries.set(key, registry);
  }
  return registry;
}

/** Every schema problem of `docs`; an empty array means all of them are valid. */
export function validateObjects(docs: ReadonlyArray<ManifestDoc>, options: ValidateOptions = {}): SchemaFinding[] {
  return validateWith(options.registry ?? vendoredRegistry(options), docs);
}

export interface ReadAndValidateOptions extends ValidateOptions, Omit<ReadManifestsParallelOptions, 'onBatch'> {}

/**
 * Reads every manifest under `dir` on every core (lib/io/read-manifests-parallel.ts) and validates
 * each batch of documents on this thread as soon as it is read, so that building the registry and
 * compiling validators overlap with the reading. The same documents, problems and findings, in the
 * same order, as `readManifests` followed by `validateObjects`.
 */
export async function readAndValidate(dir: string, options: ReadAndValidateOptions = {}): Promise<ReadManifests & { findings: SchemaFinding[] }> {
  let registry = options.registry;
  const findings: SchemaFinding[] = [];
  const read = await readManifestsParallel(dir, {
    ...options,
    onBatch: (batch) => {
      // Built on the first batch, while the workers are still starting.
      registry ??= vendoredRegistry(options);
      for (const finding of validateWith(registry, batch.docs)) findings.push(finding);
    },
  });
  return { ...read, findings };
}
