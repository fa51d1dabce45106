/**
 * Reads the vendored schema inputs (vendor/k8s-schemas, vendor/crds) into a SchemaSource.
 *
 * Parsing the ~5 MB of CRD YAML takes about a second, so the parsed inputs are cached as JSON in the
 * user cache (lib/io/user-cache.ts cacheRoot(), outside the repository), keyed by a hash of every
 * input file: editing or re-vendoring any of them invalidates the cache. A cache file that does not
 * parse, or does not hold a source of the version asked for, is rebuilt.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CrdVersion, SchemaSource } from '../validate/registry.ts';
import type { JsonSchema } from '../validate/strict-schema.ts';
import { cacheRoot, writeCacheFile } from './user-cache.ts';

export const DEFAULT_KUBERNETES_VERSION = '1.36.0';

export interface ReadSchemasOptions {
  /** Repository root holding vendor/. @default the root this file lives in */
  readonly root?: string;
  /** A version under vendor/k8s-schemas/ (`1.36.0`, `1.28.0`). @default DEFAULT_KUBERNETES_VERSION */
  readonly kubernetesVersion?: string;
  /** Directory for the parsed-input cache; `false` disables it (and the compiled-validator cache of lib/validate). @default cacheRoot() */
  readonly cacheDir?: string | false;
}

/** Bump when the cached shape changes. */
const CACHE_FORMAT = 1;

export function repositoryRoot(): string {
  return fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
}

/** Where the parsed inputs are cached: the user cache, shared by every clone. */
export function defaultCacheDir(): string {
  return cacheRoot();
}

/** Whether `value` has the shape of a SchemaSource of `kubernetesVersion` (a cache file may be damaged or foreign). */
function isSchemaSource(value: unknown, kubernetesVersion: string): value is SchemaSource {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SchemaSource>;
  return v.kubernetesVersion === kubernetesVersion && typeof v.definitions === 'object' && v.definitions !== null && Array.isArray(v.crds);
}

interface CrdDocument {
  kind?: string;
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: Array<{ name?: string; served?: boolean; schema?: { openAPIV3Schema?: JsonSchema } }>;
  };
}

/** Served versions of the CRDs in one multi-document YAML text. */
export function crdVersionsOf(text: string, source: string): CrdVersion[] {
  const out: CrdVersion[] = [];
  // Loaded here only: with the parsed inputs cached, validation never needs the `yaml` package.
  const { parseAllDocuments } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0].message}`);
    const crd = doc.toJS() as CrdDocument | null;
    if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
    const group = crd.spec?.group ?? '';
    const kind = crd.spec?.names?.kind ?? '';
    for (const v of crd.spec?.versions ?? []) {
      const schema = v.schema?.openAPIV3Schema;
      if (!v.served || !v.name || !schema) continue;
      out.push({ group, version: v.name, kind, schema, source });
    }
  }
  return out;
}

function inputFiles(root: string, kubernetesVersion: string): { definitions: string; crds: string[] } {
  const definitions = join(root, 'vendor', 'k8s-schemas', `v${kubernetesVersion}`, '_definitions.json');
  if (!existsSync(definitions)) {
    const have = readdirSync(join(root, 'vendor', 'k8s-schemas')).map((d) => d.replace(/^v/, ''));
    throw new Error(`no vendored Kubernetes schemas for ${kubernetesVersion} (have ${have.join(', ')}); run scripts/vendor-upstream.ts to add them`);
  }
  const crdDir = join(root, 'vendor', 'crds');
  const crds = readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(crdDir, f));
  return { definitions, crds };
}

/** Reads the vendored inputs, through the cache when it is enabled. */
export function readSchemaSource(options: ReadSchemasOptions = {}): SchemaSource {
  return readSchemaSourceDigested(options).source;
}

/** readSchemaSource, with a content hash of the vendored inputs it was read from (what keys its cache entry). */
export function readSchemaSourceDigested(options: ReadSchemasOptions = {}): { source: SchemaSource; digest: string } {
  const root = options.root ?? repositoryRoot();
  const kubernetesVersion = options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const files = inputFiles(root, kubernetesVersion);
  const texts = new Map<string, string>([files.definitions, ...files.crds].map((f) => [f, readFileSync(f, 'utf8')]));

  const hash = createHash('sha256').update(`format ${CACHE_FORMAT}\n`);
  for (const [file, text] of texts) hash.update(`${relative(root, file)}\n${text.length}\n`).update(text);
  const digest = hash.digest('hex').slice(0, 16);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const cacheFile = cacheDir ? join(cacheDir, `schema-source-v${kubernetesVersion}-${digest}.json`) : undefined;

  if (cacheFile && existsSync(cacheFile)) {
    try {
      const cached: unknown = JSON.parse(readFileSync(cacheFile, 'utf8'));
      if (isSchemaSource(cached, kubernetesVersion)) return { source: cached, digest };
    } catch {
      // A truncated file: rebuilt below.
    }
  }

  const definitions = (JSON.parse(texts.get(files.definitions)!) as { definitions: Record<string, JsonSchema> }).definitions;
  const crds = files.crds.flatMap((f) => crdVersionsOf(texts.get(f)!, relative(root, f)));
  const source: SchemaSource = { kubernetesVersion, definitions, crds };

  if (cacheFile && cacheDir) {
    // The cache is an optimisation; a read-only file system must not fail validation.
    writeCacheFile(cacheFile, JSON.stringify(source));
  }
  return { source, digest };
}
