/**
 * The Flux loop as a long-running process for `scripts/cluster.ts start --flux`: the Git server
 * and the readiness writer live in a Node process, so this one stays up (detached) and owns the
 * controllers; SIGTERM stops them all. Writes `<dataDir>/flux.json` once everything is up.
 *
 * Usage: npx tsx test/flux/serve.ts KUBECONFIG DATA_DIR CLUSTER
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifests } from '../../lib/io/read-manifests.ts';
import { KubeClient } from '../../lib/live/kube-client.ts';
import { startFluxLoop } from './loop.ts';

export interface FluxLoopState {
  readonly pid: number;
  readonly cluster: string;
  readonly repoURL: string;
  readonly workspace: string;
  readonly logs: { readonly sourceController: string; readonly kustomizeController: string };
  readonly startedAt: string;
}

async function main(): Promise<void> {
  const [kubeconfig, dataDir, cluster] = process.argv.slice(2);
  if (!kubeconfig || !dataDir || !cluster) throw new Error('usage: serve.ts KUBECONFIG DATA_DIR CLUSTER');
  const loop = await startFluxLoop(kubeconfig, dataDir);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await loop.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    await applyFluxFolder(kubeconfig, loop.workspace.root, cluster);
  } catch (e) {
    await loop.stop();
    throw e;
  }
  const state: FluxLoopState = { pid: process.pid, cluster, repoURL: loop.repoURL, workspace: loop.workspace.root, logs: loop.controllers.logs, startedAt: new Date().toISOString() };
  const path = join(dataDir, 'flux.json');
  await writeFile(`${path}.tmp`, JSON.stringify(state, null, 2) + '\n');
  await rename(`${path}.tmp`, path);
}

/** What Flux's own bootstrap would do: apply generated/<cluster>/flux/ once, as kustomize-controller. */
async function applyFluxFolder(kubeconfig: string, root: string, cluster: string): Promise<void> {
  const { docs, problems } = readManifests(join(root, 'generated', cluster, 'flux'), { base: root });
  if (problems.length || docs.length === 0) throw new Error(`generated/${cluster}/flux/ is missing or unreadable: is ${cluster} a Flux cluster in fleet.ts?`);
  const client = KubeClient.fromKubeconfig({ kubeconfig });
  try {
    for (const o of docs.map((d) => d.object).filter((o) => o.apiVersion !== 'kustomize.config.k8s.io/v1beta1')) {
      const res = await client.apply(o, { fieldManager: 'kustomize-controller' });
      if (res.status >= 300) throw new Error(`applying ${o.kind}/${o.metadata.name}: ${res.status} ${res.body.slice(0, 300)}`);
    }
  } finally {
    client.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`flux loop: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
