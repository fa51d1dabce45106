/**
 * A tenant environment after defaults and placement: the unit a tier template renders.
 * Everything here is resolved (no optional settings left), so templates never guess.
 */
import type { Cluster, Fleet, Region } from '../fleet/schema.ts';
import type { EgressRule, Waiver } from '../tenant/schema.ts';

export interface Tenant {
  readonly name: string;
  readonly displayName: string;
  /** Tier of the tenant as a whole; environments may differ (hybrid). */
  readonly tier: string;
  readonly region: string;
  readonly file: string;
  readonly owner: string;
  readonly costCenter: string;
  readonly egress: readonly EgressRule[];
  readonly waivers: readonly Waiver[];
}

export interface OdooSettings {
  readonly version: '17.0' | '18.0' | '19.0';
  readonly edition: 'community' | 'enterprise';
  readonly image: string;
  readonly addons: readonly string[];
  readonly workers: number;
  readonly cronThreads: number;
  readonly replicas: number;
  readonly maxReplicas: number;
}

export interface DatabaseSettings {
  readonly storage: string;
  readonly instances: number;
  readonly postgres: 15 | 16 | 17;
}

export interface BackupSettings {
  readonly rpoMinutes: number;
  readonly rtoMinutes: number;
  readonly retentionDays: number;
  /** Region that receives the cross-region copy, when there is one. */
  readonly crossRegion?: string;
  readonly immutable: boolean;
}

export interface MaintenanceWindow {
  readonly day: string;
  readonly start: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

export interface IngressSettings {
  readonly rateLimit: { readonly average: number; readonly burst: number };
  readonly adminAllowList: readonly string[];
  readonly maxUploadMb: number;
}

export interface TenantEnvironment {
  readonly tenant: Tenant;
  readonly name: string;
  readonly tier: string;
  readonly cluster: Cluster;
  readonly region: Region;
  /** Object storage of the cross-region backup target, when the tenant has one. */
  readonly crossRegion?: { readonly name: string; readonly region: Region };
  readonly namespace: string;
  readonly domains: readonly string[];
  readonly odoo: OdooSettings;
  readonly database: DatabaseSettings;
  readonly redis: { readonly enabled: boolean; readonly memory: string };
  readonly backup: BackupSettings;
  readonly maintenance: MaintenanceWindow;
  readonly ingress: IngressSettings;
  readonly fleet: Fleet;
}

/** `tenant-<tenant>-<environment>`: one namespace per tenant environment. */
export function namespaceFor(tenant: string, environment: string): string {
  return `tenant-${tenant}-${environment}`;
}
