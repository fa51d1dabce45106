// V8's compiled code for the CommonJS packages the CLI loads (typescript, cdk8s, cdk8s-plus-28,
// constructs, yaml, commander…), kept in the user cache, so a later start does not compile them
// again: typescript.js alone is 9 MB, and compiling it is most of the 0.25 s its `require` costs.
// Node 20 has no module.enableCompileCache (Node 22.1), so this does what it does for CommonJS:
// packages under node_modules/ (and the CLI bundle's packages.cjs, which bundles cdk8s and its
// companions: cli-bundle.mjs) are compiled through vm.Script with the cached data, and the data
// is produced after the command ran (then it also holds the functions compiled lazily on the way).
// Plain JavaScript on purpose: it is installed before the bundle is imported.
//
// - Keyed by content: an entry's name is the SHA-256 of the module's source with the Node version
//   and architecture; a changed package never meets an old entry.
// - Never trusted when damaged: an entry starts with the SHA-256 of its data, checked before V8
//   sees it (V8 itself checks only its version, flags and the source's length, not every byte). A
//   damaged or rejected entry is not used, and is written anew at exit.
// - Safe with two processes (or threads: worker threads install it too, lib/io/worker-pool.ts):
//   each writes a whole entry to a temporary file of its own and renames it into place, so a
//   reader sees an old entry or a new one, never half of one.
// - Only an optimisation: `TENANTCTL_NO_CODE_CACHE=1` turns it off, and any failure to read or
//   write the cache costs time, never correctness.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join, sep } from 'node:path';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

/** Bumped when the entry layout changes. */
const FORMAT = 'tenantctl-code-cache 1';
const SUM_BYTES = 32;

const sha256 = (data) => createHash('sha256').update(data).digest();

/** The folder of entries for this Node (its V8 rejects other versions' data anyway). */
export function codeCacheDir(cacheRoot) {
  return join(cacheRoot, 'code-cache', `${process.versions.v8}-${process.arch}`);
}

