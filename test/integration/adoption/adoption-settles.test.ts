/**
 * A drift pull request's adoption settles on a real kube-apiserver: the example fleet's
 * eu-central-1 is applied as each engine applies it (server-side apply as its field manager), people
 * change it with kubectl, one for each adoption mapping in lib/adopt/rules.ts (replicas without an
 * HPA, HPA minReplicas and maxReplicas, odoo.conf workers, web resources → workers, cron resources
 * and cron arguments → cronThreads, image, Redis resources → redis.memory, rate limit, admin
 * allow-list, dump schedule and filestore schedule → backup.rpoMinutes), plus one change that is
 * refused (the deny-all middleware); the audit's findings are turned into the
 * drift branch (tenant files edited, generated/ re-synthesized) and that branch is synced the way
 * the engine syncs (Flux first drops the fields of kubectl* managers; both apply with force). The
 * audit at the branch then finds nothing, and the live values people set are still there; on Argo
 * CD replicas without an HPA are not adopted (kubectl would keep the count) and the sync reverts them,
 * as it reverts the refused deny-all change on both engines.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport, ClusterReport } from '../../../lib/audit/types.ts';
import { auditCommand } from '../../../lib/cli/commands/audit.ts';
import { compileWorkspace } from '../../../lib/workspace/compile.ts';
import { readManifests } from '../../../lib/io/read-manifests.ts';
import { KubeClient } from '../../../lib/live/kube-client.ts';
import { ENGINE_FIELD_MANAGER, syncRemovesFieldsOf, type GitOpsEngine } from '../../../lib/model/gitops-engine.ts';
import type { KubeObject } from '../../../lib/model/resource.ts';
import { buildDriftBranch } from '../../../lib/pr/build-branch.ts';
import { REPO_ROOT, startControlPlane, type ControlPlane } from '../../control-plane/control-plane.ts';
import { git } from '../../git/git.ts';

const CLUSTER = 'eu-central-1';
const PLATFORM_NAMESPACES = ['argocd', 'flux-system', 'traefik', 'velero'];
const IMAGE = 'registry.odoo-hosting.example/odoo/odoo:19.0-20251201';
const ALLOW_LIST = ['203.0.113.32/27', '198.51.100.0/24'];

describe.each(['flux', 'argocd'] as const)('adopting live values through a drift branch on %s', (ENGINE: GitOpsEngine) => {
let controlPlane: ControlPlane;
let client: KubeClient;
let dir: string;
let repo: string;

function kubectl(args: readonly string[], input?: string): string {
  const r = spawnSync(controlPlane.binaries.kubectl, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], { input, encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function order(o: KubeObject): number {
  if (o.kind === 'Namespace') return 0;
  if (o.kind === 'CustomResourceDefinition') return 1;
  return o.metadata.namespace ? 3 : 2;
}

/** Server-side apply of generated/<cluster>/ of `root` with the engine's field manager, as its sync does. */
async function sync(root: string): Promise<void> {
  const { docs, problems } = readManifests(join(root, 'generated', CLUSTER), { base: root });
  expect(problems).toEqual([]);
  const objects = docs.map((d) => d.object).filter((o) => o.kind !== 'Kustomization' || o.apiVersion !== 'kustomize.config.k8s.io/v1beta1').sort((a, b) => order(a) - order(b));
  for (const o of objects) {
    const res = await client.apply(o, { fieldManager: ENGINE_FIELD_MANAGER[ENGINE], force: true });
    expect(res.status, `${o.kind}/${o.metadata.name}: ${res.body}`).toBeLessThan(300);
  }
}

