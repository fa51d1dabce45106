/**
 * A real kube-apiserver + etcd for tests and local development, built from Go
 * modules (see ./README.md). Used by scripts/cluster.ts and the vitest global
 * setup (test/setup/control-plane.ts), so both build, start and stop it the
 * same way.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { installCrds, vendorCrdFiles } from './crds.ts';
import { runGo } from './go.ts';
import { cacheRoot } from '../../lib/io/user-cache.ts';

export { installCrds, readCrdFiles, requestRaw, vendorCrdFiles, waitForCrds } from './crds.ts';

/** Directory of the Go module (this file's directory). */
export const MODULE_DIR = dirname(fileURLToPath(import.meta.url));
/** Repository root, for vendor/crds. */
export const REPO_ROOT = resolve(MODULE_DIR, '..', '..');

/** Progress and diagnostics sink; defaults to stderr so stdout stays clean for scripts. */
export type Logger = (message: string) => void;
const stderrLog: Logger = (m) => process.stderr.write(`[control-plane] ${m}\n`);

/**
 * Kubernetes version pinned in go.mod (written by gen-replaces.sh). Read from
 * go.mod so the version stamped into the binary can never drift from the code.
 */
export function kubernetesVersion(): string {
  const gomod = readFileSync(join(MODULE_DIR, 'go.mod'), 'utf8');
  const m = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)\s*$/m.exec(gomod);
  if (!m) throw new Error(`no "k8s.io/kubernetes vX.Y.Z" requirement in ${join(MODULE_DIR, 'go.mod')}: regenerate it with test/control-plane/gen-replaces.sh`);
  return m[1];
}

/** tenantctl's cache root (lib/io/user-cache.ts), where the slow-to-build binaries are kept. */
export { cacheRoot };

/** Bumped when the build command changes in a way that changes the binaries. */
const BUILD_RECIPE = 'v1 CGO_ENABLED=0 -trimpath -s -w version-ldflags';

/** sha256 over go.mod, go.sum and every *.go file of the module (paths included), plus the build recipe. */
export async function inputHash(): Promise<string> {
  const files: string[] = ['go.mod', 'go.sum'];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) await walk(p);
      else if (e.isFile() && e.name.endsWith('.go')) files.push(relative(MODULE_DIR, p));
    }
  };
  await walk(MODULE_DIR);
  files.sort();
  const h = createHash('sha256').update(BUILD_RECIPE);
  for (const f of files) h.update(`\0${f}\0`).update(await readFile(join(MODULE_DIR, f)));
  return h.digest('hex');
}

/** Paths of the two binaries built from this module. */
export interface Binaries {
  dir: string;
  controlPlane: string;
  kubectl: string;
  version: string;
}

/**
 * Builds kube-control-plane and kubectl unless the cache already holds a build
 * of exactly these inputs. Cold builds take minutes (see README), so progress
 * goes to `log`. Builds into a temporary directory and renames it into place,
 * so an interrupted build is never mistaken for a finished one.
 */
