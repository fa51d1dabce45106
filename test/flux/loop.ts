/**
 * The whole Flux loop on the test control plane, out of cluster: source-controller and
 * kustomize-controller (built by ./build.ts) reading the control plane's kubeconfig, a workspace
 * repository served by Git over HTTP (./git-http.ts, ./workspace.ts), and a readiness writer.
 *
 * There is no kubelet or controller-manager: a health-checked Kustomization (`wait: true`) would
 * never become Ready. The readiness writer plays the workload controllers' part for readiness
 * only: it writes ready status (replicas, conditions, Bound claims) through the status
 * subresource with its own field manager, `readiness-writer`, and nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KubeClient } from '../../lib/live/kube-client.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { ensureFluxBuilt, type FluxBinaries } from './build.ts';
import { startGitHttp, type GitHttpServer } from './git-http.ts';
import { makeWorkspace, type Workspace } from './workspace.ts';

export const FLUX_NAMESPACE = 'flux-system';
export const READINESS_MANAGER = 'readiness-writer';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface FluxControllers {
  readonly binaries: FluxBinaries;
  readonly pids: readonly number[];
  /** Logs of the two controllers. */
  readonly logs: { readonly sourceController: string; readonly kustomizeController: string };
  stop(): Promise<void>;
}

/**
 * Starts both controllers against `kubeconfig` (no leader election, metrics, health and artifact
 * storage on 127.0.0.1 ports), logs under `dataDir`. The flux-system namespace must exist.
 * `detached`: let them outlive this process (scripts/cluster.ts), else they die with it.
 */
