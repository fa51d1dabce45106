/**
 * `tenantctl audit`: live clusters against generated/ at a git ref. Wires the pieces: the tree of
 * the ref (lib/git/ref-tree.ts; generated/ left out), the tenant model at that ref (for waivers and
 * policies), each cluster's desired state (lib/workspace/desired-state.ts: from the cache when it
 * holds generated/<cluster>'s git tree, else read from generated/ and cached), one Kubernetes
 * client per cluster (lib/live), the per-cluster audit (lib/audit) and a renderer.
 *
 * Contexts: each cluster's `context` in fleet.ts, else its name; `--context` overrides it for a
 * single cluster, `--kubeconfig` replaces the default kubeconfig for all.
 * Exit: 0 clean, 1 findings, 3 some cluster could not be audited (the others still reported).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { auditCluster } from '../../audit/audit-cluster.ts';
import { ClusterSetupError } from '../../audit/cluster-errors.ts';
import { KubeconfigError } from '../../live/errors.ts';
import { desiredCluster, desiredClusterFromTexts } from '../../audit/desired.ts';
import { auditFleet, buildReport, selectShard, type Shard } from '../../audit/fleet.ts';
import { ObjectBudget } from '../../audit/object-budget.ts';
import type { AuditReport } from '../../audit/types.ts';
import { auditExitCode, renderAudit, type AuditFormat } from '../audit-output.ts';
import { folderAtRef, treeAtRef } from '../../git/ref-tree.ts';
import { treeHashAt } from '../../git/worktree.ts';
import { cachedObjectCount, loadDesiredState } from '../../workspace/desired-state.ts';
import { readManifestTextsParallel } from '../../io/read-manifests-parallel.ts';
import { readSchemaSource } from '../../io/read-schemas.ts';
import { codeVersion, compileWorkspace } from '../../workspace/compile.ts';
import { readInSync, writeInSync } from '../../io/in-sync-cache.ts';
import { policyTiers } from '../../policy/engine.ts';
import { isExpired } from '../../policy/waivers.ts';
import { UsageError } from '../errors.ts';
import { selectClusters } from '../../fleet/select.ts';
import { evidenceTargets } from '../../evidence/targets.ts';

export interface AuditCommandOptions {
  /** Repository root (fleet.ts, tenants/, generated/, .git). */
  readonly root: string;
  /** Root of the running tenantctl (vendor/crds, node_modules). */
  readonly packageRoot: string;
  /** Fleet cluster names to audit; every cluster when empty. */
  readonly clusters: readonly string[];
  readonly kubeconfig?: string;
  readonly context?: string;
  /** @default 'HEAD' */
  readonly ref?: string;
  readonly format: AuditFormat;
  readonly shard?: Shard;
  /** Clusters audited at once, whatever their size. @default as many as fit in the object budget (lib/audit/object-budget.ts) */
  readonly concurrency?: number;
  /** Per-request deadline. @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts per request on transient failures. @default 3 */
  readonly attempts?: number;
  readonly serverDryRun?: boolean;
  /** Key of the HMAC-SHA-256 digests of secret values (TENANTCTL_DIGEST_KEY); none: values are `<hidden>`. */
  readonly digestKey?: string;
  /** `YYYY-MM-DD` for waivers. @default today (UTC) */
  readonly today?: string;
  /** Clock for `generatedAt` and the recoverability evidence (ages, expiries). @default new Date() */
  readonly now?: Date;
  /** Skip the recoverability evidence checks. @default false */
  readonly noEvidence?: boolean;
  /**
   * Reuse the last audit's verdicts on objects not written since (lib/audit/in-sync.ts), and
   * store this audit's. `false` compares every object (`--no-cache`). @default true
   */
  readonly cache?: boolean;
  readonly progress?: (line: string) => void;
}

/** Modules whose code, with what they import, decides the auditor's verdicts (drift engine, policies). */
const AUDIT_ENTRIES = ['lib/audit/audit-cluster.ts', 'lib/audit/live-policies.ts'];

