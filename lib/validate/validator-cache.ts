/**
 * Compiled validators kept between runs: ajv's standalone code for one (apiVersion, kind), stored
 * in the user cache (lib/io/user-cache.ts cacheRoot(), never the repository, so a pull request
 * cannot bring entries of its own) under a key that hashes everything the code depends on (the
 * strict schemas, ajv's version and options, the formats; see registry.ts). Compiling the
 * validators of a fleet's ~30 kinds costs about a second on every run; loading their code, a tenth.
 *
 * Each entry carries a SHA-256 of its code: an entry that is truncated, edited or otherwise damaged
 * is not used (the validator is compiled again and the entry rewritten). Entries are written whole
 * or not at all, under a name unique to the writer, so processes and threads filling the cache at
 * once never read half an entry.
 *
 * Loading that code still costs V8 a parse of up to 600 KB per kind, and a compile of each function
 * on its first call, in every thread of every run (about a tenth of a second of CPU a thread for the
 * ~30 kinds of a fleet, measured on a busy 2-core machine).
 * So a store may also keep V8's code cache of each validator (vm.Script `cachedData`, made once the
 * validators ran, so it holds the functions compiled on the way), named by a hash of the code and
 * the Node version. V8 checks only its version, flags and the source's length, not every byte, so
 * each entry carries a SHA-256 of its data, checked first; data V8 rejects anyway is made again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { threadId } from 'node:worker_threads';
import type { ValidateFunction } from 'ajv';
import equal from 'ajv/dist/runtime/equal.js';
import ucs2length from 'ajv/dist/runtime/ucs2length.js';
import uri from 'ajv/dist/runtime/uri.js';
import validationError from 'ajv/dist/runtime/validation_error.js';
import { cacheRoot } from '../io/user-cache.ts';

/** Where validator code is kept, by key. */
export interface ValidatorStore {
  /** The code stored under `key`, or undefined when there is none or it is damaged. */
  get(key: string): string | undefined;
  /** Best effort: a store that cannot be written only costs time. */
  set(key: string, code: string): void;
  /** V8's code cache of `code` (see the module comment), when the store keeps one and it is sound. */
  getCompiled?(code: string): Buffer | undefined;
  /** Best effort, as `set`. */
  setCompiled?(code: string, data: Buffer): void;
}

/** The module id standalone code requires the formats under (registry.ts passes it to ajv). */
export const FORMATS_MODULE = 'tenantctl:validate/formats';

const HEADER = '// tenantctl validator sha256:';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `<cacheRoot>/validators`: one file per key. */
export function defaultValidatorDir(): string {
  return join(cacheRoot(), 'validators');
}

/** Writes `data` to `path` whole or not at all: to a name unique per process, thread and call, then renamed. */
function writeWhole(dir: string, path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/**
 * Validator code as files under `dir`, each with a checksum line; with `compiledDir`, V8's code
 * cache of each under it too, each file the SHA-256 of its data (32 bytes), then the data.
 */
export function diskValidatorStore(dir: string = defaultValidatorDir(), compiledDir?: string): ValidatorStore {
  const pathOf = (key: string) => join(dir, `${key}.js`);
  // V8 rejects another version's data anyway: each version has a folder of its own, so they do not overwrite each other.
  const compiledFolder = compiledDir && join(compiledDir, `${process.versions.v8}-${process.arch}`);
  const compiledPath = (code: string) => join(compiledFolder!, `${sha256(`${process.version}\0${process.arch}\0${code}`).slice(0, 40)}.bin`);
  const compiled: Pick<ValidatorStore, 'getCompiled' | 'setCompiled'> = compiledFolder
    ? {
        getCompiled(code) {
          let buf: Buffer;
          try {
            buf = readFileSync(compiledPath(code));
          } catch {
            return undefined;
          }
          if (buf.length <= 32) return undefined;
          const data = buf.subarray(32);
          return createHash('sha256').update(data).digest().equals(buf.subarray(0, 32)) ? data : undefined;
        },
        setCompiled(code, data) {
          writeWhole(compiledFolder, compiledPath(code), Buffer.concat([createHash('sha256').update(data).digest(), data]));
        },
      }
    : {};
  return {
    ...compiled,
    get(key) {
      let text: string;
      try {
        text = readFileSync(pathOf(key), 'utf8');
      } catch {
        return undefined;
      }
      const newline = text.indexOf('\n');
      if (newline < 0 || !text.startsWith(HEADER)) return undefined;
      const code = text.slice(newline + 1);
      return text.slice(HEADER.length, newline) === sha256(code) ? code : undefined;
    },
    set(key, code) {
      writeWhole(dir, pathOf(key), `${HEADER}${sha256(code)}\n${code}`);
    },
  };
}

/**
 * ajv's runtime helpers as `require` returns them (`{ default: helper }`): Node's default import of
 * a CommonJS module is its `module.exports`, a bundler's may be the `default` export itself.
 */
function asCommonJs(imported: unknown): unknown {
  return imported !== null && typeof imported === 'object' && 'default' in imported ? imported : { default: imported };
}

/** A validator loaded from code: `script`, to make its code cache from once it ran; `cached`: whether V8 took `cachedData`. */
export interface LoadedValidator {
  readonly validate: ValidateFunction;
  readonly script: Script;
  readonly cached: boolean;
}

/**
 * Runs standalone validator code (CommonJS, as ajv's standaloneCode writes it) and returns its
 * validator, compiled with V8's `cachedData` when given (V8 ignores data that does not fit the
 * code: `cached` is then false). The code may require only ajv's runtime helpers and the formats:
 * they are handed over from this module's imports rather than resolved on disk, so this works the
 * same when tenantctl runs bundled. Throws when the code does not evaluate to a function.
 */
export function loadValidatorCode(code: string, formats: unknown, cachedData?: Buffer): LoadedValidator {
  const modules: Record<string, unknown> = {
    'ajv/dist/runtime/equal': asCommonJs(equal),
    'ajv/dist/runtime/ucs2length': asCommonJs(ucs2length),
    'ajv/dist/runtime/uri': asCommonJs(uri),
    'ajv/dist/runtime/validation_error': asCommonJs(validationError),
    [FORMATS_MODULE]: formats,
  };
  const require = (id: string): unknown => {
    if (!(id in modules)) throw new Error(`validator code requires ${id}, which is not provided`);
    return modules[id];
  };
  const module = { exports: {} as unknown };
  // As `new Function('require', 'module', 'exports', code)`, but a Script can use and make a code cache.
  const script = new Script(`(function (require, module, exports) {${code}\n})`, { filename: 'tenantctl-validator.js', ...(cachedData ? { cachedData } : {}) });
  (script.runInThisContext() as (r: typeof require, m: typeof module, e: unknown) => void)(require, module, module.exports);
  const validate = module.exports;
  if (typeof validate !== 'function') throw new Error('validator code does not export a function');
  return { validate: validate as ValidateFunction, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

/** The key of one validator: a hash of the parts it is built from. */
export function validatorKey(parts: readonly string[]): string {
  return sha256(parts.join('\0')).slice(0, 32);
}
