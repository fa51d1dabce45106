/**
 * Local control plane (real kube-apiserver + etcd built from Go modules) for
 * developers and CI: `npx tsx scripts/cluster.ts build|start|stop|status|kubeconfig|kubectl`.
 * State lives outside the repo in $TENANTCTL_CACHE_DIR|$XDG_CACHE_HOME|~/.cache /tenantctl/run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  cacheRoot,
  ensureBuilt,
  isControlPlanePid,
  startControlPlane,
  stopPid,
  tail,
} from '../test/control-plane/control-plane.ts';

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
  build              build kube-control-plane and kubectl if missing or inputs changed
  start [--keep-data] start detached (fresh etcd data unless --keep-data), install vendor/crds,
                     print the kubeconfig path
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
      return 0;
    }
    case 'start': {
      const s = await running();
      if (s) {
        console.error(`already running: pid ${s.pid}, ${s.server}`);
        console.log(s.kubeconfigPath);
        return 0;
      }
      const unknown = args.filter((a) => a !== '--keep-data');
      if (unknown.length) throw new Error(`start: unknown argument(s) ${unknown.join(' ')}\n${USAGE}`);
      await mkdir(runDir, { recursive: true });
      const cp = await startControlPlane({ dataDir: join(runDir, 'data'), fresh: !args.includes('--keep-data'), detached: true });
      const state: State = {
        pid: cp.pid, server: cp.server, kubeconfigPath: cp.kubeconfigPath, dataDir: cp.dataDir, logPath: cp.logPath,
        kubectl: cp.binaries.kubectl, version: cp.binaries.version, startedAt: new Date().toISOString(),
      };
      await writeFile(`${statePath}.tmp`, JSON.stringify(state, null, 2) + '\n');
      await rename(`${statePath}.tmp`, statePath);
      console.error(`running: Kubernetes ${state.version}, pid ${state.pid}, ${state.server}, log ${state.logPath}`);
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`cluster: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
