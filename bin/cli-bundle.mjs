// The CLI as plain JavaScript: lib/, tiers/ and vendor/imports/ bundled by esbuild into the user's
// cache, so a command starts without compiling TypeScript (tsx costs about 0.3 s, and loading every
// module as TypeScript on each start cost seconds). Plain JavaScript on purpose: this runs before
// any TypeScript loader.
//
// - Keyed by content: a hash of every file of lib/, tiers/, vendor/imports/, the lock file, this file
//   and where node_modules is. Platform engineers edit tiers/ in this repository, so the key is
//   computed on every start and a stale bundle never runs.
// - Safe when two processes build at once: each builds into its own folder and renames it into place;
//   the loser uses the winner's.
// - Never trusted when damaged: a manifest lists every file with its size and SHA-256, checked before
//   the bundle is imported; a bundle that fails the check is built again.
// - Node packages stay external (imported by Node from node_modules, by absolute URL); dynamic imports
//   of our own modules become chunks loaded when first used, so a command loads only what it needs.
// - Every module named by `new URL('./x.ts', import.meta.url)` (the worker entries of
//   lib/io/worker-pool.ts startWorker) is an entry point of its own, and `import.meta.url` in bundled
//   code is the URL of the module's source file, so paths computed from it stay right; startWorker
//   maps a source URL to its bundled file through `bundleInfo()`.
// - The CommonJS packages that synthesis loads (cdk8s, cdk8s-plus-28's typed core objects) and the
//   typed CRD objects of vendor/imports/ are bundled apart, into one CommonJS file of the bundle
//   (packages.cjs), loaded with `require` (so with V8's cached code: code-cache.mjs) on the first
//   use of one of their exports (packagedModule), not when imported. Loaded from node_modules the
//   packages cost a resolution, a read and a cache lookup per file (about 150 files), and Node's
//   ESM loader scans each one's source for its export names first; as part of an ES module chunk,
//   the CRD code (0.9 MB) is parsed again on every start. A package they share with the CLI at the
//   same version (yaml, constructs: REQUIRED) stays one copy, the CLI's. Each vendored module is a
//   file of its own beside packages.cjs, read when first used (an environment's render does not
//   need Argo CD's ApplicationSet, 1 MB). The price: 2.7 MB of CommonJS (it is not tree-shaken),
//   checked with the rest of the bundle at every start.
// - A build that fails falls back to the TypeScript sources through tsx, with a one-line note.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { userCacheRoot } from '../lib/io/workspace-cache.mjs';

/** This checkout (or installed package): the folder holding bin/, lib/, tiers/, node_modules/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where bundled code finds the source root and the bundle (set before the bundle is imported; workers set it too). */
export const BUNDLE_GLOBAL = Symbol.for('tenantctl.bundle');
const SOURCE_DIRS = ['lib', 'tiers', 'vendor/imports'];
const ENTRY = 'lib/cli/main.ts';
const MANIFEST = 'manifest.json';
/** Packages bundled into PACKAGES_FILE (with what they import but the CLI does not), by package name. */
const PACKAGED = new Set(['cdk8s', 'cdk8s-plus-28']);
/**
 * Packages the bundle `require`s from node_modules (their CommonJS builds), so their compiled code
 * comes from V8's code cache (code-cache.mjs), which Node 20 has not for ES modules: constructs,
 * which PACKAGES_FILE requires too (one copy in memory), because the tiers' classes extend its
 * Construct as their modules load, and that must not load PACKAGES_FILE.
 */
const REQUIRED = new Set(['constructs']);
/**
 * Packages the bundle requires as one CommonJS file of their own in the bundle (packageFileName),
 * bundled from the package's CommonJS build, so their compiled code comes from V8's code cache
 * too: zod, whose ES modules cost some 80 ms to compile on every synth, 45 as CommonJS from
 * node_modules (95 files, 64 of them locales, each a resolution, a read and a cache lookup), and
 * 20 as one file. Nothing else loads zod, so the CLI's copy is the only one.
 */
const ONE_FILE = new Set(['zod']);
export const PACKAGES_FILE = 'packages.cjs';
/** The export names of each module of PACKAGES_FILE, so that it loads on first use of one (packagedModule). */
export const PACKAGE_EXPORTS_FILE = 'package-exports.cjs';
/** Source folder of the typed CRD objects, bundled into PACKAGES_FILE as well. */
const VENDORED = 'vendor/imports';
/** Bundles kept in the cache besides the one in use (other checkouts, branches, recent edits); older ones go after a day unused. */
const KEEP = 8;