/** What the engine does before it applies: drop the managedFields entries of managers whose fields its sync removes. */
function dropRemovedManagers(kinds: string): void {
  const list = JSON.parse(kubectl(['get', kinds, '-A', '-o', 'json', '--show-managed-fields'])) as { items: KubeObject[] };
  for (const o of list.items) {
    const entries = (o.metadata.managedFields ?? []) as Array<{ manager?: string }>;
    const kept = entries.filter((e) => !syncRemovesFieldsOf(ENGINE, e.manager ?? ''));
    if (kept.length === entries.length) continue;
    const kind = `${o.kind.toLowerCase()}.${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}`.replace(/\.$/, '');
    kubectl(['patch', kind, o.metadata.name, '-n', o.metadata.namespace!, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/metadata/managedFields', value: kept }])]);
  }
}

async function audit(root: string): Promise<AuditReport> {
  const { report } = await auditCommand({ root, packageRoot: REPO_ROOT, clusters: [CLUSTER], kubeconfig: controlPlane.kubeconfigPath, context: client.context, format: 'json', today: '2026-11-23', now: new Date('2026-11-23T03:00:00Z') });
  return report;
}

function describeFindings(c: ClusterReport): string[] {
  return c.findings.map((f) => `${f.type} ${f.resource.kind}/${f.resource.namespace ?? ''}/${f.resource.name}${f.changes ? ` ${f.changes.map((ch) => `${ch.path} ${JSON.stringify(ch.desired)}→${JSON.stringify(ch.live)} (${ch.changedBy?.manager ?? '?'})`).join(', ')}` : ''}`);
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  client = KubeClient.fromKubeconfig({ kubeconfig: controlPlane.kubeconfigPath });
  for (const name of PLATFORM_NAMESPACES) {
    const res = await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'platform-bootstrap' });
    expect(res.status, res.body).toBeLessThan(300);
  }
  dir = mkdtempSync(join(tmpdir(), 'tenantctl-adopt-settles-'));
  repo = join(dir, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  for (const entry of ['fleet.ts', 'tenants', 'generated', '.gitignore']) cpSync(join(REPO_ROOT, entry), join(repo, entry), { recursive: true });
  for (const entry of ['lib', 'tiers', 'vendor', 'bin']) symlinkSync(join(REPO_ROOT, entry), join(repo, entry));
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'fleet', private: true, type: 'module' }) + '\n');
  git(repo, 'add', '.');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'fleet');
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(repo, 'node_modules'));
  await sync(repo);
}, 300_000);

