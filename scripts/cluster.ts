/**
 * Local control plane (real kube-apiserver + etcd built from Go modules) for
 * developers and CI: `npx tsx scripts/cluster.ts build|start|stop|status|kubeconfig|kubectl`.
 * State lives outside the repo in $TENANTCTL_CACHE_DIR|$XDG_CACHE_HOME|~/.cache /tenantctl/run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  cacheRoot,
  ensureBuilt,
  REPO_ROOT,
  isControlPlanePid,
  startControlPlane,
  stopPid,
  tail,
} from '../test/control-plane/control-plane.ts';
import { ensureFluxBuilt } from '../test/flux/build.ts';
import type { FluxLoopState } from '../test/flux/serve.ts';

interface State {
  pid: number;
  server: string;
  kubeconfigPath: string;
  dataDir: string;
  logPath: string;
  kubectl: string;
  version: string;
  startedAt: string;
}

const runDir = join(cacheRoot(), 'run');
const statePath = join(runDir, 'state.json');

const USAGE = `usage: npx tsx scripts/cluster.ts <command>
  build [--flux]     build kube-control-plane and kubectl if missing or inputs changed; --flux also
                     source-controller, kustomize-controller and kustomize (cached by version)
  start [--keep-data] [--flux [--cluster NAME]]
                     start detached (fresh etcd data unless --keep-data), install vendor/crds,
                     print the kubeconfig path; --flux also starts the Flux loop: Git over HTTP on
                     127.0.0.1 serving a workspace synthesized for that URL, both controllers, a
                     readiness writer, and applies generated/NAME/flux/ (default: the first
                     cluster fleet.ts runs with Flux)
  stop               SIGTERM the running control plane and wait for it to exit
  status             say whether it runs (exit 0) or not (exit 3)
  kubeconfig         print the kubeconfig path of the running control plane
  kubectl ARGS...    run the kubectl built from the same modules against it`;

function readState(): State | undefined {
  if (!existsSync(statePath)) return undefined;
  try {
    return JSON.parse(readFileSync(statePath, 'utf8')) as State;
  } catch (e) {
    throw new Error(`${statePath} is not valid JSON (${(e as Error).message}); delete it and run "stop"/"start" again`);
  }
}

/** State of a live control plane, or undefined (a stale state file is removed). */
async function running(): Promise<State | undefined> {
  const s = readState();
  if (!s) return undefined;
  if (isControlPlanePid(s.pid)) return s;
  await rm(statePath, { force: true });
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'build': {
      const b = await ensureBuilt();
      console.error(b.built ? 'build: done' : `build: up to date (Kubernetes ${b.version})`);
      console.log(b.controlPlane);
      console.log(b.kubectl);
      if (args.includes('--flux')) {
        const f = await ensureFluxBuilt();
        console.error(f.built.length ? `build: built ${f.built.join(', ')}` : 'build: Flux binaries up to date');
        console.log(f.sourceController);
        console.log(f.kustomizeController);
        console.log(f.kustomize);
      }
      return 0;
    }
    case 'start': {
      const s = await running();
      if (s) {
        console.error(`already running: pid ${s.pid}, ${s.server}`);
        console.log(s.kubeconfigPath);
        return 0;
      }
      const clusterAt = args.indexOf('--cluster');
      const fluxCluster = clusterAt >= 0 ? args[clusterAt + 1] : undefined;
      const unknown = args.filter((a, i) => a !== '--keep-data' && a !== '--flux' && !(clusterAt >= 0 && (i === clusterAt || i === clusterAt + 1)));
      if (unknown.length || (clusterAt >= 0 && !fluxCluster)) throw new Error(`start: unknown argument(s) ${unknown.join(' ')}\n${USAGE}`);
      const flux = args.includes('--flux');
      if (flux) await ensureFluxBuilt(); // before the server starts: a cold build takes minutes
      await mkdir(runDir, { recursive: true });
      const cp = await startControlPlane({ dataDir: join(runDir, 'data'), fresh: !args.includes('--keep-data'), detached: true });
      const state: State = {
        pid: cp.pid, server: cp.server, kubeconfigPath: cp.kubeconfigPath, dataDir: cp.dataDir, logPath: cp.logPath,
        kubectl: cp.binaries.kubectl, version: cp.binaries.version, startedAt: new Date().toISOString(),
      };
      await writeFile(`${statePath}.tmp`, JSON.stringify(state, null, 2) + '\n');
      await rename(`${statePath}.tmp`, statePath);
      console.error(`running: Kubernetes ${state.version}, pid ${state.pid}, ${state.server}, log ${state.logPath}`);
      if (flux) await startFlux(state, fluxCluster ?? (await defaultFluxCluster()));
      console.error(`try: npx tsx scripts/cluster.ts kubectl get namespaces   (or KUBECONFIG=${state.kubeconfigPath} kubectl ...)`);
      console.log(state.kubeconfigPath);
      return 0;
    }
    case 'stop': {
      const s = await running();
      if (!s) {
        console.error('not running');
        return 0;
      }
      await stopFlux();
      await stopPid(s.pid);
      await rm(statePath, { force: true });
      const exitLine = tail(s.logPath, 5).split('\n').find((l) => l.includes('kube-apiserver exited with code'));
      console.error(`stopped pid ${s.pid}${exitLine ? ` (${exitLine.replace(/^kube-control-plane: /, '')})` : ''}`);
      return 0;
    }
    case 'status': {
      const s = await running();
      if (!s) {
        console.log('not running');
        return 3;
      }
      console.log(`running: Kubernetes ${s.version}, pid ${s.pid}, ${s.server}, since ${s.startedAt}`);
      console.log(`kubeconfig: ${s.kubeconfigPath}`);
      console.log(`log: ${s.logPath}`);
      const f = fluxState();
      if (f) console.log(`flux loop: pid ${f.pid}, ${f.cluster} from ${f.repoURL}, workspace ${f.workspace}, logs ${f.logs.sourceController} ${f.logs.kustomizeController}`);
      return 0;
    }
    case 'kubeconfig': {
      const s = await running();
      if (!s) throw new Error('not running: start it with "npx tsx scripts/cluster.ts start"');
      console.log(s.kubeconfigPath);
      return 0;
    }
    case 'kubectl': {
      const s = await running();
      if (!s) throw new Error('not running: start it with "npx tsx scripts/cluster.ts start"');
      const r = spawnSync(s.kubectl, args[0] === '--' ? args.slice(1) : args, {
        stdio: 'inherit',
        env: { ...process.env, KUBECONFIG: s.kubeconfigPath },
      });
      return r.status ?? 1;
    }
    default:
      console.error(USAGE);
      return cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2;
  }
}

