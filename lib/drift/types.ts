/**
 * The drift engine's vocabulary: what it takes (desired objects from generated/, live objects as
 * the API server returns them, CRD schemas, ignore rules) and what it returns (findings).
 *
 * The engine is pure: no cluster access, no files, no environment. Whoever reads the cluster
 * (lib/live) and generated/ (lib/io) hands the objects in; reports format the findings.
 */
import type { KubeObject, ResourceRef } from '../model/resource.ts';

/**
 * - `modified`: desired and live both exist and differ (see `changes`).
 * - `missing`: desired, not on the cluster.
 * - `orphaned`: on the cluster, labelled `app.kubernetes.io/managed-by: tenantctl`, not desired.
 * - `unmanaged`: on the cluster in a tenant namespace, not ours, not made by a controller.
 * - `policy`: a policy violation on a live object; never produced by detectDrift, reserved for
 *   callers that merge policy results into the same list.
 * - `evidence`: a promise (RPO, RTO, retention, restore test, certificate, replicas) the live
 *   status disproves (lib/evidence); never produced by detectDrift, and never Git's to fix.
 */
export type FindingType = 'modified' | 'missing' | 'orphaned' | 'unmanaged' | 'policy' | 'evidence';

export const FINDING_TYPES: readonly FindingType[] = ['modified', 'missing', 'orphaned', 'unmanaged', 'policy', 'evidence'];

/** Who last wrote a field, from the live object's `metadata.managedFields`. */
export interface ChangedBy {
  /** Field manager, e.g. `kubectl-edit`, `kube-controller-manager`, `tenantctl`. */
  readonly manager: string;
  /** `Apply` (server-side apply) or `Update` (create, update, patch, edit, scale...). */
  readonly operation: string;
  /** When that manager last wrote the object; the server leaves it out for some writes (scale). */
  readonly time?: string;
  /** `scale` or `status` when the write went through a subresource. */
  readonly subresource?: string;
}

/** One field that differs. `desired`/`live` are undefined when the field is absent on that side. */
export interface Change {
  /**
   * Dotted path; list items by key where the list has one, by index otherwise; map keys that are
   * not plain identifiers in JSON quotes:
   * `spec.template.spec.containers[name=odoo].env[name=LOG_LEVEL].value`, `spec.routes[2].match`,
   * `metadata.labels["app.kubernetes.io/name"]`.
   */
  readonly path: string;
  /** Desired value after defaulting (built-in and CRD defaults), or undefined. Secrets: a keyed digest or `<hidden>`. */
  readonly desired: unknown;
  /** Live value, or undefined. Secrets: a keyed digest or `<hidden>`. */
  readonly live: unknown;
  /** The manager owning the live field; absent when nobody owns it (e.g. the field was removed). */
  readonly changedBy?: ChangedBy;
}

/** One identity for an object (lib/model/resource.ts). */
export type DriftResource = ResourceRef;

export interface DriftFinding {
  readonly type: FindingType;
  readonly tenant?: string;
  readonly environment?: string;
  readonly resource: DriftResource;
  /** `modified` only; sorted by path. */
  readonly changes?: readonly Change[];
  /** `orphaned`/`unmanaged`: the manager that created the object (oldest managedFields entry). */
  readonly createdBy?: ChangedBy;
  /**
   * `modified` objects that are not in generated/ but made by a controller from ours (the Secret
   * of an ExternalSecret): its first owner. Their changes have no desired value: what a person
   * wrote over the controller's output.
   */
  readonly derivedFrom?: { readonly kind: string; readonly name: string };
  /** `policy` only: which policy the live object breaks, and how. */
  readonly policy?: PolicyViolation;
}

/** A policy finding on a live object (see lib/policy), as the audit report carries it. */
export interface PolicyViolation {
  /** Policy id, e.g. `security/run-as-non-root`. */
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Field inside the object, when the policy names one. */
  readonly path?: string;
  /** How to fix it, in the tenant file's or the cluster's terms. */
  readonly fix?: string;
}

/** A JSON (OpenAPI v3) schema node, as found in a CRD. */
export type SchemaNode = { readonly [keyword: string]: unknown };

/**
 * One version of a CustomResourceDefinition. `lib/validate/registry.ts` CrdVersion fits, so
 * `readSchemaSource().crds` can be passed as is.
 */
export interface CrdSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `spec.versions[].schema.openAPIV3Schema`. */
  readonly schema: SchemaNode;
}

/**
 * Drops findings or changes, like Argo CD's ignoreDifferences. Resource selectors (`group`,
 * `kind`, `namespace`, `name`) are exact or globs with `*`; unset selectors match anything.
 * With neither `paths` nor `managers` the rule drops whole findings of the matching resources.
 */
export interface IgnoreRule {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Only findings of these types. @default every type */
  readonly types?: readonly FindingType[];
  /**
   * Change paths to drop, in the Change.path syntax; a pattern drops the path and everything
   * under it. `*` stands for one field, `[*]` for any list item: `spec.template.spec.containers[*].image`.
   */
  readonly paths?: readonly string[];
  /** Drop changes whose changedBy.manager is one of these (globs with `*`), e.g. `vpa-updater`. */
  readonly managers?: readonly string[];
  /** Why; for reports and reviewers, not used by the engine. */
  readonly reason?: string;
}

/** Extra field-manager names for attribution (added to the built-in lists, case-insensitive globs). */
export interface ManagerRules {
  /** People's tools: their live-only fields are drift. Built in: kubectl*, k9s, Lens, headlamp, dashboards. */
  readonly humans?: readonly string[];
  /** Controllers: fields only they own are not drift unless desired declares them. */
  readonly controllers?: readonly string[];
  /**
   * Managers that apply generated/ (tenantctl itself, or the GitOps controller that syncs it).
   * A live-only field they own through server-side `Apply` was removed from generated/ and not
   * yet pruned: drift. @default ['tenantctl', 'argocd-controller', 'kustomize-controller']
   */
  readonly appliers?: readonly string[];
}

export interface DetectDriftInput {
  /** Objects that should exist (generated/ for one cluster). */
  readonly desired: readonly KubeObject[];
  /** Objects read from the cluster, with metadata.managedFields (kubectl `--show-managed-fields`). */
  readonly live: readonly KubeObject[];
  /** CRD schemas, for CRD defaults and list keys of custom resources. @default none */
  readonly crds?: readonly CrdSchema[];
  readonly ignore?: readonly IgnoreRule[];
  readonly managers?: ManagerRules;
  /** Namespaces named with this prefix count as tenant namespaces. @default 'tenant-' */
  readonly tenantNamespacePrefix?: string;
  /**
   * The cluster's Namespace objects, when `desired` and `live` hold only some kinds: the auditor
   * compares kind by kind so that one kind's managedFields are freed before the next is listed.
   * Used for tenant and environment labels and to tell tenant namespaces.
   * @default the Namespaces found in desired and live
   */
  readonly namespaces?: { readonly desired: readonly KubeObject[]; readonly live: readonly KubeObject[] };
  /**
   * Key of the HMAC-SHA-256 digests secret values are reported as (the caller reads it, e.g. from
   * TENANTCTL_DIGEST_KEY). Without one, changed secret values are reported as `<hidden>`.
   */
  readonly digestKey?: string;
}
