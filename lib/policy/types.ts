/**
 * Policies as code: small typed objects that look at plain Kubernetes objects of one cluster and
 * return violations. The same policies run on generated/ in CI and on live objects in the audit,
 * so they read only KubeObjects plus optional tenant context, never files or a cluster.
 */
import type { Fleet } from '../fleet/schema.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import type { KubeObject, ResourceRef } from '../model/resource.ts';
import type { Tier } from '../tier/tier.ts';

export type Severity = 'error' | 'warning';

/** What policies need of a cluster; a fleet.ts Cluster fits. */
export interface ClusterInfo {
  readonly name: string;
  readonly region: string;
  readonly baseDomain: string;
  readonly capacity: { readonly cpu: number; readonly memoryGi: number };
}

export interface PolicyContext {
  readonly cluster: ClusterInfo;
  /** Every object that is (or should be) on the cluster. */
  readonly objects: readonly KubeObject[];
  /** Tenant environments; those placed on other clusters are ignored. Enables RPO, retention, domain and region checks. */
  readonly environments?: readonly TenantEnvironment[];
  readonly fleet?: Fleet;
  readonly tiers?: PolicyTiers;
  /** File each object was read from (generated/...), for findings. */
  readonly files?: ReadonlyMap<KubeObject, string>;
  /**
   * `generated`: objects from Git (CI). `live`: objects read from the cluster; Secrets then carry
   * data by nature, so only tenantctl-managed ones are checked for it.
   * @default 'generated'
   */
  readonly source?: 'generated' | 'live';
}

/** What policies read of the tiers: their promises, not their templates (a TierRegistry fits; this part can cross threads). */
export type PolicyTiers = Readonly<Record<string, Pick<Tier, 'name' | 'dataPlane' | 'defaults' | 'floors' | 'evidence'>>>;

/** Who a finding is about: a Kubernetes object, or a tenantctl notion (Cluster, Tenant) under tenantctl.io. */
/** One identity for an object (lib/model/resource.ts). */
export type { ResourceRef };

/** What a check returns; the engine adds policy id, severity, tenant, files and waivers. */
export interface Violation {
  /** The object at fault; or `resource` when there is none (a missing object, a cluster total). */
  readonly object?: KubeObject;
  readonly resource?: ResourceRef;
  /** Field path inside the object, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly path?: string;
  readonly message: string;
  /** Overrides the policy's generic fix. */
  readonly fix?: string;
  /** Tenant and environment when they cannot be read from the object's labels or namespace. */
  readonly tenant?: string;
  readonly environment?: string;
}

export interface Policy {
  /** `category/name`, e.g. `security/run-as-non-root`: what waivers and SARIF rules refer to. */
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly fix: string;
  /** Checks one cluster. */
  check(ctx: PolicyContext): Violation[];
  /** Checks across clusters (e.g. host names unique in the fleet); runs once per run. */
  checkFleet?(contexts: readonly PolicyContext[]): Violation[];
  /**
   * The objects `checkFleet` looks at: it gives the same violations on contexts holding only these
   * (and their files), so a reader that keeps each cluster's objects in another thread sends only
   * these to the fleet check. Without it, a fleet check needs every object.
   */
  fleetObjects?(obj: KubeObject): boolean;
}

export interface Waived {
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

export interface Finding {
  readonly policy: string;
  readonly severity: Severity;
  readonly resource: ResourceRef;
  readonly cluster?: string;
  readonly tenant?: string;
  readonly environment?: string;
  /** Tenant file that declares the tenant, e.g. `tenants/acme.ts`. */
  readonly tenantFile?: string;
  /** Manifest file of the object, e.g. `generated/eu-1/tenants/acme-production/deployment-odoo.yaml`. */
  readonly file?: string;
  readonly path?: string;
  readonly message: string;
  readonly fix: string;
  /** Set when a tenant waiver covers the finding: reported, but not an error. */
  readonly waived?: Waived;
}