/** An entry's name: the source's content, and what else decides whether V8 can use the data. */
export function entryName(source) {
  return createHash('sha256').update(`${FORMAT}\0${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 40);
}

/** The cached data in `file` when its checksum holds; undefined when missing or damaged. */
export function readEntry(file) {
  let buf;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length <= SUM_BYTES) return undefined;
  const data = buf.subarray(SUM_BYTES);
  return sha256(data).equals(buf.subarray(0, SUM_BYTES)) ? data : undefined;
}

/** Writes an entry whole or not at all (temporary file, then rename). */
export function writeEntry(file, data) {
  const tmp = `${file}.${process.pid}-${threadId}.tmp`; // worker threads share the pid
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([sha256(data), data]));
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Strips a `#!` line, as Node's loader does, keeping the line count. */
function stripShebang(content) {
  if (content.charCodeAt(0) !== 35 || content.charCodeAt(1) !== 33) return content;
  const end = content.search(/[\r\n]/);
  return end < 0 ? '' : content.slice(end);
}

/**
 * Whether `source` may call `import()`. Code compiled from cached data loses what Node attaches for
 * `import()` (it then throws ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so such a module is left to
 * Node's own compile. Each `import(` is looked at on its own line: one inside a string or a
 * comment there (typescript.js quotes `typeof import('{0}')` in a message) is text; anything the
 * line scan cannot be sure of (a `/` that may start a regular expression) counts as a call.
 */
export function mayImportDynamically(source) {
  for (let at = source.indexOf('import'); at >= 0; at = source.indexOf('import', at + 6)) {
    const before = at > 0 ? source.charCodeAt(at - 1) : 32;
    if (isIdentifierChar(before) || before === 46 /* . */) continue;
    let next = at + 6;
    while (next < source.length && /\s/.test(source[next])) next++;
    if (source[next] !== '(' && source[next] !== '/') continue; // `import /* a comment */ (x)` is a call too
    if (!isTextOnItsLine(source, at)) return true;
  }
  return false;
}

const isIdentifierChar = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95 || c > 127;

/** Whether position `at` is inside a string, template text or comment, judged from the start of its line; false when unsure. */
function isTextOnItsLine(source, at) {
  const stack = []; // open quotes and template substitutions (`{`) from the line's start
  for (let i = source.lastIndexOf('\n', at) + 1; i < at; i++) {
    const c = source[i];
    const top = stack.at(-1);
    if (top === "'" || top === '"' || top === '`') {
      if (c === '\\') i++;
      else if (c === top) stack.pop();
      else if (top === '`' && c === '$' && source[i + 1] === '{') {
        stack.push('{');
        i++;
      }
      continue;
    }
    if (c === "'" || c === '"' || c === '`') stack.push(c);
    else if (c === '{') stack.push('{');
    else if (c === '}') {
      if (stack.length > 0) stack.pop();
    } else if (c === '/') {
      if (source[i + 1] === '/') return true; // a line comment runs past `at`
      if (source[i + 1] !== '*') return false; // division or a regular expression: unsure
      const end = source.indexOf('*/', i + 2);
      if (end < 0 || end >= at) return true; // inside the comment
      i = end + 1;
    }
  }
  const top = stack.at(-1);
  return top === "'" || top === '"' || top === '`';
}

/** `require` of a module, as Node makes it (lib/internal/modules/helpers.js makeRequireFunction). */
function makeRequire(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** What a run did with the cache; for tests. */
export const codeCacheStats = { used: 0, rejected: 0, written: 0 };

/** Scripts compiled without usable data in this thread, with the entry to write for each. */
const toWrite = [];

/**
 * Writes the entries of the modules this thread compiled without cached data so far, with the
 * functions compiled since. The main thread does it at exit; a worker thread, which is terminated
 * rather than exiting, once it has loaded what it works with (lib/io/worker-pool.ts).
 */
export function writeCodeCache() {
  for (const { script, file } of toWrite.splice(0)) {
    try {
      writeEntry(file, script.createCachedData());
      codeCacheStats.written++;
    } catch {
      // only an optimisation
    }
  }
}

/**
 * Compiles CommonJS files under node_modules/ with cached code from `cacheRoot`, and writes the
 * code of those compiled without (or with rejected data) when the thread exits (`writeAtExit`) or
 * when told (writeCodeCache). Returns a function that removes the hook.
 */
export function installCodeCache(cacheRoot, { writeAtExit = true } = {}) {
  if (process.env.TENANTCTL_NO_CODE_CACHE === '1') return () => {};
  const dir = codeCacheDir(cacheRoot);
  const original = Module.prototype._compile;
  const inPackages = `${sep}node_modules${sep}`;
  const inBundles = join(cacheRoot, 'cli') + sep; // the CLI bundle's packages.cjs (cli-bundle.mjs)
  const compileWithCache = function (content, filename, ...rest) {
    if (typeof filename !== 'string' || !(filename.includes(inPackages) || filename.startsWith(inBundles)) || !/\.c?js$/.test(filename)) return original.call(this, content, filename, ...rest);
    const source = stripShebang(content);
    if (mayImportDynamically(source)) return original.call(this, content, filename, ...rest);
    const file = join(dir, `${entryName(source)}.bin`);
    const cachedData = readEntry(file);
    let script;
    try {
      script = new vm.Script(Module.wrap(source), { filename, cachedData });
    } catch {
      // A syntax error: Node's own compile reports it as it always does.
      return original.call(this, content, filename, ...rest);
    }
    if (cachedData && !script.cachedDataRejected) codeCacheStats.used++;
    else {
      if (cachedData) codeCacheStats.rejected++;
      toWrite.push({ script, file });
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    return Reflect.apply(wrapper, this.exports, [this.exports, makeRequire(this), this, filename, dirname(filename)]);
  };
  Module.prototype._compile = compileWithCache;
  if (writeAtExit) process.once('exit', writeCodeCache);
  return () => {
    if (Module.prototype._compile === compileWithCache) Module.prototype._compile = original;
  };
}