/** The user cache (lib/io/workspace-cache.mjs userCacheRoot, lib/io/user-cache.ts cacheRoot). */
export function cacheRoot() {
  return userCacheRoot();
}

function sourceFiles(root) {
  const out = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.isFile() || e.isSymbolicLink()) out.push(p);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return out.sort();
}

/**
 * Content key of the bundle of `root` (every source file, the lock file, this builder, and the
 * node_modules it imports from), and the SHA-256 of each source file, which the CLI reuses
 * (lib/workspace/compile.ts codeVersion) instead of reading the files again.
 *
 * The digests are content hashes; reading 9 MB of sources on every start would cost more than the
 * rest of a command with nothing to do, so a file whose size, mtime, ctime and inode are those
 * recorded with its digest (a checksummed file in the cache, like git's index) is not read again.
 * Any write to a file changes its ctime, which no tool can set back; a file changed within two
 * seconds of the record is hashed again, whatever its stamps say.
 */
export function sourceDigests(root = PACKAGE_ROOT) {
  const h = createHash('sha256');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  const record = join(cacheRoot(), 'cli-sources', `${sha256(root).slice(0, 16)}.json`);
  const known = readStamps(record);
  const files = {};
  const stamps = {};
  let changed = false;
  const digest = (p) => {
    let st;
    try {
      st = statSync(join(root, p));
    } catch {
      return undefined;
    }
    const stamp = [st.size, st.mtimeMs, st.ctimeMs, st.ino];
    const k = known.files[p];
    const settled = Math.max(st.mtimeMs, st.ctimeMs) < known.writtenAt - 2000;
    if (k && settled && k[0] === stamp[0] && k[1] === stamp[1] && k[2] === stamp[2] && k[3] === stamp[3]) {
      stamps[p] = k;
      return k[4];
    }
    changed = true;
    const hash = sha256(readFileSync(join(root, p)));
    stamps[p] = [...stamp, hash];
    return hash;
  };
  for (const p of sourceFiles(root)) {
    const d = digest(p);
    if (d === undefined) continue;
    files[p] = d;
    h.update(p).update('\0').update(files[p]).update('\0');
  }
  for (const f of ['package-lock.json', 'package.json']) {
    const d = digest(f);
    if (d === undefined) continue; // absent: the sources above still key the bundle
    files[f] = d;
    h.update(f).update('\0').update(files[f]).update('\0');
  }
  h.update(nodeModules(root));
  if (changed || Object.keys(known.files).length !== Object.keys(stamps).length) writeStamps(record, stamps);
  return { key: h.digest('hex').slice(0, 32), files };
}

/** The recorded stamps and digests, or none when the record is missing or damaged (then every file is hashed). */
function readStamps(file) {
  try {
    const text = readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (text.slice(0, newline) !== sha256(body)) return { files: {}, writtenAt: 0 };
    const parsed = JSON.parse(body);
    return typeof parsed.files === 'object' && parsed.files !== null && typeof parsed.writtenAt === 'number' ? parsed : { files: {}, writtenAt: 0 };
  } catch {
    return { files: {}, writtenAt: 0 };
  }
}

