/**
 * A live cluster for the audit tests: its own control plane (the audit must see exactly one
 * cluster's objects, nothing other test files left behind), the example fleet's objects of one
 * cluster applied as a GitOps applier would (server-side apply, field manager `tenantctl`), and
 * a kubectl that makes out-of-band changes under its real field-manager names.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AuditCommandOptions } from '../../../lib/cli/commands/audit.ts';
import { readManifests } from '../../../lib/io/read-manifests.ts';
import { KubeClient } from '../../../lib/live/kube-client.ts';
import type { KubeObject } from '../../../lib/model/resource.ts';
import { REPO_ROOT, startControlPlane, type ControlPlane } from '../../control-plane/control-plane.ts';

/** Namespaces of platform components the fleet's objects use but does not declare. */
const PLATFORM_NAMESPACES = ['argocd', 'flux-system', 'traefik', 'velero'];

export interface LiveFleet {
  readonly controlPlane: ControlPlane;
  readonly client: KubeClient;
  /** Context of the control plane in its kubeconfig. */
  readonly context: string;
  /** A repository folder (not a git repository) linking the project's inputs and generated/. */
  readonly root: string;
  kubectl(args: readonly string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): string;
  stop(): Promise<void>;
}

function order(o: KubeObject): number {
  if (o.kind === 'Namespace') return 0;
  if (o.kind === 'CustomResourceDefinition') return 1;
  return o.metadata.namespace ? 3 : 2;
}

/** Applies generated/<cluster>/ like Argo CD or Flux: namespaces first, field manager tenantctl. */
export async function applyCluster(client: KubeClient, cluster: string): Promise<number> {
  const { docs, problems } = readManifests(join(REPO_ROOT, 'generated', cluster), { base: REPO_ROOT });
  expect(problems).toEqual([]);
  const objects = docs.map((d) => d.object).filter((o) => o.kind !== 'Kustomization' || o.apiVersion !== 'kustomize.config.k8s.io/v1beta1');
  objects.sort((a, b) => order(a) - order(b));
  for (const o of objects) {
    const res = await client.apply(o, { fieldManager: 'tenantctl' });
    expect(res.status, `${o.kind}/${o.metadata.name}: ${res.body}`).toBeLessThan(300);
  }
  return objects.length;
}

/** The audit of `cluster` on the live fleet as the audit tests run it (JSON, their fixed day); `extra` overrides. */
export function auditOptions(fleet: LiveFleet, cluster: string, extra: Partial<AuditCommandOptions> = {}): AuditCommandOptions {
  return {
    root: fleet.root,
    packageRoot: REPO_ROOT,
    clusters: [cluster],
    kubeconfig: fleet.controlPlane.kubeconfigPath,
    context: fleet.context,
    format: 'json',
    today: '2026-11-23',
    now: new Date('2026-11-23T03:00:00Z'),
    ...extra,
  };
}

export async function startLiveFleet(cluster: string): Promise<LiveFleet> {
  const controlPlane = await startControlPlane();
  const client = KubeClient.fromKubeconfig({ kubeconfig: controlPlane.kubeconfigPath });
  for (const name of PLATFORM_NAMESPACES) {
    const res = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'platform-bootstrap' });
    expect(res.status, res.body).toBeLessThan(300);
  }
  await applyCluster(client, cluster);
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-audit-'));
  // fleet.ts is read as data and never through a link: a copy.
  copyFileSync(join(REPO_ROOT, 'fleet.ts'), join(root, 'fleet.ts'));
  for (const entry of ['tenants', 'generated', 'lib', 'tiers', 'vendor', 'node_modules', 'package.json']) symlinkSync(join(REPO_ROOT, entry), join(root, entry));
  const kubectl = (args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const r = spawnSync(controlPlane.binaries.kubectl, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], {
      input: options.input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...options.env },
    });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  return {
    controlPlane,
    client,
    context: client.context,
    root,
    kubectl,
    async stop() {
      client.close();
      rmSync(root, { recursive: true, force: true });
      await controlPlane.stop();
      rmSync(controlPlane.dataDir, { recursive: true, force: true });
    },
  };
}

export interface FleetRepository {
  /** The repository's root: fleet.ts, tenants/ and generated/<cluster>/ committed, the project's code linked. */
  readonly root: string;
  git(args: readonly string[]): string;
  remove(): void;
}

/**
 * A git repository holding the example fleet's `cluster` (the desired-state cache and the
 * in-sync records are keyed by git trees; a plain folder is never cached).
 */
export function fleetRepository(cluster: string): FleetRepository {
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-audit-git-'));
  const git = (args: readonly string[]) => {
    const env = { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
    const r = spawnSync('git', args, { cwd: root, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  copyFileSync(join(REPO_ROOT, 'fleet.ts'), join(root, 'fleet.ts'));
  copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  cpSync(join(REPO_ROOT, 'tenants'), join(root, 'tenants'), { recursive: true });
  cpSync(join(REPO_ROOT, 'generated', cluster), join(root, 'generated', cluster), { recursive: true });
  for (const entry of ['lib', 'tiers', 'vendor', 'node_modules']) symlinkSync(join(REPO_ROOT, entry), join(root, entry));
  git(['init', '-q', '-b', 'main']);
  git(['add', '--', 'fleet.ts', 'package.json', 'tenants', 'generated']);
  git(['commit', '-q', '-m', 'fleet']);
  return { root, git, remove: () => rmSync(root, { recursive: true, force: true }) };
}
