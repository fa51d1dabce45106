/**
 * The registry of the vendored schemas, one per process and thread (each thread that validates
 * builds its own: validators are functions, which cannot travel between threads). Apart from
 * index.ts so that the parallel reader (lib/io/read-manifests-parallel.ts) can load it lazily.
 */
import { join } from 'node:path';
import { runningBundle } from '../io/bundle-info.ts';
import { DEFAULT_KUBERNETES_VERSION, defaultCacheDir, readSchemaSourceDigested, type ReadSchemasOptions } from '../io/read-schemas.ts';
import { SchemaRegistry } from './registry.ts';
import { diskValidatorStore, validatorKey } from './validator-cache.ts';

const registries = new Map<string, SchemaRegistry>();

/**
 * The registry for the vendored schemas of `kubernetesVersion`, built on first use, with its
 * compiled validators kept in `<cacheDir>/validators` across runs, and V8's code cache of them in
 * `<cacheDir>/validator-code-cache` (unless `cacheDir` is false).
 * Run from the CLI's bundle, whose key hashes every source file and the lock file (so the code that
 * makes schemas strict, and ajv's version), the validators' store keys are kept too, under that key
 * and the schema inputs' digest.
 */
export function vendoredRegistry(options: ReadSchemasOptions = {}): SchemaRegistry {
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const key = `${options.root ?? ''}\0${options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION}\0${cacheDir}`;
  let registry = registries.get(key);
  if (!registry) {
    const { source, digest } = readSchemaSourceDigested(options);
    const bundle = runningBundle()?.key;
    registry = new SchemaRegistry(
      source,
      cacheDir ? { store: diskValidatorStore(join(cacheDir, 'validators'), join(cacheDir, 'validator-code-cache')), ...(bundle ? { keysId: validatorKey([bundle, digest]) } : {}) } : {},
    );
    registries.set(key, registry);
  }
  return registry;
}

/** Keeps V8's code cache of the validators this thread loaded without one (SchemaRegistry.keepCompiledCode), once it validated its objects. */
export function keepCompiledValidators(): void {
  for (const registry of registries.values()) registry.keepCompiledCode();
}
