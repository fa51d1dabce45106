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
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
}

/** The module id standalone code requires the formats under (registry.ts passes it to ajv). */
export const FORMATS_MODULE = 'tenantctl:validate/formats';

const HEADER = '// tenantctl validator sha256:';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `<cacheRoot>/validators`: one file per key. */
export function defaultValidatorDir(): string {
  return join(cacheRoot(), 'validators');
}

/** Validator code as files under `dir`, each with a checksum line. */
export function diskValidatorStore(dir: string = defaultValidatorDir()): ValidatorStore {
  const pathOf = (key: string) => join(dir, `${key}.js`);
  return {
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
      const path = pathOf(key);
      // Unique per process, thread and call: two writers never share a temporary file.
      const tmp = `${path}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, `${HEADER}${sha256(code)}\n${code}`);
        renameSync(tmp, path);
      } catch {
        rmSync(tmp, { force: true });
      }
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

/**
 * Runs standalone validator code (CommonJS, as ajv's standaloneCode writes it) and returns its
 * validator. The code may require only ajv's runtime helpers and the formats: they are handed over
 * from this module's imports rather than resolved on disk, so this works the same when tenantctl
 * runs bundled. Throws when the code does not evaluate to a function.
 */
export function loadValidatorCode(code: string, formats: unknown): ValidateFunction {
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
  new Function('require', 'module', 'exports', code)(require, module, module.exports);
  const validate = module.exports;
  if (typeof validate !== 'function') throw new Error('validator code does not export a function');
  return validate as ValidateFunction;
}

/** The key of one validator: a hash of the parts it is built from. */
export function validatorKey(parts: readonly string[]): string {
  return sha256(parts.join('\0')).slice(0, 32);
}