/** Written whole (temporary file, then rename) or not at all: it only saves time. */
function writeStamps(file, files) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const body = JSON.stringify({ writtenAt: Date.now(), files });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${sha256(body)}\n${body}`);
    renameSync(tmp, file);
  } catch {
    // a read-only cache: every start hashes the files
  }
}

/** The bundle's content key alone. */
export function bundleKey(root = PACKAGE_ROOT) {
  return sourceDigests(root).key;
}

function nodeModules(root) {
  try {
    return realpathSync(join(root, 'node_modules'));
  } catch {
    return join(root, 'node_modules');
  }
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** The manifest of the bundle in `dir` when every file it lists is whole; undefined otherwise. */
export function verifiedManifest(dir, key) {
  let manifest;
  try {
    const text = readFileSync(join(dir, MANIFEST), 'utf8');
    const { sum, ...body } = JSON.parse(text);
    if (sum !== sha256(JSON.stringify(body)) || body.key !== key) return undefined;
    manifest = body;
    for (const [file, size, hash] of manifest.files) {
      const buf = readFileSync(join(dir, file));
      if (buf.length !== size || sha256(buf) !== hash) return undefined;
    }
  } catch {
    return undefined;
  }
  return manifest;
}

/** Source modules named by `new URL('./x.ts', import.meta.url)`: entry points of their own (worker entries). */
function urlEntries(root, files) {
  const out = new Set();
  const pattern = /new URL\(\s*['"](\.{1,2}\/[^'"]+\.ts)['"]\s*,\s*import\.meta\.url\s*\)/g;
  for (const p of files) {
    if (!p.startsWith('lib/') || !p.endsWith('.ts')) continue;
    const text = readFileSync(join(root, p), 'utf8');
    for (const m of text.matchAll(pattern)) {
      const target = relative(root, join(root, dirname(p), m[1])).split(sep).join('/');
      if (existsSync(join(root, target))) out.add(target); // not a comment's example
    }
  }
  return [...out].sort();
}

/** Builds the bundle of `root` into `dir` (a fresh folder). */
async function build(root, dir, key) {
  const { build: esbuild } = await import('esbuild');
  const files = sourceFiles(root);
  const workers = urlEntries(root, files);
  /** Specifiers of packaged modules the sources import (PACKAGED). */
  const packaged = new Set();
  /** Specifiers of ONE_FILE packages the sources import, with the file each resolves to. */
  const oneFile = new Map();
  const sourcePlugin = {
    name: 'tenantctl-sources',
    setup(b) {
      // Packages: external, by the absolute URL Node resolves them to from the package root, so the
      // bundle (in the user cache, without a node_modules beside it) imports the same files.
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (PACKAGED.has(packageName(args.path))) {
          packaged.add(args.path);
          return { path: args.path, namespace: 'tenantctl-package' };
        }
        const name = packageName(args.path);
        if (ONE_FILE.has(name) || REQUIRED.has(name)) {
          // Its CommonJS entry, as the package root's `require` finds it.
          let path;
          try {
            path = createRequire(join(root, 'package.json')).resolve(args.path);
          } catch {
            return undefined; // esbuild then reports the package as missing
          }
          if (REQUIRED.has(name)) return { path, namespace: 'tenantctl-required' };
          oneFile.set(args.path, path);
          return { path: args.path, namespace: 'tenantctl-one-file' };
        }
        let url;
        try {
          url = import.meta.resolve(args.path); // from bin/, so from the package root's node_modules
        } catch {
          return undefined; // esbuild then reports the package as missing
        }
        return { path: url, external: true };
      });
      // The typed CRD objects (vendor/imports/, cdk8s import's output: megabytes of generated
      // code, 0.9 MB of it bundled) go to PACKAGES_FILE too: as an ES module, Node parses all of
      // it again on every start; as CommonJS its compiled code is cached.
      b.onResolve({ filter: /\/vendor\/imports\/[^/]+\.ts$/ }, (args) => {
        const rel = relative(root, resolve(args.resolveDir, args.path)).split(sep).join('/');
        if (!rel.startsWith(`${VENDORED}/`)) return undefined;
        packaged.add(rel);
        return { path: rel, namespace: 'tenantctl-package' };
      });
      // `import.meta.url` is the source file's URL, under the root the loader names at run time.
      b.onLoad({ filter: /\.ts$/, namespace: 'file' }, (args) => {
        const rel = relative(root, args.path).split(sep).join('/');
        const text = readFileSync(args.path, 'utf8');
        const contents = text.includes('import.meta.url')
          ? text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, globalThis[Symbol.for("tenantctl.bundle")].sourceRoot).href`)
          : text;
        return { contents, loader: 'ts' };
      });
      // A packaged import: the module from PACKAGES_FILE, on first use (packagedModule).
      b.onLoad({ filter: /.*/, namespace: 'tenantctl-package' }, (args) => ({ contents: packagedModule(args.path), loader: 'js' }));
      // A package bundled into one file of its own (ONE_FILE), from the bundle's folder.
      b.onLoad({ filter: /.*/, namespace: 'tenantctl-one-file' }, (args) => ({
        contents: `const { createRequire } = process.getBuiltinModule('node:module');\nmodule.exports = createRequire(globalThis[Symbol.for('tenantctl.bundle')].dir + '/')(${JSON.stringify(`./${packageFileName(args.path)}`)});\n`,
        loader: 'js',
      }));
      // A required package: from node_modules, by the path PACKAGES_FILE requires it by.
      b.onLoad({ filter: /.*/, namespace: 'tenantctl-required' }, (args) => ({
        contents: `const { createRequire } = process.getBuiltinModule('node:module');\nmodule.exports = createRequire(${JSON.stringify(args.path)})(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: [ENTRY, ...workers],
    outbase: root,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    metafile: true,
    plugins: [sourcePlugin],
  });
  // cdk8s is always a module of PACKAGES_FILE when there are vendored modules: they load it from there.
  if ([...packaged].some((s) => s.startsWith(`${VENDORED}/`))) packaged.add('cdk8s');
  const vendoredFiles = await buildPackages(esbuild, root, join(dir, PACKAGES_FILE), [...packaged].sort());
  writeFileSync(join(dir, PACKAGE_EXPORTS_FILE), `module.exports = ${JSON.stringify(packageExports(join(dir, PACKAGES_FILE), [...packaged].sort()))};\n`);
  for (const [spec, path] of [...oneFile].sort()) {
    await esbuild({ ...CJS_BUILD, entryPoints: [path], absWorkingDir: root, outfile: join(dir, packageFileName(spec)) });
  }
  const out = [...Object.keys(result.metafile.outputs).map((p) => relative(dir, resolve(root, p)).split(sep).join('/')), PACKAGES_FILE, PACKAGE_EXPORTS_FILE, ...vendoredFiles, ...[...oneFile.keys()].map(packageFileName)].sort();
  const entries = Object.fromEntries([ENTRY, ...workers].map((e) => [e, e.replace(/\.ts$/, '.mjs')]));
  // What each source module imports of the project's own (type-only imports are gone): the graph
  // codeVersion follows from the rendering modules, without parsing the sources again.
  const graph = {};
  for (const [input, { imports }] of Object.entries(result.metafile.inputs)) {
    // A packaged import is the source file it names (vendor/imports/), or a package (left out).
    const paths = imports.filter((i) => !i.external && !i.path.startsWith('<') && !i.path.startsWith('tenantctl-required:')).map((i) => i.path.replace(/^tenantctl-package:/, ''));
    graph[input] = paths.filter((p) => !packaged.has(p) || p.startsWith(`${VENDORED}/`));
  }
  const body = { key, entries, graph, files: out.map((f) => { const buf = readFileSync(join(dir, f)); return [f, buf.length, sha256(buf)]; }) };
  writeFileSync(join(dir, MANIFEST), JSON.stringify({ ...body, sum: sha256(JSON.stringify(body)) }));
  return body;
}

/**
 * A CommonJS file of the bundle beside PACKAGES_FILE: a ONE_FILE package (`zod`) or a vendored
 * module (`argocd-argoproj.io`, vendoredFileName), by name.
 */
function packageFileName(name) {
  return `package-${name.replace(/[^a-zA-Z0-9.-]/g, '_')}.cjs`;
}

/** How every CommonJS file of packages in the bundle is built (PACKAGES_FILE, packageFileName). */
const CJS_BUILD = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent' };

/**
 * The code of a packaged import (`spec`, a module of PACKAGES_FILE): an object with the module's
 * export names, each a getter that loads PACKAGES_FILE (from the bundle's folder, the one running,
 * in a worker thread too) on first use. Importing a tier loads none of cdk8s: a re-synth whose
 * changed folders are all in the render cache never uses it, and loading it cost some 0.2 s.
 * Without the names (PACKAGE_EXPORTS_FILE could not list them), the module loads at once.
 */
export function packagedModule(spec) {
  return `const { createRequire } = process.getBuiltinModule('node:module');
const req = createRequire(globalThis[Symbol.for('tenantctl.bundle')].dir + '/');
let real;
const load = () => (real ??= req('./${PACKAGES_FILE}')(${JSON.stringify(spec)}));
const names = req('./${PACKAGE_EXPORTS_FILE}')[${JSON.stringify(spec)}];
if (names === undefined) module.exports = load();
else {
  const lazy = {};
  for (const [name, enumerable] of names) Object.defineProperty(lazy, name, { enumerable, configurable: true, get: () => load()[name] });
  module.exports = lazy;
}
`;
}

/**
 * The own property names (with whether each is enumerable) of each module `specs` names in the
 * packages file `file`, listed by a child process that loads them (so this one holds no copy of
 * the build folder's modules); `{}` when that fails, and the modules then load eagerly.
 */
function packageExports(file, specs) {
  const script = `const p = require(${JSON.stringify(file)}); const out = {}; for (const s of ${JSON.stringify(specs)}) { const m = p(s); out[s] = Object.getOwnPropertyNames(m).map((n) => [n, Object.getOwnPropertyDescriptor(m, n).enumerable]); } process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 120_000 });
  try {
    return r.status === 0 ? JSON.parse(r.stdout) : {};
  } catch {
    return {};
  }
}