const fluxStatePath = join(runDir, 'flux', 'flux.json');

function fluxState(): FluxLoopState | undefined {
  if (!existsSync(fluxStatePath)) return undefined;
  const f = JSON.parse(readFileSync(fluxStatePath, 'utf8')) as FluxLoopState;
  try {
    process.kill(f.pid, 0);
    return f;
  } catch {
    return undefined;
  }
}

/** The first cluster fleet.ts runs with Flux. */
async function defaultFluxCluster(): Promise<string> {
  const fleet = (await import(pathToFileURL(join(REPO_ROOT, 'fleet.ts')).href)) as { default: { clusters: Array<{ name: string; engine?: string }> } };
  const c = fleet.default.clusters.find((x) => x.engine === 'flux') ?? fleet.default.clusters.find((x) => x.engine === undefined);
  if (!c) throw new Error('no cluster in fleet.ts runs Flux (engine: \'flux\'); pass --cluster NAME');
  return c.name;
}

/** Starts test/flux/serve.ts detached and waits for its state file (or its failure). */
async function startFlux(cp: State, cluster: string): Promise<void> {
  const dir = dirname(fluxStatePath);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const log = join(dir, 'loop.log');
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'flux', 'serve.ts'), cp.kubeconfigPath, dir, cluster], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 300_000;
  while (!existsSync(fluxStatePath)) {
    if (exited !== undefined) throw new Error(`the Flux loop exited with code ${exited} at start:\n${tail(log, 20)}`);
    if (Date.now() > deadline) throw new Error(`the Flux loop did not start within 300 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const f = fluxState()!;
  console.error(`flux loop: ${cluster} syncing from ${f.repoURL} (workspace ${f.workspace}), controller logs in ${dir}`);
  console.error(`watch: npx tsx scripts/cluster.ts kubectl get kustomizations -n flux-system -w`);
  console.error(`audit: npx tenantctl -C ${f.workspace} audit --cluster ${cluster} --kubeconfig ${cp.kubeconfigPath} --context tenantctl-test`);
}

async function stopFlux(): Promise<void> {
  const f = fluxState();
  if (!f) return;
  process.kill(f.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(f.pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await rm(fluxStatePath, { force: true });
  console.error(`stopped the Flux loop (pid ${f.pid})`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`cluster: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
