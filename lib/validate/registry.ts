/**
 * One ajv instance holding every schema we validate against, with a validator per
 * (apiVersion, kind): Kubernetes kinds from the vendored definitions (mapped through
 * `x-kubernetes-group-version-kind`), custom resources from each served CRD version.
 *
 * Validators compile lazily on first use and are kept, so a run pays only for the kinds it sees.
 * With a ValidatorStore (validator-cache.ts), a validator compiled once is kept as code across runs,
 * keyed by everything it is built from, and ajv itself is set up only when some kind is missing.
 * The caller supplies the parsed schema inputs (see lib/io/read-schemas.ts) and the store.
 */
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { kubernetesFormats } from './formats.ts';
import { shareRepeatedSubschemas } from './shared-subschemas.ts';
import { OBJECT_META_DEFINITION, strictDefinitions, strictSchema, type JsonSchema } from './strict-schema.ts';
import { FORMATS_MODULE, loadValidatorCode, validatorKey, type LoadedValidator, type ValidatorStore } from './validator-cache.ts';

const require = createRequire(import.meta.url);

/** ajv's version, part of the compiled validators' cache key. Read with require: a JSON import does not survive the CLI's bundle. */
const AJV_VERSION = (require('ajv/package.json') as { version: string }).version;

/**
 * ajv's compiler and its standalone code writer, loaded on the first validator that is not in the
 * store: a run whose validators all come from the store never loads them (a tenth of a second per thread).
 */
function ajvCompiler(): { Ajv: typeof Ajv; _: typeof import('ajv')._; standaloneCode: (ajv: Ajv, validate: ValidateFunction) => string } {
  const { Ajv: AjvClass, _ } = require('ajv') as typeof import('ajv');
  const standalone = require('ajv/dist/standalone/index.js') as { default: (ajv: Ajv, validate: ValidateFunction) => string };
  return { Ajv: AjvClass, _, standaloneCode: standalone.default };
}

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
  /** Keep compiled validators as code here, and take them from here on later runs. @default none */
  readonly store?: ValidatorStore;
  /**
   * With a store: names everything the validators' store keys derive from besides the registry's
   * options (a hash of the schema inputs and of the compiler's code). The keys computed are then kept
   * in the store under it, and taken from there: a run whose validators are all stored builds no
   * strict schema (a tenth of a second or two per thread). @default keys computed on every run
   */
  readonly keysId?: string;
}

/** Bump when the kept store keys change form. */
const KEYS_FORMAT = 'validator-keys/1';

/** Bump when the way code is stored or loaded changes (validator-cache.ts). */
const CODE_FORMAT = 'ajv-standalone-commonjs/1';

const AJV_OPTIONS = {
  allErrors: true,
  strict: false,
  unicodeRegExp: false,
  // `maxLength` and `minLength` count code points (ucs2length); Kubernetes counts bytes, close enough.
  inlineRefs: false,
} as const satisfies Options;

/** The formats as their code: a changed format check gives other validator keys. */
const FORMATS_FINGERPRINT = Object.entries(kubernetesFormats)
  .map(([name, f]) => `${name}:${typeof f === 'object' && !(f instanceof RegExp) ? `${f.type ?? ''}:${String(f.validate)}` : String(f)}`)
  .join('\n');

const BASE = 'https://schemas.tenantctl.invalid';