/** `cdk8s-plus-28` of `cdk8s-plus-28/lib/imports/k8s.js`, `@scope/name` of `@scope/name/x`. */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function packageVersion(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * PACKAGES_FILE: the modules `specs` name (a function from specifier to module, each loaded on
 * first call), one CommonJS file, but for the vendored modules: a file each beside it (returned,
 * by name). What they import resolves as Node resolves it, except that a
 * nested copy of a package (cdk8s' own yaml) is the top-level one when both have the same
 * version, and a package of the CLI's own dependencies stays external at its top-level copy, so
 * it is the very module the CLI imports (one yaml in memory, not two).
 */
async function buildPackages(esbuild, root, outfile, specs) {
  const own = new Set(Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {}));
  // By its real path, which the bundle's key names (sourceDigests): a checkout whose node_modules
  // is a link must not leave its own path in a bundle that other checkouts of the same code run.
  const modules = nodeModules(root);
  const onePackageCopy = {
    name: 'tenantctl-one-package-copy',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.resolving || isBuiltin(args.path)) return undefined;
        const name = packageName(args.path);
        const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { resolving: true } });
        if (found.errors.length > 0 || !found.path) return undefined; // esbuild reports it
        let path = found.path;
        const top = join(modules, name) + sep;
        const marker = `${sep}node_modules${sep}${name}${sep}`;
        const at = path.lastIndexOf(marker);
        if (!path.startsWith(top) && at >= 0) {
          const nested = path.slice(0, at + marker.length);
          const same = join(top, path.slice(nested.length));
          if (packageVersion(nested) !== undefined && packageVersion(nested) === packageVersion(top) && existsSync(same)) path = same;
        }
        if (path.startsWith(top) && own.has(name) && !PACKAGED.has(name)) return { path, external: true };
        return { path };
      });
    },
  };
  // Each vendored module is a file of its own beside PACKAGES_FILE, read only when used: an
  // environment's render never needs Argo CD's ApplicationSet (half of the typed objects' code).
  const vendored = specs.filter((s) => s.startsWith(`${VENDORED}/`));
  const loaders = specs.map((s) => `  ${JSON.stringify(s)}: () => require(${JSON.stringify(vendored.includes(s) ? `./${vendoredFileName(s)}` : s)}),`).join('\n');
  const siblings = { name: 'tenantctl-sibling-files', setup: (b) => b.onResolve({ filter: /^\.\/packages?[-.]/ }, (args) => ({ path: args.path, external: true })) };
  const common = { ...CJS_BUILD, absWorkingDir: root };
  await esbuild({
    ...common,
    stdin: { contents: `const load = {\n${loaders}\n};\nmodule.exports = (spec) => load[spec]();\n`, resolveDir: root, sourcefile: PACKAGES_FILE, loader: 'js' },
    outfile,
    plugins: [siblings, onePackageCopy],
  });
  // A vendored module's cdk8s is PACKAGES_FILE's: one ApiObject class, whichever file defines a kind.
  const sharedCdk8s = {
    name: 'tenantctl-shared-cdk8s',
    setup(b) {
      b.onResolve({ filter: /^cdk8s$/ }, () => ({ path: 'cdk8s', namespace: 'tenantctl-shared-cdk8s' }));
      b.onLoad({ filter: /.*/, namespace: 'tenantctl-shared-cdk8s' }, () => ({ contents: `module.exports = require('./${PACKAGES_FILE}')('cdk8s');\n`, loader: 'js' }));
    },
  };
  for (const spec of vendored) {
    await esbuild({ ...common, entryPoints: [join(root, spec)], outfile: join(dirname(outfile), vendoredFileName(spec)), plugins: [siblings, sharedCdk8s, onePackageCopy] });
  }
  return vendored.map(vendoredFileName);
}

