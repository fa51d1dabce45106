/**
 * One ajv instance holding every schema we validate against, with a validator per
 * (apiVersion, kind): Kubernetes kinds from the vendored definitions (mapped through
 * `x-kubernetes-group-version-kind`), custom resources from each served CRD version.
 *
 * Validators compile lazily on first use and are kept, so a run pays only for the kinds it sees.
 * Pure: the caller supplies the parsed schema inputs (see lib/io/read-schemas.ts).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { kubernetesFormats } from './formats.ts';
import { shareRepeatedSubschemas } from './shared-subschemas.ts';
import { OBJECT_META_DEFINITION, strictDefinitions, strictSchema, type JsonSchema } from './strict-schema.ts';

/** One served version of a CustomResourceDefinition. */
export interface CrdVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: JsonSchema;
  /** Where it came from, e.g. `vendor/crds/traefik-v3.yaml`. */
  readonly source: string;
}

/** Everything the registry is built from: upstream inputs, unmodified. */
export interface SchemaSource {
  /** e.g. `1.36.0`. */
  readonly kubernetesVersion: string;
  /** The `definitions` of `_definitions.json`. */
  readonly definitions: Readonly<Record<string, JsonSchema>>;
  readonly crds: readonly CrdVersion[];
}

export type Lookup =
  | { readonly found: true; readonly validate: ValidateFunction }
  | { readonly found: false; readonly reason: 'unknown-kind' | 'unknown-api-version'; readonly knownApiVersions: readonly string[] };

interface Entry {
  /** A `$ref` into the definitions, or the id of a CRD schema. */
  readonly ref: string;
  /** The CRD version whose schema is added under `ref` on first use. */
  readonly crd?: CrdVersion;
}

export interface SchemaRegistryOptions {
  /**
   * Compile each subschema a CRD repeats once (see shared-subschemas.ts). Turning it off changes
   * only the compile time. @default true
   */
  readonly shareSubschemas?: boolean;
}

const BASE = 'https://schemas.tenantctl.invalid';

function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export class SchemaRegistry {
  readonly kubernetesVersion: string;
  private readonly ajv: Ajv;
  private readonly entries = new Map<string, Entry>();
  private readonly byKind = new Map<string, Set<string>>();
  private readonly compiled = new Map<string, ValidateFunction>();

  private readonly objectMetaRef: string;
  private readonly shareSubschemas: boolean;

  constructor(source: SchemaSource, options: SchemaRegistryOptions = {}) {
    this.kubernetesVersion = source.kubernetesVersion;
    this.shareSubschemas = options.shareSubschemas ?? true;
    this.ajv = new Ajv({
      allErrors: true,
      strict: false,
      unicodeRegExp: false,
      // `maxLength` and `minLength` count code points (ucs2length); Kubernetes counts bytes, close enough.
      inlineRefs: false,
    });
    for (const [name, format] of Object.entries(kubernetesFormats)) this.ajv.addFormat(name, format);

    const definitionsId = `${BASE}/kubernetes/v${source.kubernetesVersion}/definitions.json`;
    this.ajv.addSchema({ $id: definitionsId, definitions: strictDefinitions(source.definitions) });
    for (const [name, schema] of Object.entries(source.definitions)) {
      const gvks = schema['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks as Array<{ group: string; version: string; kind: string }>) {
        this.register(apiVersionOf(gvk.group, gvk.version), gvk.kind, `${definitionsId}#/definitions/${name}`);
      }
    }

    this.objectMetaRef = `${definitionsId}#/definitions/${OBJECT_META_DEFINITION}`;
    // CRD schemas are made strict and added on first use: a run pays only for the kinds it sees.
    for (const crd of source.crds) {
      this.register(apiVersionOf(crd.group, crd.version), crd.kind, `${BASE}/crds/${crd.group}/${crd.version}/${crd.kind}.json`, crd);
    }
  }

  private register(apiVersion: string, kind: string, ref: string, crd?: CrdVersion): void {
    const key = `${apiVersion}/${kind}`;
    if (this.entries.has(key)) return;
    this.entries.set(key, crd ? { ref, crd } : { ref });
    const versions = this.byKind.get(kind) ?? new Set<string>();
    versions.add(apiVersion);
    this.byKind.set(kind, versions);
  }

  /** Every (apiVersion, kind) with a schema, as `apiVersion/Kind`. */
  kinds(): string[] {
    return [...this.entries.keys()].sort();
  }

  lookup(apiVersion: string, kind: string): Lookup {
    const key = `${apiVersion}/${kind}`;
    const cached = this.compiled.get(key);
    if (cached) return { found: true, validate: cached };
    const entry = this.entries.get(key);
    if (!entry) {
      const known = [...(this.byKind.get(kind) ?? [])].sort();
      return { found: false, reason: known.length > 0 ? 'unknown-api-version' : 'unknown-kind', knownApiVersions: known };
    }
    if (entry.crd) {
      // Once per key: the validator is kept in `compiled` below.
      const strict = strictSchema(entry.crd.schema, { objectMetaRef: this.objectMetaRef }, true);
      this.ajv.addSchema({ ...(this.shareSubschemas ? shareRepeatedSubschemas(strict) : strict), $id: entry.ref });
    }
    const validate = this.ajv.getSchema(entry.ref);
    if (!validate) throw new Error(`internal error: schema ${entry.ref} for ${key} is registered but did not compile`);
    this.compiled.set(key, validate);
    return { found: true, validate };
  }

  /** Compiles every validator now (benchmarks, cache warm-up); returns how many. */
  compileAll(): number {
    for (const key of this.entries.keys()) {
      const slash = key.lastIndexOf('/');
      this.lookup(key.slice(0, slash), key.slice(slash + 1));
    }
    return this.compiled.size;
  }
}
