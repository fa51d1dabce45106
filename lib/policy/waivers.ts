/**
 * Waivers from tenant files: a tenant accepts one policy's finding on some of its objects, with
 * a reason, an owner and an expiry date. Waived findings stay in the report, marked, and no
 * longer count as errors. An expired waiver is an error itself, naming the tenant file.
 */
import { globToRegExp } from '../model/glob.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import type { Waiver } from '../tenant/schema.ts';
import type { Finding, ResourceRef } from './types.ts';

export const WAIVER_EXPIRED = 'policy/waiver-expired';
export const WAIVER_UNKNOWN_POLICY = 'policy/waiver-unknown-policy';

export interface WaiverSource {
  readonly tenant: string;
  /** The tenant file, e.g. `tenants/acme.ts`. */
  readonly file: string;
  readonly waivers: readonly Waiver[];
}

/** One source per tenant (its environments share the tenant file's waivers). */
export function waiverSources(environments: readonly TenantEnvironment[]): WaiverSource[] {
  const byTenant = new Map<string, WaiverSource>();
  for (const env of environments) {
    if (!byTenant.has(env.tenant.name)) byTenant.set(env.tenant.name, { tenant: env.tenant.name, file: env.tenant.file, waivers: env.tenant.waivers });
  }
  return [...byTenant.values()].sort((a, b) => a.tenant.localeCompare(b.tenant));
}

function segmentMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  return globToRegExp(pattern).test(value);
}

/**
 * Whether a waiver's object pattern covers a resource: `Kind/namespace/name` (or `Kind/name` for
 * cluster-scoped objects), `*` matching within a segment. No pattern covers every object.
 */
export function objectMatches(pattern: string | undefined, resource: ResourceRef): boolean {
  if (pattern === undefined || pattern === '*') return true;
  const parts = pattern.split('/');
  const values = resource.namespace ? [resource.kind, resource.namespace, resource.name] : [resource.kind, resource.name];
  if (parts.length !== values.length) return false;
  return parts.every((p, i) => segmentMatches(p, values[i]));
}

export function isExpired(waiver: Pick<Waiver, 'expires'>, today: string): boolean {
  return waiver.expires < today;
}

const tenantRef = (tenant: string): ResourceRef => ({ apiVersion: 'tenantctl.io/v1', kind: 'Tenant', name: tenant });

export interface ApplyWaiversOptions {
  /** `YYYY-MM-DD`; waivers expiring before it are expired. */
  readonly today: string;
  /** Ids of known policies; a waiver for another id is reported. Omitted: not checked. */
  readonly policyIds?: ReadonlySet<string>;
}

/** Marks waived findings and adds a finding for each expired (or misnamed) waiver. */
export function applyWaivers(findings: readonly Finding[], sources: readonly WaiverSource[], options: ApplyWaiversOptions): Finding[] {
  const bySource = new Map(sources.map((s) => [s.tenant, s]));
  const out: Finding[] = findings.map((f) => {
    const source = f.tenant ? bySource.get(f.tenant) : undefined;
    const waiver = source?.waivers.find((w) => w.policy === f.policy && !isExpired(w, options.today) && objectMatches(w.object, f.resource));
    return waiver ? { ...f, waived: { reason: waiver.reason, owner: waiver.owner, expires: waiver.expires } } : f;
  });
  for (const s of sources) {
    s.waivers.forEach((w, i) => {
      const what = `waiver of ${w.policy} for ${w.object ?? `every object of ${s.tenant}`}`;
      if (isExpired(w, options.today)) {
        out.push({
          policy: WAIVER_EXPIRED,
          severity: 'error',
          resource: tenantRef(s.tenant),
          tenant: s.tenant,
          tenantFile: s.file,
          file: s.file,
          path: `waivers[${i}].expires`,
          message: `${s.file}: ${what} expired on ${w.expires} (owner ${w.owner})`,
          fix: 'fix what the waiver covered and remove it, or renew it with a new expiry date and an updated reason',
        });
      }
      if (options.policyIds && !options.policyIds.has(w.policy)) {
        out.push({
          policy: WAIVER_UNKNOWN_POLICY,
          severity: 'warning',
          resource: tenantRef(s.tenant),
          tenant: s.tenant,
          tenantFile: s.file,
          file: s.file,
          path: `waivers[${i}].policy`,
          message: `${s.file}: ${what} names no known policy, so it waives nothing`,
          fix: 'use a policy id from `tenantctl validate` output, e.g. security/run-as-non-root',
        });
      }
    });
  }
  return out;
}