/** The file beside PACKAGES_FILE of a vendored module (`vendor/imports/x.ts`). */
function vendoredFileName(spec) {
  return packageFileName(spec.slice(VENDORED.length + 1).replace(/\.ts$/, ''));
}

/** Removes all but the newest bundles (best effort: another process may be using or removing one). */
function prune(parent, current) {
  try {
    const dirs = readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== current)
      .map((e) => {
        const p = join(parent, e.name);
        let t = 0;
        try {
          t = statSync(p).mtimeMs;
        } catch {
          // gone already
        }
        return { p, t, name: e.name };
      })
      .sort((a, b) => b.t - a.t);
    // Half-built folders of processes that died are older than a minute; live builds are newer.
    for (const d of dirs.filter((d) => d.name.includes('.tmp-'))) if (Date.now() - d.t > 60_000) rmSync(d.p, { recursive: true, force: true });
    // Beyond the newest KEEP, only bundles no process started from for a day: one may still be running.
    for (const d of dirs.filter((d) => !d.name.includes('.tmp-')).slice(KEEP)) if (Date.now() - d.t > 86_400_000) rmSync(d.p, { recursive: true, force: true });
  } catch {
    // the cache is an optimisation only
  }
}

/**
 * The bundle of `root` for this run: the cached one when whole, else built now. Returns its folder
 * and manifest, or throws when it cannot be built. `digests`: sourceDigests(root), when the caller
 * has them already.
 */
