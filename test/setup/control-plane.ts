/**
 * Vitest globalSetup for the `integration` project: one real kube-apiserver +
 * etcd (test/control-plane) per run, shared by all integration files, with
 * vendor/crds installed. Tests get the kubeconfig path via `inject('kubeconfig')`
 * (or process.env.KUBECONFIG),
 * and the matching kubectl via `inject('kubectl')`.
 */
import type { TestProject } from 'vitest/node';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.ts';
import { ensureFluxBuilt } from '../flux/build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the kubeconfig (admin, system:masters) of the shared test control plane. */
    kubeconfig: string;
    /** Path of the kubectl built from the same Kubernetes modules as the server. */
    kubectl: string;
  }
}

let controlPlane: ControlPlane | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Flux's controllers (the Flux loop test) are built here too, before any test or hook deadline
  // runs: a cold build takes minutes and globalSetup has no deadline. Warm, it checks three files.
  await ensureFluxBuilt();
  controlPlane = await startControlPlane();
  process.env.KUBECONFIG = controlPlane.kubeconfigPath;
  project.provide('kubeconfig', controlPlane.kubeconfigPath);
  project.provide('kubectl', controlPlane.binaries.kubectl);
}

export async function teardown(): Promise<void> {
  if (!controlPlane) return;
  const cp = controlPlane;
  controlPlane = undefined;
  const code = await cp.stop();
  if (code !== 0) {
    // Keep the data dir (and its log) for diagnosis.
    process.stderr.write(`[control-plane] exited with code ${code} on shutdown; log kept at ${cp.logPath}\n`);
    return;
  }
  const { rm } = await import('node:fs/promises');
  await rm(cp.dataDir, { recursive: true, force: true });
}
