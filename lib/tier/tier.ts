/**
 * What a tier is: defaults for tenants that do not say otherwise, floors the tier can honestly
 * promise, and a template that renders one tenant environment with cdk8s.
 */
import type { Construct } from 'constructs';
import type { EvidenceThresholds } from '../evidence/thresholds.ts';
import type { Cluster, Fleet } from '../fleet/schema.ts';
import type { TenantEnvironment } from '../model/environment.ts';

export interface TierDefaults {
  readonly edition: 'community' | 'enterprise';
  readonly workers: number;
  readonly cronThreads: number;
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly database: { readonly storage: string; readonly instances: number; readonly postgres: 15 | 16 | 17 };
  readonly redis: { readonly enabled: boolean; readonly memory: string };
  readonly backup: { readonly rpoMinutes: number; readonly rtoMinutes: number; readonly retentionDays: number; readonly immutable: boolean };
  readonly maintenance: { readonly day: string; readonly start: string; readonly durationMinutes: number; readonly timeZone: string };
  readonly ingress: { readonly rateLimit: { readonly average: number; readonly burst: number }; readonly maxUploadMb: number };
}

export interface TierFloors {
  /** The smallest RPO the tier's backup design can deliver. */
  readonly minRpoMinutes: number;
  readonly minRetentionDays: number;
  readonly maxReplicas: number;
  readonly maxWorkers: number;
  readonly maxDatabaseInstances: number;
  /** Backups must be copied to another region (regulated). */
  readonly requiresCrossRegion: boolean;
  readonly requiresImmutableBackups: boolean;
  /** Pods spread across zones and Postgres instances anti-affine by zone. */
  readonly zoneSpread: boolean;
}

export interface Tier {
  readonly name: string;
  readonly description: string;
  /** Whether the tenant gets its own PostgreSQL cluster and Redis or shares the cluster's. */
  readonly dataPlane: 'shared' | 'dedicated';
  readonly defaults: TierDefaults;
  readonly floors: TierFloors;
  /**
   * Slack of the recoverability evidence checks (`tenantctl audit`): grace for backups and
   * restore tests, certificate expiry threshold, retention tolerance.
   * @default DEFAULT_EVIDENCE_THRESHOLDS (lib/evidence/thresholds.ts) for every field left out
   */
  readonly evidence?: Partial<EvidenceThresholds>;
  /** Adds the environment's objects under `scope`. Pure: no I/O, no clock, no randomness. */
  render(scope: Construct, env: TenantEnvironment): void;
}

export type TierRegistry = Readonly<Record<string, Tier>>;

export function defineTier(tier: Tier): Tier {
  return tier;
}

/**
 * Every template synthesis runs, as one value: the tiers and the per-cluster templates. The
 * compiler (lib/synth) is handed this value and never imports tiers/ itself, so tests and the
 * workspace choose what renders; lib/workspace/templates.ts names the project's own.
 */
export interface Templates {
  readonly tiers: TierRegistry;
  /**
   * The cluster base folder (`<cluster>/cluster/`: shared data plane, TLS, auditor RBAC), as parts
   * rendered and cached apart: a tenant change re-renders only the parts whose inputs it changes.
   */
  clusterBase(cluster: Cluster, fleet: Fleet, envs: readonly TenantEnvironment[]): readonly ClusterBasePart[];
  /** Argo CD's objects for the cluster (`<cluster>/argocd/`). */
  argoCd(scope: Construct, cluster: Cluster, fleet: Fleet): void;
  /** Flux's objects for the cluster (`<cluster>/flux/`); `folders` are the tenant folders it deploys. */
  flux(scope: Construct, cluster: Cluster, fleet: Fleet, folders: readonly string[]): void;
}

/**
 * Some objects of the cluster base folder. `inputs` is all that `render` reads besides the cluster
 * and the fleet (plain data, part of the part's cache key), so the key of a part changes exactly
 * when its objects can: the shared PostgreSQL's roles follow each shared tenant's workers, while
 * the Redis StatefulSet and the platform namespaces do not, and are not rendered again for it.
 * Made with basePart, which types `render`'s argument as the inputs given.
 */
export interface ClusterBasePart {
  /** Unique within the cluster's parts; part of the cache key. */
  readonly name: string;
  readonly inputs: unknown;
  render(scope: Construct, inputs: unknown): void;
}

/** A ClusterBasePart whose `render` is handed its own `inputs` (and should read nothing else of the tenants). */
export function basePart<T>(name: string, inputs: T, render: (scope: Construct, inputs: T) => void): ClusterBasePart {
  return { name, inputs, render: render as (scope: Construct, inputs: unknown) => void };
}