function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export class SchemaRegistry {
  readonly kubernetesVersion: string;
  private readonly source: SchemaSource;
  private readonly definitionsId: string;
  private readonly entries = new Map<string, Entry>();
  private readonly byKind = new Map<string, Set<string>>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly store: ValidatorStore | undefined;
  /** Set up on the first validator that is not in the store. */
  private ajvInstance: Ajv | undefined;
  private strict: Record<string, JsonSchema> | undefined;
  private definitionsHash: string | undefined;
  /** Store keys by `apiVersion/Kind`, as kept in the store under `keysEntry`; loaded on the first lookup. */
  private keys: Record<string, string> | undefined;
  private readonly keysEntry: string | undefined;
  /** Validators loaded from the store without a (sound, accepted) code cache, with their code: see keepCompiledCode. */
  private readonly uncached: Array<{ readonly code: string; readonly loaded: LoadedValidator }> = [];
  /** How many validators came from the store, and how many were compiled (benchmarks, tests). */
  readonly stats = { loaded: 0, compiled: 0 };

  private readonly objectMetaRef: string;
  private readonly shareSubschemas: boolean;

  constructor(source: SchemaSource, options: SchemaRegistryOptions = {}) {
    this.kubernetesVersion = source.kubernetesVersion;
    this.source = source;
    this.store = options.store;
    this.shareSubschemas = options.shareSubschemas ?? true;
    this.keysEntry = options.store && options.keysId ? validatorKey([KEYS_FORMAT, CODE_FORMAT, AJV_VERSION, JSON.stringify(AJV_OPTIONS), FORMATS_FINGERPRINT, String(this.shareSubschemas), options.keysId]) : undefined;

    const definitionsId = `${BASE}/kubernetes/v${source.kubernetesVersion}/definitions.json`;
    this.definitionsId = definitionsId;
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

  private strictDefinitions(): Record<string, JsonSchema> {
    return (this.strict ??= strictDefinitions(this.source.definitions));
  }

  private get ajv(): Ajv {
    if (!this.ajvInstance) {
      // `code.source` keeps each validator's code, so that it can be stored; the formats are required by name.
      const { Ajv: AjvClass, _ } = ajvCompiler();
      const ajv = new AjvClass({ ...AJV_OPTIONS, ...(this.store ? { code: { source: true, formats: _`require(${FORMATS_MODULE})` } } : {}) });
      for (const [name, format] of Object.entries(kubernetesFormats)) ajv.addFormat(name, format);
      ajv.addSchema({ $id: this.definitionsId, definitions: this.strictDefinitions() });
      this.ajvInstance = ajv;
    }
    return this.ajvInstance;
  }

  /** The store key of a validator: ajv, its options, the formats, every definition and the kind's own schema. */
  private keyOf(ref: string, schema: JsonSchema | undefined): string {
    this.definitionsHash ??= createHash('sha256').update(JSON.stringify(this.strictDefinitions())).digest('hex');
    return validatorKey([CODE_FORMAT, AJV_VERSION, JSON.stringify(AJV_OPTIONS), FORMATS_FINGERPRINT, this.definitionsHash, ref, schema ? JSON.stringify(schema) : '']);
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
    const validate = this.build(key, entry);
    this.compiled.set(key, validate);
    return { found: true, validate };
  }

  /** The store keys kept under `keysEntry` (none when absent or damaged: they are computed then). */
  private keptKeys(): Record<string, string> {
    if (!this.keys) {
      let kept: unknown;
      try {
        const text = this.keysEntry ? this.store!.get(this.keysEntry) : undefined;
        kept = text === undefined ? undefined : JSON.parse(text);
      } catch {
        kept = undefined;
      }
      const sound = kept !== null && typeof kept === 'object' && !Array.isArray(kept) && Object.values(kept as object).every((k) => typeof k === 'string');
      this.keys = sound ? { ...(kept as Record<string, string>) } : {};
    }
    return this.keys;
  }

  /** Keeps a computed store key, with those another process or thread kept meanwhile. */
  private keepKey(key: string, storeKey: string): void {
    if (!this.keysEntry) return;
    this.keys = undefined;
    this.keys = { ...this.keptKeys(), [key]: storeKey };
    this.store!.set(this.keysEntry, JSON.stringify(this.keys));
  }

  /** The validator of one entry: from the store when it holds a sound one, else compiled (and stored). */
  private build(key: string, entry: Entry): ValidateFunction {
    const kept = this.store ? this.keptKeys()[key] : undefined;
    const stored = kept !== undefined ? this.load(this.store!.get(kept)) : undefined;
    if (stored) return stored;
    let schema: JsonSchema | undefined;
    if (entry.crd) {
      // Once per key: the validator is kept in `compiled`.
      const strict = strictSchema(entry.crd.schema, { objectMetaRef: this.objectMetaRef }, true);
      schema = this.shareSubschemas ? shareRepeatedSubschemas(strict) : strict;
    }
    const storeKey = this.store ? this.keyOf(entry.ref, schema) : undefined;
    if (storeKey !== undefined && storeKey !== kept) this.keepKey(key, storeKey);
    const loaded = storeKey !== undefined && storeKey !== kept ? this.load(this.store!.get(storeKey)) : undefined;
    if (loaded) return loaded;
    if (schema && !this.ajv.getSchema(entry.ref)) this.ajv.addSchema({ ...schema, $id: entry.ref });
    const validate = this.ajv.getSchema(entry.ref);
    if (!validate) throw new Error(`internal error: schema ${entry.ref} for ${key} is registered but did not compile`);
    this.stats.compiled++;
    if (storeKey) this.store!.set(storeKey, ajvCompiler().standaloneCode(this.ajv, validate));
    return validate;
  }

  /**
   * Stored code as a validator, through V8's code cache when the store keeps a sound one; undefined
   * when there is none or it does not run (it is compiled again, and its entry replaced).
   */
  private load(code: string | undefined): ValidateFunction | undefined {
    if (code === undefined) return undefined;
    try {
      const loaded = loadValidatorCode(code, kubernetesFormats, this.store?.getCompiled?.(code));
      if (!loaded.cached && this.store?.setCompiled) this.uncached.push({ code, loaded });
      this.stats.loaded++;
      return loaded.validate;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps V8's code cache of the validators loaded without one, in the store; returns how many.
   * Called once this thread has validated its objects, so that the cache holds the functions
   * compiled on the way too (a later run then compiles none); a run that loaded every validator
   * through its code cache writes nothing.
   */
  keepCompiledCode(): number {
    const kept = this.uncached.splice(0);
    for (const { code, loaded } of kept) this.store!.setCompiled!(code, loaded.script.createCachedData());
    return kept.length;
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
