/**
 * What a change to the sources does to generated/: objects added, changed and removed, grouped
 * by tenant environment (or cluster, for per-cluster objects), with risk flags as data.
 * Only report/ turns a Plan into text.
 */
import type { ResourceKey } from '../model/resource.ts';

/** What happens to one object (kapp's closed ChangeOp vocabulary, without no-ops). */
export type ChangeAction = 'added' | 'changed' | 'removed';

/**
 * What happens to a tenant environment (or a cluster's own objects) as a whole. `moved`: the
 * environment renders on another cluster than before, which GitOps applies as delete + create.
 */
export type GroupStatus = 'added' | 'changed' | 'removed' | 'moved';

/** Changes a reviewer must look at twice. Closed: renderers and CI can match on them. */
export type RiskFlag =
  /** A CNPG Cluster or Database is removed, or a Database is set to `ensure: absent`. */
  | 'database-deleted'
  /** A PersistentVolumeClaim is removed (the Odoo filestore lives on one). */
  | 'volume-deleted'
  /** A Namespace is removed: everything in it goes, volumes included. */
  | 'namespace-deleted'
  /** A backup object (ObjectStore, ScheduledBackup, Velero Schedule, pg-dump CronJob) is removed from an environment that stays. */
  | 'backup-removed'
  /** ObjectStore or CNPG `retentionPolicy`, or Velero `ttl`, is shorter. */
  | 'backup-retention-lowered'
  /** WAL `archive_timeout` longer or unset, pg-dump or Velero schedule less frequent, or suspended/paused. */
  | 'rpo-raised'
  /** A NetworkPolicy is added to an existing environment or grants peers/ports it did not before. */
  | 'network-policy-widened'
  /** A default-deny NetworkPolicy is removed or no longer denies a direction. */
  | 'default-deny-removed'
  /** A Traefik ipAllowList admits addresses it did not before, or is dropped. */
  | 'ip-allowlist-widened'
  /** A tenant environment renders on another cluster (or region). */
  | 'environment-moved';

export const RISK_FLAGS: readonly RiskFlag[] = [
  'database-deleted',
  'volume-deleted',
  'namespace-deleted',
  'environment-moved',
  'backup-removed',
  'backup-retention-lowered',
  'rpo-raised',
  'default-deny-removed',
  'network-policy-widened',
  'ip-allowlist-widened',
];

/** Short titles for reports, in the order risks are listed. */
export const RISK_TITLES: Readonly<Record<RiskFlag, string>> = {
  'database-deleted': 'database deleted',
  'volume-deleted': 'volume deleted',
  'namespace-deleted': 'namespace deleted',
  'environment-moved': 'environment moved',
  'backup-removed': 'backup removed',
  'backup-retention-lowered': 'backup retention lowered',
  'rpo-raised': 'RPO raised',
  'default-deny-removed': 'default-deny removed',
  'network-policy-widened': 'network access widened',
  'ip-allowlist-widened': 'IP allow-list widened',
};

export interface Risk {
  readonly flag: RiskFlag;
  /** Id of the group the change belongs to: `acme/production` or `cluster eu-west-shared-1`. */
  readonly group: string;
  /** `Kind/namespace/name` of the object, or the group id for group-level risks. */
  readonly subject: string;
  /** What changed and why it matters, in one sentence. */
  readonly message: string;
}

export interface ObjectChange {
  readonly action: ChangeAction;
  readonly key: ResourceKey;
  /** `Kind/namespace/name`. */
  readonly resource: string;
  /** Path under generated/ on the base side (absent when added). */
  readonly basePath?: string;
  /** Path under generated/ on the head side (absent when removed). */
  readonly headPath?: string;
  /** Unified diff of the object's YAML, generated-by header removed. */
  readonly diff: string;
  readonly additions: number;
  readonly deletions: number;
  readonly risks: readonly Risk[];
}

export interface ChangeGroup {
  /** `tenant/environment`, or `cluster <name>` for per-cluster objects. */
  readonly id: string;
  readonly kind: 'environment' | 'cluster';
  readonly tenant?: string;
  readonly environment?: string;
  readonly status: GroupStatus;
  /** Clusters the group's objects render to, before and after. */
  readonly baseClusters: readonly string[];
  readonly headClusters: readonly string[];
  /** Source files named in the generated-by headers (`tenants/acme.ts`, `fleet.ts`). */
  readonly sources: readonly string[];
  /** Sorted: removed, changed, added; then by resource. */
  readonly changes: readonly ObjectChange[];
  /** Group-level risks first, then every object's risks. */
  readonly risks: readonly Risk[];
  readonly counts: { readonly added: number; readonly changed: number; readonly removed: number; readonly additions: number; readonly deletions: number };
}

export interface PlanSide {
  /** What the user asked for (`origin/main`), or `working tree`. */
  readonly ref: string;
  /** Resolved commit, when the side is a git ref. */
  readonly commit?: string;
  /** How its manifests were obtained. */
  readonly from: 'synthesized' | 'committed-generated' | 'working-tree' | 'empty';
}

export interface Plan {
  readonly summary: {
    readonly objects: { readonly added: number; readonly changed: number; readonly removed: number; readonly unchanged: number };
    /** Tenant environments (`tenant/environment`) by what happens to them as a whole. */
    readonly environments: {
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly changed: readonly string[];
      readonly moved: ReadonlyArray<{ readonly id: string; readonly from: readonly string[]; readonly to: readonly string[] }>;
    };
  };
  /** Groups with at least one change: risky groups first, then by id. */
  readonly groups: readonly ChangeGroup[];
  /** Every risk of every group, in RISK_FLAGS order. */
  readonly risks: readonly Risk[];
  /** Manifests that could not be read or paired (unreadable YAML, duplicate objects). */
  readonly problems: readonly string[];
  readonly base?: PlanSide;
  readonly head?: PlanSide;
  /** Remarks about how the plan was made (fallbacks), for reports. */
  readonly notes: readonly string[];
}