afterAll(async () => {
  client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await controlPlane?.stop();
  if (controlPlane) rmSync(controlPlane.dataDir, { recursive: true, force: true });
});

  it('settles: after the branch is synced every adopted finding is gone and the live values stay', async () => {
    expect(describeFindings((await audit(repo)).clusters[0])).toEqual([]);

    // People change the cluster, one change per adoption mapping.
    kubectl(['scale', '-n', 'tenant-cobalt-production', 'deployment/odoo-web', '--replicas=2']);
    kubectl(['patch', '-n', 'tenant-delta-production', 'hpa/odoo-web', '--type=merge', '-p', '{"spec":{"minReplicas":3}}']);
    const conf = JSON.parse(kubectl(['get', '-n', 'tenant-fjord-training', 'configmap/odoo-conf', '-o', 'json'])) as { data: Record<string, string> };
    const confLive = conf.data['odoo.conf'].replace(/^workers = \d+$/m, 'workers = 2');
    expect(confLive).not.toBe(conf.data['odoo.conf']);
    kubectl(['patch', '-n', 'tenant-fjord-training', 'configmap/odoo-conf', '--type=merge', '-p', JSON.stringify({ data: { 'odoo.conf': confLive } })]);
    for (const env of ['production', 'staging']) kubectl(['set', 'image', '-n', `tenant-delta-${env}`, 'deployment/odoo-web', `odoo=${IMAGE}`]);
    for (const env of ['production', 'training']) {
      kubectl(['patch', '-n', `tenant-cobalt-${env}`, 'middlewares.traefik.io/rate-limit', '--type=merge', '-p', '{"spec":{"rateLimit":{"average":90}}}']);
      kubectl(['patch', '-n', `tenant-cobalt-${env}`, 'cronjob/pg-dump', '--type=merge', '-p', '{"spec":{"schedule":"7 */4 * * *"}}']);
      // cronThreads is set once per tenant: both environments' cron resources, as two threads render them.
      kubectl(['set', 'resources', '-n', `tenant-cobalt-${env}`, 'deployment/odoo-cron', '-c', 'odoo', '--requests=cpu=400m,memory=1Gi', '--limits=cpu=800m,memory=1536Mi']);
    }
    kubectl(['patch', '-n', 'tenant-helix-production', 'hpa/odoo-web', '--type=merge', '-p', '{"spec":{"maxReplicas":8}}']);
    // Web resources as two workers render them (lib/tenant/sizing.ts webResources), on an environment that inherits its workers.
    kubectl(['set', 'resources', '-n', 'tenant-fjord-staging', 'deployment/odoo-web', '-c', 'odoo', '--requests=cpu=750m,memory=1152Mi', '--limits=cpu=1500m,memory=1728Mi']);
    for (const env of ['production', 'staging']) {
      kubectl(['patch', '-n', `tenant-delta-${env}`, 'deployment/odoo-cron', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/args/2', value: '--max-cron-threads=1' }])]);
      kubectl(['patch', '-n', `tenant-delta-${env}`, 'middlewares.traefik.io/admin-allowlist', '--type=merge', '-p', JSON.stringify({ spec: { ipAllowList: { sourceRange: ALLOW_LIST } } })]);
    }
    // Redis and the filestore backup of fjord's only dedicated environment (its shared ones take the shared tier's values).
    kubectl(['set', 'resources', '-n', 'tenant-fjord-production', 'statefulset/redis', '-c', 'redis', '--requests=memory=512Mi', '--limits=memory=512Mi']);
    kubectl(['patch', '-n', 'velero', 'schedules.velero.io/fjord-production-filestore', '--type=merge', '-p', '{"spec":{"schedule":"17 */2 * * *"}}']);
    // Refused: an empty allow-list renders deny-all; allowing an address there is not a setting.
    kubectl(['patch', '-n', 'tenant-fjord-staging', 'middlewares.traefik.io/deny-all', '--type=merge', '-p', '{"spec":{"ipAllowList":{"sourceRange":["198.51.100.7/32"]}}}']);

    const before = await audit(repo);
    const cluster: ClusterReport = { ...before.clusters[0], engine: before.clusters[0].engine ?? ENGINE };
    const found = describeFindings(cluster);
    expect(found.length, found.join('\n')).toBeGreaterThanOrEqual(17);
    // Besides the changes, only policy findings about them (a dump less often, two replicas without a disruption budget).
    expect(cluster.findings.filter((f) => f.type !== 'modified' && f.type !== 'policy'), found.join('\n')).toEqual([]);

    const baseCommit = git(repo, 'rev-parse', 'HEAD');
    const built = await buildDriftBranch({ root: repo, packageRoot: REPO_ROOT, cluster, baseCommit, compile: compileWorkspace });
    // On Argo CD, kubectl would keep owning the replica count Git no longer sets: not adopted there.
    const refused = built.plan.notAdoptable.filter((n) => n.finding.type === 'modified').map((n) => `${n.finding.resource.kind}/${n.finding.resource.namespace}/${n.finding.resource.name} ${n.path}`);
    expect(refused.sort()).toEqual([
      ...(ENGINE === 'flux' ? [] : ['Deployment/tenant-cobalt-production/odoo-web spec.replicas']),
      'Middleware/tenant-fjord-staging/deny-all spec.ipAllowList.sourceRange',
    ].sort());
    expect(built.plan.notAdoptable.find((n) => n.finding.resource.name === 'deny-all')?.reason).toMatch(/deny-all is what an empty ingress\.adminAllowList renders/);
    const settings = built.plan.adoptions.map((a) => `${a.file} ${a.setting.join('.')}`);
    expect(settings.includes('tenants/cobalt.ts environments.production.replicas')).toBe(ENGINE === 'flux');
    expect(settings).toEqual(expect.arrayContaining([
      'tenants/delta.ts environments.production.replicas',
      'tenants/helix.ts environments.production.maxReplicas',
      'tenants/fjord.ts environments.training.workers',
      'tenants/fjord.ts environments.staging.workers',
      'tenants/cobalt.ts odoo.cronThreads',
      'tenants/delta.ts odoo.cronThreads',
      'tenants/fjord.ts redis.memory',
      'tenants/delta.ts ingress.adminAllowList',
      'tenants/fjord.ts backup.rpoMinutes',
      'tenants/delta.ts odoo.image',
      'tenants/cobalt.ts ingress.rateLimit',
      'tenants/cobalt.ts backup.rpoMinutes',
    ]));

    // Each value is the one that renders what people set (sizing.ts, cronEvery), not just any value.
    const adopted = Object.fromEntries(built.plan.adoptions.map((a) => [`${a.file} ${a.setting.join('.')}`, a.value]));
    expect(adopted).toMatchObject({
      'tenants/helix.ts environments.production.maxReplicas': 8,
      'tenants/fjord.ts environments.staging.workers': 2,
      'tenants/cobalt.ts odoo.cronThreads': 2,
      'tenants/delta.ts odoo.cronThreads': 1,
      'tenants/fjord.ts redis.memory': '512Mi',
      'tenants/delta.ts ingress.adminAllowList': ALLOW_LIST,
      'tenants/fjord.ts backup.rpoMinutes': 120,
    });

    // The branch: the base commit with the drift branch's files, merged as a reviewer would.
    const branch = join(dir, 'branch');
    git(dir, 'clone', '-q', repo, branch);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(branch, 'node_modules'));
    for (const f of built.files) {
      if (f.content === null) rmSync(join(branch, f.path));
      else {
        mkdirSync(dirname(join(branch, f.path)), { recursive: true });
        writeFileSync(join(branch, f.path), f.content);
      }
    }
    git(branch, 'add', '-A', '.', ':(exclude)node_modules');
    git(branch, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'merge the drift pull request');

    // The engine syncs the merge.
    dropRemovedManagers('deployments.apps,statefulsets.apps,horizontalpodautoscalers.autoscaling,configmaps,cronjobs.batch,middlewares.traefik.io,schedules.velero.io');
    await sync(branch);

    const after = await audit(branch);
    // Nothing adopted is left, nor the policy findings about it (on Argo CD the sync put the refused replica count back).
    expect(describeFindings(after.clusters[0])).toEqual([]);

    // What people set is still live.
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-cobalt-production', 'deployment/odoo-web', '-o', 'json'])).spec.replicas).toBe(ENGINE === 'flux' ? 2 : 1);
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-delta-production', 'hpa/odoo-web', '-o', 'json'])).spec.minReplicas).toBe(3);
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-fjord-training', 'configmap/odoo-conf', '-o', 'json'])).data['odoo.conf']).toMatch(/^workers = 2$/m);
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-delta-staging', 'deployment/odoo-web', '-o', 'json'])).spec.template.spec.containers[0].image).toBe(IMAGE);
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-cobalt-training', 'middlewares.traefik.io/rate-limit', '-o', 'json'])).spec.rateLimit.average).toBe(90);
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-cobalt-training', 'cronjob/pg-dump', '-o', 'json'])).spec.schedule).toBe('7 */4 * * *');
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-helix-production', 'hpa/odoo-web', '-o', 'json'])).spec.maxReplicas).toBe(8);
    const container = (ns: string, what: string, name: string) =>
      (JSON.parse(kubectl(['get', '-n', ns, what, '-o', 'json'])).spec.template.spec.containers as Array<{ name: string; args?: string[]; resources: unknown }>).find((c) => c.name === name)!;
    expect(container('tenant-fjord-staging', 'deployment/odoo-web', 'odoo').resources).toEqual({ requests: { cpu: '750m', memory: '1152Mi' }, limits: { cpu: '1500m', memory: '1728Mi' } });
    expect(container('tenant-cobalt-production', 'deployment/odoo-cron', 'odoo').resources).toEqual({ requests: { cpu: '400m', memory: '1Gi' }, limits: { cpu: '800m', memory: '1536Mi' } });
    expect(container('tenant-delta-staging', 'deployment/odoo-cron', 'odoo').args).toContain('--max-cron-threads=1');
    expect(container('tenant-fjord-production', 'statefulset/redis', 'redis').resources).toMatchObject({ requests: { memory: '512Mi' }, limits: { memory: '512Mi' } });
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-delta-staging', 'middlewares.traefik.io/admin-allowlist', '-o', 'json'])).spec.ipAllowList.sourceRange).toEqual(ALLOW_LIST);
    expect(JSON.parse(kubectl(['get', '-n', 'velero', 'schedules.velero.io/fjord-production-filestore', '-o', 'json'])).spec.schedule).toBe('17 */2 * * *');
    // The refused change is what Git says again.
    expect(JSON.parse(kubectl(['get', '-n', 'tenant-fjord-staging', 'middlewares.traefik.io/deny-all', '-o', 'json'])).spec.ipAllowList.sourceRange).toEqual(['192.0.2.255/32']);
  }, 600_000);
});