export async function startFluxControllers(kubeconfig: string, dataDir: string, opts: { detached?: boolean } = {}): Promise<FluxControllers> {
  const binaries = await ensureFluxBuilt();
  await mkdir(join(dataDir, 'storage'), { recursive: true });
  const env = { ...process.env, KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const [m1, h1, storage, m2, h2] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const logs = { sourceController: join(dataDir, 'source-controller.log'), kustomizeController: join(dataDir, 'kustomize-controller.log') };
  const common = ['--enable-leader-election=false', '--log-level=info', '--log-encoding=console'];
  const children: ChildProcess[] = [];
  const run = (bin: string, args: string[], log: string) => {
    const fd = openSync(log, 'a');
    const child = spawn(bin, args, { env, detached: !!opts.detached, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (opts.detached) child.unref();
    children.push(child);
  };
  run(binaries.sourceController, [...common, `--metrics-addr=127.0.0.1:${m1}`, `--health-addr=127.0.0.1:${h1}`,
    `--storage-path=${join(dataDir, 'storage')}`, `--storage-addr=127.0.0.1:${storage}`, `--storage-adv-addr=127.0.0.1:${storage}`], logs.sourceController);
  run(binaries.kustomizeController, [...common, `--metrics-addr=127.0.0.1:${m2}`, `--health-addr=127.0.0.1:${h2}`], logs.kustomizeController);
  await Promise.all([waitHealthy(h1, logs.sourceController, children[0]), waitHealthy(h2, logs.kustomizeController, children[1])]);
  return {
    binaries,
    pids: children.map((c) => c.pid!),
    logs,
    async stop() {
      await Promise.all(children.map((c) => stopChild(c)));
    },
  };
}

async function waitHealthy(port: number, log: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`a Flux controller exited with code ${exited} at start; see ${log}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`a Flux controller did not become ready within 120 s; see ${log}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Ready status for a workload as its controller would write it once every replica is up. */
export function readyStatus(o: KubeObject): Record<string, unknown> | undefined {
  const spec = (o.spec ?? {}) as { replicas?: number };
  const generation = o.metadata.generation;
  const replicas = spec.replicas ?? 1;
  const now = new Date().toISOString();
  if (o.kind === 'Deployment') {
    return {
      observedGeneration: generation, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'written by readiness-writer', lastUpdateTime: now, lastTransitionTime: now },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'written by readiness-writer', lastUpdateTime: now, lastTransitionTime: now },
      ],
    };
  }
  if (o.kind === 'StatefulSet') {
    const revision = `${o.metadata.name}-ready`;
    return { observedGeneration: generation, replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas, currentRevision: revision, updateRevision: revision };
  }
  if (o.kind === 'PersistentVolumeClaim') return { phase: 'Bound' };
  return undefined;
}

function isReady(o: KubeObject): boolean {
  const want = readyStatus(o);
  const status = (o as { status?: Record<string, unknown> }).status ?? {};
  if (!want) return true;
  if (o.kind === 'PersistentVolumeClaim') return status.phase === 'Bound';
  return status.observedGeneration === want.observedGeneration && status.readyReplicas === want.readyReplicas && status.updatedReplicas === want.updatedReplicas;
}

const WORKLOADS = [
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', group: '/apis/apps/v1' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', group: '/apis/apps/v1' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', group: '/api/v1' },
] as const;

export interface ReadinessWriter {
  /** Status writes so far. */
  readonly writes: () => number;
  stop(): Promise<void>;
}

/** Every `intervalMs`, marks every Deployment, StatefulSet and PVC that is not ready as ready. */
export function startReadinessWriter(kubeconfig: string, intervalMs = 1000): ReadinessWriter {
  const client = KubeClient.fromKubeconfig({ kubeconfig });
  let writes = 0;
  let stopped = false;
  const pass = async () => {
    for (const w of WORKLOADS) {
      const page = await client.list(w.apiVersion, w.kind, {});
      for (const o of page.items) {
        if (isReady(o)) continue;
        const path = `${w.group}/namespaces/${o.metadata.namespace}/${w.plural}/${o.metadata.name}/status`;
        const res = await client.request('PATCH', path, {
          query: { fieldManager: READINESS_MANAGER },
          contentType: 'application/merge-patch+json',
          body: JSON.stringify({ status: readyStatus(o) }),
        });
        if (res.status < 300) writes++;
      }
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        await pass();
      } catch {
        // the server may be starting or stopping; try again next round
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    writes: () => writes,
    async stop() {
      stopped = true;
      await loop;
      client.close();
    },
  };
}

export interface FluxLoop {
  readonly git: GitHttpServer;
  readonly workspace: Workspace;
  readonly controllers: FluxControllers;
  readonly readiness: ReadinessWriter;
  /** The fleet's repository URL in this loop (the local Git server). */
  readonly repoURL: string;
  stop(): Promise<void>;
}

/**
 * Everything but the control plane: the Git server serving a workspace synthesized for its URL,
 * the flux-system namespace (what `flux bootstrap` creates), both controllers and the readiness
 * writer. Applying `workspace.root/generated/<cluster>/flux/` then starts the sync.
 */
export async function startFluxLoop(kubeconfig: string, dataDir: string, opts: { detached?: boolean } = {}): Promise<FluxLoop> {
  const served = join(dataDir, 'git');
  await mkdir(served, { recursive: true });
  const git = await startGitHttp(served);
  const repoURL = `${git.url}/tenantctl.git`;
  const workspace = makeWorkspace(repoURL, served);
  const client = KubeClient.fromKubeconfig({ kubeconfig });
  try {
    const res = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } } as KubeObject, { fieldManager: 'flux-bootstrap' });
    if (res.status >= 300) throw new Error(`cannot create namespace ${FLUX_NAMESPACE}: ${res.status} ${res.body.slice(0, 300)}`);
  } finally {
    client.close();
  }
  const controllers = await startFluxControllers(kubeconfig, dataDir, opts);
  const readiness = startReadinessWriter(kubeconfig);
  return {
    git, workspace, controllers, readiness, repoURL,
    async stop() {
      await readiness.stop();
      await controllers.stop();
      await git.close();
      workspace.cleanup();
    },
  };
}
