/**
 * The vocabulary of adoption: a drift pull request can make Git agree with the cluster instead of
 * the other way round, by writing the live value of a drifted field into the tenant file setting
 * that renders it. Mapping (mapping.ts) decides which edits to make; edit-source.ts makes them.
 */
import type { ChangedBy, DriftFinding, DriftResource } from '../drift/types.ts';

/** Path of a setting inside the tenant file's object, e.g. `['environments', 'production', 'replicas']`. */
export type SettingPath = readonly (string | number)[];

/** The drifted field an adoption takes its value from. */
export interface AdoptionSource {
  readonly resource: DriftResource;
  /** Tenant environment the object belongs to. */
  readonly environment: string;
  /** Change path in the drift engine's syntax, e.g. `spec.template.spec.containers[name=odoo].image`. */
  readonly path: string;
  readonly desired: unknown;
  readonly live: unknown;
  readonly changedBy?: ChangedBy;
}

/** One edit of a tenant file: set `setting` to `value`, so the next synth renders the live value. */
export interface Adoption {
  readonly tenant: string;
  /** The environment whose drift asked for the edit (the first one when several agree). */
  readonly environment: string;
  /** Repository-relative tenant file, e.g. `tenants/acme.ts`. */
  readonly file: string;
  readonly setting: SettingPath;
  /** A plain JSON value: number, string, string list, or an object of those (`ingress.rateLimit`). */
  readonly value: unknown;
  readonly from: AdoptionSource;
  /**
   * Further drifted fields the same edit adopts: the image of the cron Deployment besides the web
   * one's, or the same tenant-wide value drifted in several environments. Empty when there are none.
   */
  readonly alsoFrom: readonly AdoptionSource[];
}

/** A finding, or one change of it, that no tenant setting can reproduce; `reason` says why. */
export interface NotAdoptable {
  readonly finding: DriftFinding;
  /** The change path; absent when the whole finding is meant (missing, orphaned, ...). */
  readonly path?: string;
  readonly reason: string;
}

/** Every finding of a drift report accounted for: adopted by an edit, or refused with a reason. */
export interface AdoptionPlan {
  readonly adoptions: Adoption[];
  readonly notAdoptable: NotAdoptable[];
}