export interface AuditCommandResult {
  readonly report: AuditReport;
  readonly output: string;
  readonly exitCode: 0 | 1 | 3;
}

export async function auditCommand(o: AuditCommandOptions): Promise<AuditCommandResult> {
  const ref = o.ref ?? 'HEAD';
  const now = o.now ?? new Date();
  // generated/ is read per cluster below, and only when the desired-state cache has no entry for it.
  const tree = await treeAtRef(o.root, ref, { paths: ['fleet.ts', 'tenants'], exclude: ['generated'], nodeModules: join(o.packageRoot, 'node_modules') });
  try {
    const compiled = await compileWorkspace(tree.root);
    const chosen = selectClusters(compiled.fleet.clusters, o.clusters, { where: `fleet.ts at ${ref}`, flag: '--cluster' });
    if (o.context && chosen.length !== 1) {
      throw new UsageError(`--context ${o.context} names one cluster's context, but ${chosen.length} clusters are selected; add --cluster NAME (or set each cluster's context in fleet.ts)`);
    }
    const targets = selectShard(chosen, o.shard).map((c) => ({
      name: c.name,
      context: o.context ?? c.context ?? c.name,
      cluster: c,
      tenants: [...new Set(compiled.environments.filter((e) => e.cluster.name === c.name).map((e) => e.tenant.name))].sort(),
    }));
    const hasGenerated = tree.commit ? !!(await treeHashAt(o.root, tree.commit, 'generated')) : existsSync(join(tree.root, 'generated'));
    if (!hasGenerated) throw new UsageError(`${ref} has no generated/ folder: run \`tenantctl synth\` and commit its output`);
    const crds = readSchemaSource({ root: o.packageRoot }).crds;
    // What verdicts depend on besides the objects: the auditor's code, the CRD schemas and the
    // comparison's settings (the digest key only as a hash: it is a secret). The live policies'
    // inputs are keyed apart, so a changed tenant file reruns the policies, not the comparisons.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const verdictsKey = o.cache === false ? undefined : sha(JSON.stringify({
      code: codeVersion(o.packageRoot, AUDIT_ENTRIES),
      crds: sha(JSON.stringify(crds)),
      digestKey: o.digestKey ? sha(`tenantctl digest key\n${o.digestKey}`) : null,
    }));
    // The policies read the day only to tell expired waivers (isExpired): two days on which the
    // same waivers have expired judge alike, so the key holds those, not the date.
    const today = o.today ?? new Date().toISOString().slice(0, 10);
    const policyInputs = verdictsKey && sha(JSON.stringify({
      expired: [...new Set(compiled.environments.flatMap((e) => e.tenant.waivers.filter((w) => isExpired(w, today)).map((w) => w.expires)))].sort(),
      fleet: compiled.fleet,
      tiers: policyTiers(compiled.templates.tiers),
      environments: compiled.environments.map((e) => ({ ...e, fleet: undefined })),
    }));
    // Loaded here, not at the top: the Kubernetes client takes ~0.7 s to import, which every
    // other command would pay at start-up.
    const { KubeClient } = await import('../../live/kube-client.ts');

    // generated/ is read (a desired-state cache miss) for 2 clusters at a time, whatever the
    // object budget admits: parsing a cluster's manifests is the cold audit's largest transient memory.
    const reading = new ObjectBudget(2);
    // generated/<cluster>'s git tree at the audited commit: the desired-state cache's key.
    const trees = new Map<string, Promise<string | undefined>>();
    const treeOf = (cluster: string) => {
      if (!trees.has(cluster)) trees.set(cluster, tree.commit ? treeHashAt(o.root, tree.commit, `generated/${cluster}`) : Promise.resolve(undefined));
      return trees.get(cluster)!;
    };
    const clusters = await auditFleet({
      targets,
      concurrency: o.concurrency,
      // The desired objects of a commit audited before, counted as auditCluster admits them:
      // twice with --no-cache (every object compared), once when the last verdicts are reused.
      estimate: async (target) => {
        const treeHash = await treeOf(target.name);
        const count = treeHash ? cachedObjectCount({ tree: treeHash, cluster: target.name }) : undefined;
        return count === undefined ? undefined : o.cache === false ? 2 * count : count;
      },
      onDone: (r) => o.progress?.(`${r.name}: ${r.status === 'ok' ? `${r.findings.length} findings` : `${r.status}: ${r.errorDetail?.message ?? ''}`}`),
      audit: async (target, admit) => {
        const path = `generated/${target.name}`;
        const read = async () => {
          const release = await reading.admit(1);
          try {
            return await readFolder();
          } finally {
            release();
          }
        };
        const readFolder = async () => {
          const folder = await folderAtRef(tree, o.root, path);
          try {
            const { texts, problems } = existsSync(folder.dir) ? await readManifestTextsParallel(folder.dir, { base: folder.base }) : { texts: [], problems: [] };
            if (problems.length) {
              throw new ClusterSetupError('desired-unreadable', `${problems.length} documents of ${problems[0].file} and others cannot be read: ${problems[0].message}`,
                'run `tenantctl synth` to rewrite generated/ and commit it');
            }
            return desiredClusterFromTexts(texts, target.name);
          } finally {
            await folder.cleanup();
          }
        };
        const loadDesired = async () => {
          // Keyed by the folder's git tree: the nightly audit of a commit audited before reads nothing from generated/.
          const treeHash = await treeOf(target.name);
          if (tree.commit && !treeHash) return desiredCluster([], target.name);
          const loaded = await loadDesiredState({ key: treeHash ? { tree: treeHash, cluster: target.name } : undefined, read });
          o.progress?.(`${target.name}: desired state ${loaded.from === 'cache' ? 'from the cache' : loaded.from === 'rebuilt' ? 'read from generated/ (the cache entry was damaged, rewritten)' : 'read from generated/'}${treeHash ? ` (tree ${treeHash.slice(0, 12)})` : ''}`);
          return loaded.desired;
        };
        let client;
        try {
          client = KubeClient.fromKubeconfig({ kubeconfig: o.kubeconfig, context: target.context, timeoutMs: o.timeoutMs, attempts: o.attempts });
        } catch (error) {
          if (!(error instanceof KubeconfigError)) throw error;
          throw error.problem === 'context-not-found'
            ? new ClusterSetupError('context-not-found', error.message, `add a context named ${target.context} to the kubeconfig, set the cluster's context in fleet.ts, or pass --context with --cluster ${target.name}`)
            : new ClusterSetupError('kubeconfig-invalid', error.message, error.fix ?? 'check the kubeconfig file (--kubeconfig, $KUBECONFIG or ~/.kube/config)');
        }
        const inSyncAt = verdictsKey && { cluster: target.name, key: sha(JSON.stringify([verdictsKey, client.server, target.cluster.engine ?? null])) };
        try {
          const result = await auditCluster({
            cluster: target.cluster,
            loadDesired,
            reader: client,
            engine: target.cluster.engine,
            crds,
            policies: { environments: compiled.environments, fleet: compiled.fleet, tiers: compiled.templates.tiers, today: o.today },
            serverDryRun: o.serverDryRun ? client : undefined,
            digestKey: o.digestKey,
            evidence: o.noEvidence ? undefined : { targets: evidenceTargets(compiled.environments.filter((e) => e.cluster.name === target.name), compiled.templates.tiers), now },
            inSync: inSyncAt ? { previous: readInSync(inSyncAt), policyInputs } : undefined,
            admit,
            onProgress: (line) => o.progress?.(`${target.name}: ${line}`),
          });
          if (inSyncAt && result.inSync) writeInSync(inSyncAt, result.inSync);
          return { ...result, server: client.server };
        } finally {
          client.close();
        }
      },
    });
    const report = buildReport({ generatedAt: now.toISOString(), gitRef: ref, gitCommit: tree.commit, shard: o.shard }, clusters);
    return { report, output: await renderAudit(report, o.format, { color: false }), exitCode: auditExitCode(report.clusters) };
  } finally {
    await tree.cleanup();
  }
}
