/**
 * Builds Flux's source-controller and kustomize-controller, and kustomize, from the Go module
 * proxy (GOMODCACHE) into tenantctl's cache, keyed by version, like the test control plane.
 *
 * Why not `go install`: both controller modules carry `replace github.com/fluxcd/<ctrl>/api => ./api`,
 * which `go install mod@version` refuses. So the module is copied out of GOMODCACHE, the `api`
 * sub-module of the same tag is put at `./api`, and `go build` runs with the module's own
 * go.mod/go.sum. Nothing upstream is ever copied into the repository.
 */
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot, type Logger } from '../control-plane/control-plane.ts';
import { runGo } from '../control-plane/go.ts';

/** The versions that build with this machine's Go (1.26) from the module proxy (see the reference note). */
export const FLUX_VERSIONS = {
  sourceController: 'v1.9.3',
  kustomizeController: 'v1.9.6',
  kustomize: 'v5.8.2',
} as const;

/** Bumped when the build command changes in a way that changes the binaries. */
const BUILD_RECIPE = 'r1';

interface Component {
  readonly name: 'source-controller' | 'kustomize-controller' | 'kustomize';
  readonly module: string;
  readonly version: string;
  /** The module has `replace <module>/api => ./api`. */
  readonly apiSubmodule: boolean;
}

export const FLUX_COMPONENTS: readonly Component[] = [
  { name: 'source-controller', module: 'github.com/fluxcd/source-controller', version: FLUX_VERSIONS.sourceController, apiSubmodule: true },
  { name: 'kustomize-controller', module: 'github.com/fluxcd/kustomize-controller', version: FLUX_VERSIONS.kustomizeController, apiSubmodule: true },
  { name: 'kustomize', module: 'sigs.k8s.io/kustomize/kustomize/v5', version: FLUX_VERSIONS.kustomize, apiSubmodule: false },
];

/** Paths of the built binaries. */
export interface FluxBinaries {
  readonly sourceController: string;
  readonly kustomizeController: string;
  readonly kustomize: string;
}

const stderrLog: Logger = (m) => process.stderr.write(`[flux] ${m}\n`);

/** Cache directory of one component: `<cache>/tenantctl/flux/<name>-<version>-<recipe>/`. */
export function componentDir(c: Component): string {
  return join(cacheRoot(), 'flux', `${c.name}-${c.version}-${BUILD_RECIPE}`);
}

/**
 * Builds each component whose cached binary is missing, one after the other (each takes up to
 * ~1.7 GB and minutes of CPU), and returns the paths. A warm run only checks three files.
 */
export async function ensureFluxBuilt(opts: { log?: Logger } = {}): Promise<FluxBinaries & { built: string[] }> {
  const log = opts.log ?? stderrLog;
  const built: string[] = [];
  const paths: Record<string, string> = {};
  for (const c of FLUX_COMPONENTS) {
    const dir = componentDir(c);
    const bin = join(dir, c.name);
    paths[c.name] = bin;
    if (existsSync(bin)) continue;
    const t0 = Date.now();
    log(`building ${c.name} ${c.version} from ${c.module} into ${dir}`);
    await buildComponent(c, dir, log);
    log(`built ${c.name} ${c.version} in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    built.push(c.name);
  }
  return {
    sourceController: paths['source-controller'],
    kustomizeController: paths['kustomize-controller'],
    kustomize: paths.kustomize,
    built,
  };
}

/** The GOMODCACHE directory of module@version, downloading it through the proxy if needed. */
export async function moduleDir(module: string, version: string, log: Logger = stderrLog): Promise<string> {
  const out = await runGo(['mod', 'download', '-json', `${module}@${version}`], { cwd: cacheRoot(), log, capture: true });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (info.Error || !info.Dir) throw new Error(`go mod download ${module}@${version} failed: ${info.Error ?? 'no Dir in its output'}`);
  return info.Dir;
}

async function buildComponent(c: Component, dir: string, log: Logger): Promise<void> {
  await mkdir(join(cacheRoot(), 'flux'), { recursive: true });
  const tmp = await mkdtemp(`${dir}.tmp-`);
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  const ldflags = '-s -w';
  try {
    if (c.apiSubmodule) {
      const src = join(tmp, 'src');
      await copyWritable(await moduleDir(c.module, c.version, log), src);
      await copyWritable(await moduleDir(`${c.module}/api`, c.version, log), join(src, 'api'));
      await runGo(['build', '-p', '2', '-trimpath', '-buildvcs=false', '-v', '-ldflags', ldflags, '-o', join(tmp, c.name), '.'], { cwd: src, env, log });
      await rm(src, { recursive: true, force: true });
    } else {
      await runGo(['install', '-p', '2', '-trimpath', '-buildvcs=false', '-v', '-ldflags', ldflags, `${c.module}@${c.version}`], {
        cwd: tmp, env: { ...env, GOBIN: tmp, GOFLAGS: '' }, log,
      });
    }
    await rename(tmp, dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // a concurrent build won
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Copies a read-only GOMODCACHE tree and makes it writable (go build writes nothing there, but rm must work). */
async function copyWritable(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  const walk = async (d: string): Promise<void> => {
    await chmod(d, 0o755);
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if ((await stat(p)).isFile()) await chmod(p, 0o644);
    }
  };
  await walk(to);
}