export async function ensureBuilt(opts: { log?: Logger; force?: boolean } = {}): Promise<Binaries & { built: boolean }> {
  const log = opts.log ?? stderrLog;
  const version = kubernetesVersion();
  const dir = join(cacheRoot(), 'control-plane', await inputHash());
  const bins: Binaries = { dir, controlPlane: join(dir, 'kube-control-plane'), kubectl: join(dir, 'kubectl'), version };
  if (!opts.force && existsSync(bins.controlPlane) && existsSync(bins.kubectl)) return { ...bins, built: false };

  await mkdir(dirname(dir), { recursive: true });
  const tmp = await mkdtemp(`${dir}.tmp-`);
  const [major, minor] = version.slice(1).split('.');
  const ldflags = [
    '-s', '-w',
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    `-X k8s.io/component-base/version.gitMajor=${major}`,
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
  ].join(' ');
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
  const t0 = Date.now();
  log(`building Kubernetes ${version} control plane + kubectl into ${dir} (first build: about 4 min on 2 cores, ~0.6 GB of Go modules)`);
  try {
    for (const [name, pkg] of [['kube-control-plane', '.'], ['kubectl', './cmd/kubectl']] as const) {
      const args = ['build', '-p', '2', '-trimpath', '-buildvcs=false', '-v', '-ldflags', ldflags, '-o', join(tmp, name), pkg];
      await runGo(args, { cwd: MODULE_DIR, env, log, hint: 'if go.mod is inconsistent, rerun test/control-plane/gen-replaces.sh' });
    }
    if (opts.force) await rm(dir, { recursive: true, force: true });
    // If a concurrent build finished first, its identical result stays and ours is dropped.
    await rename(tmp, dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log(`built in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
  return { ...bins, built: true };
}

/** Where to run, what to install. */
export interface StartOptions {
  /** Data directory (pki/, etcd/, kubeconfig, control-plane.log). Default: a new temporary directory. */
  dataDir?: string;
  /** Delete dataDir's contents first (etcd data, PKI). Default true. */
  fresh?: boolean;
  /** Let the server outlive this Node process (the CLI). Otherwise it exits when its parent dies. */
  detached?: boolean;
  /** CRD files to install; default vendor/crds/*.yaml; [] installs none. */
  crdFiles?: string[];
  /** Secure port on 127.0.0.1; default a free port. */
  port?: number;
  /**
   * Startup deadline, counted from the server's start (after any build, which
   * has no deadline and logs its progress), including CRD installation. Default 180 s.
   */
  timeoutMs?: number;
  /** Extra kube-apiserver flags, after the defaults (so they win). */
  extraArgs?: string[];
  log?: Logger;
}

/** A running control plane. */
export interface ControlPlane {
  kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  server: string;
  pid: number;
  dataDir: string;
  logPath: string;
  binaries: Binaries;
  kubeConfig: k8s.KubeConfig;
  /** SIGTERM, wait for exit; resolves to the exit code (0 is a clean shutdown). */
  stop(): Promise<number | null>;
}

/**
 * Builds if needed, starts kube-control-plane, waits for /readyz and the
 * `default` namespace, installs CRDs and waits until discovery serves them.
 * On failure the process is stopped and the error carries the log's tail.
 */
export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? stderrLog;
  // A cold build takes minutes on its own: the deadline starts once the binaries exist.
  const binaries = await ensureBuilt({ log });
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'tenantctl-cp-')));
  if (opts.fresh ?? true) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  const logPath = join(dataDir, 'control-plane.log');
  await rm(kubeconfigPath, { force: true });

  const logFd = openSync(logPath, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, TCP_DATA_DIR: dataDir, TCP_PORT: String(opts.port ?? 0) };
  if (!opts.detached) env.TCP_WATCH_PARENT = '1';
  const child = spawn(binaries.controlPlane, opts.extraArgs ?? [], { env, detached: !!opts.detached, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const spawnError = once(child, 'spawn').then(() => null, (e: Error) => e);
  if (await spawnError) throw new Error(`cannot start ${binaries.controlPlane}: ${(await spawnError)!.message}`);
  if (opts.detached) child.unref();
  const pid = child.pid!;
  let exitCode: number | null | undefined;
  void exited.then((c) => { exitCode = c; });

  const stop = async (): Promise<number | null> => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM'); // exactly one: a second SIGTERM makes kube-apiserver exit(1) at once
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const failed = async (what: string): Promise<never> => {
    await stop();
    throw new Error(`control plane ${what}. Log (${logPath}), last lines:\n${tail(logPath, 40)}`);
  };

  log(`started pid ${pid}, data dir ${dataDir}`);
  while (!existsSync(kubeconfigPath)) {
    if (exitCode !== undefined) return failed(`exited with code ${exitCode} before writing ${kubeconfigPath}`);
    if (Date.now() > deadline) return failed(`wrote no kubeconfig in time`);
    await sleep(100);
  }
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const server = kubeConfig.getCurrentCluster()!.server;
  try {
    await waitReady(kubeConfig, deadline, () => exitCode !== undefined);
    const files = opts.crdFiles ?? (await vendorCrdFiles(REPO_ROOT));
    if (files.length) await installCrds(kubeConfig, files, { deadline, log });
  } catch (e) {
    return failed(`did not become ready: ${(e as Error).message}`);
  }
  log(`ready: ${server} (kubeconfig ${kubeconfigPath})`);
  return { kubeconfigPath, server, pid, dataDir, logPath, binaries, kubeConfig, stop };
}

/**
 * Waits for /readyz = 200 and the `default` namespace (created by a
 * post-start hook shortly after readiness), like envtest.
 */
export async function waitReady(kc: k8s.KubeConfig, deadline: number, gaveUp: () => boolean = () => false): Promise<void> {
  const health = new k8s.Health(kc);
  let last = 'no answer yet';
  for (;;) {
    if (gaveUp()) throw new Error('the process exited');
    try {
      if (await health.readyz({ timeout: 2000 })) break;
      last = '/readyz not 200';
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${kc.getCurrentCluster()?.server}/readyz not ready in time (${last})`);
    await sleep(200);
  }
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (;;) {
    try {
      await core.readNamespace({ name: 'default' });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`namespace "default" never appeared: ${(e as Error).message}`);
      await sleep(100);
    }
  }
}

/**
 * Stops a control plane that this process did not spawn (the CLI's `stop`):
 * SIGTERM, then waits for the pid to go away, SIGKILL after `timeoutMs`.
 * Returns false if it was not running.
 */
export async function stopPid(pid: number, timeoutMs = 30_000): Promise<boolean> {
  if (!isControlPlanePid(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await sleep(100);
  }
  return true;
}

/** True if `pid` is a live (non-zombie) kube-control-plane process; guards against pid reuse. */
export function isControlPlanePid(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('kube-control-plane');
  } catch {
    return true; // no /proc (not Linux): trust the pid
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie still answers kill(0); in containers nobody may reap it.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Last `n` lines of a file, for error messages. */
export function tail(path: string, n: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch (e) {
    return `(cannot read ${path}: ${(e as Error).message})`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True if `path` exists (file or directory). */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