export async function ensureBundle(root = PACKAGE_ROOT, digests = sourceDigests(root)) {
  const { key, files } = digests;
  const parent = join(cacheRoot(), 'cli');
  const dir = join(parent, key);
  let manifest = verifiedManifest(dir, key);
  if (manifest) {
    try {
      utimesSync(dir, new Date(), new Date()); // last use, for prune()
    } catch {
      // read-only cache: fine
    }
    return { dir, manifest, files, built: false };
  }
  mkdirSync(parent, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    manifest = await build(root, tmp, key);
    // Another process may have put its build in place meanwhile, and may be running from it (its
    // commands' chunks load lazily): use that one, never remove it.
    const theirs = verifiedManifest(dir, key);
    if (theirs) return { dir, manifest: theirs, files, built: false };
    if (existsSync(dir)) {
      // Damaged (its check failed): moved aside in one step, then removed.
      const trash = `${dir}.tmp-damaged-${process.pid}-${Date.now()}`;
      try {
        renameSync(dir, trash);
      } catch {
        // another process moved it first
      }
      rmSync(trash, { recursive: true, force: true });
    }
    try {
      renameSync(tmp, dir);
    } catch (error) {
      // Another process renamed its build into place first: use that one if it is whole.
      const theirs = verifiedManifest(dir, key);
      if (!theirs) throw error;
      return { dir, manifest: theirs, files, built: false };
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  prune(parent, key);
  return { dir, manifest, files, built: true };
}

/** Sets what bundled code reads through `globalThis[Symbol.for('tenantctl.bundle')]`. */
export function announceBundle(info) {
  globalThis[BUNDLE_GLOBAL] = info;
}

/**
 * The CLI's `main`: from the bundle, or from the TypeScript sources through tsx when the bundle
 * cannot be built (or `TENANTCTL_NO_BUNDLE=1`, for debugging with source positions). `digests`:
 * sourceDigests(root), when the caller has them already.
 */
export async function loadCli(root = PACKAGE_ROOT, digests = undefined) {
  if (process.env.TENANTCTL_NO_BUNDLE !== '1') {
    let bundle;
    try {
      bundle = await ensureBundle(root, digests ?? sourceDigests(root));
    } catch (error) {
      const reason = error?.errors?.[0]?.text ?? String(error?.message ?? error).split('\n')[0];
      process.stderr.write(`tenantctl: note: could not build the CLI bundle (${reason}); running from the TypeScript sources, which starts slower\n`);
    }
    if (bundle) {
      announceBundle({
        sourceRoot: pathToFileURL(root + '/').href,
        dir: bundle.dir,
        entries: bundle.manifest.entries,
        key: bundle.manifest.key,
        graph: bundle.manifest.graph,
        files: bundle.files,
      });
      return import(pathToFileURL(join(bundle.dir, bundle.manifest.entries[ENTRY])).href);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(root, ENTRY)).href);
}
