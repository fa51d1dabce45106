/**
 * Runs every policy over one or more clusters and returns findings as data, waivers applied.
 * The CLI (CI on generated/) and the auditor (live objects) both call `runPolicies`.
 */
import { EVIDENCE_CHECKS, evidenceId } from '../evidence/types.ts';
import { findingOrder } from '../model/finding-order.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import type { KubeObject } from '../model/resource.ts';
import { backupPolicies } from './backups.ts';
import { capacityPolicies } from './capacity.ts';
import { ingressPolicies } from './ingress.ts';
import { isolationPolicies } from './isolation.ts';
import { labelPolicies } from './labels.ts';
import { refOf, tenancyOf } from './objects.ts';
import { residencyPolicies } from './residency.ts';
import { riskyChangePolicies } from './risky-changes.ts';
import { resiliencePolicies } from './resilience.ts';
import { securityPolicies } from './security.ts';
import type { TierRegistry } from '../tier/tier.ts';
import type { Finding, Policy, PolicyContext, PolicyTiers, Violation } from './types.ts';
import { applyWaivers, waiverSources, WAIVER_EXPIRED, WAIVER_UNKNOWN_POLICY } from './waivers.ts';

export type { ClusterInfo, Finding, Policy, PolicyContext, ResourceRef, Severity, Violation, Waived } from './types.ts';

/** Every policy, in report order. */
export const POLICIES: readonly Policy[] = [
  ...securityPolicies,
  ...isolationPolicies,
  ...ingressPolicies,
  ...resiliencePolicies,
  ...backupPolicies,
  ...residencyPolicies,
  ...capacityPolicies,
  ...labelPolicies,
  ...riskyChangePolicies,
];

/** Rules that come from the engine itself rather than a policy, for SARIF and documentation. */
export const ENGINE_RULES: ReadonlyArray<Pick<Policy, 'id' | 'severity' | 'description' | 'fix'>> = [
  { id: WAIVER_EXPIRED, severity: 'error', description: 'A waiver in a tenant file is past its expiry date.', fix: 'fix what the waiver covered and remove it, or renew it with a new expiry date' },
  { id: WAIVER_UNKNOWN_POLICY, severity: 'warning', description: 'A waiver in a tenant file names no known policy.', fix: 'use the id of an existing policy' },
  { id: 'policy/failed', severity: 'error', description: 'A policy could not run on the objects (a bug or an object it cannot read).', fix: 'report the message; the objects were not checked by that policy' },
];

export interface RunOptions {
  /** `YYYY-MM-DD`: waivers that expired before this day no longer apply. No hidden clock. */
  readonly today: string;
  /** @default POLICIES */
  readonly policies?: readonly Policy[];
}

/** The first environment of each tenant, per environment list: `environments.find` for every finding is quadratic. */
const firstByTenant = new WeakMap<readonly TenantEnvironment[], Map<string, TenantEnvironment>>();

function firstEnvironmentOf(environments: readonly TenantEnvironment[], tenant: string | undefined): TenantEnvironment | undefined {
  let index = firstByTenant.get(environments);
  if (!index) {
    index = new Map();
    for (const e of environments) if (!index.has(e.tenant.name)) index.set(e.tenant.name, e);
    firstByTenant.set(environments, index);
  }
  return tenant === undefined ? undefined : index.get(tenant);
}

function toFinding(policy: Policy, ctx: PolicyContext, v: Violation, environments: readonly TenantEnvironment[]): Finding {
  const t = v.object ? tenancyOf(ctx, v.object) : {};
  const tenant = v.tenant ?? t.tenant;
  const environment = v.environment ?? t.environment;
  const tenantFile = (t.env ?? firstEnvironmentOf(environments, tenant))?.tenant.file;
  const resource = v.object ? refOf(v.object) : (v.resource ?? { apiVersion: 'tenantctl.io/v1', kind: 'Cluster', name: ctx.cluster.name });
  const file = v.object ? ctx.files?.get(v.object) : undefined;
  return {
    policy: policy.id,
    severity: policy.severity,
    resource,
    cluster: ctx.cluster.name,
    ...(tenant ? { tenant } : {}),
    ...(environment ? { environment } : {}),
    ...(tenantFile ? { tenantFile } : {}),
    ...(file ? { file } : {}),
    ...(v.path ? { path: v.path } : {}),
    message: v.message,
    fix: v.fix ?? policy.fix,
  };
}

function failed(policy: Policy, ctx: PolicyContext | undefined, error: unknown): Finding {
  return {
    policy: 'policy/failed',
    severity: 'error',
    resource: { apiVersion: 'tenantctl.io/v1', kind: 'Cluster', name: ctx?.cluster.name ?? 'fleet' },
    cluster: ctx?.cluster.name,
    message: `policy ${policy.id} failed: ${error instanceof Error ? error.message : String(error)}`,
    fix: 'report this; the objects were not checked by that policy',
  };
}

/** What policies read of each tier (no templates: it can cross threads). */
export function policyTiers(tiers: TierRegistry): PolicyTiers {
  return Object.fromEntries(Object.entries(tiers).map(([name, t]) => [name, { name: t.name, dataPlane: t.dataPlane, defaults: t.defaults, floors: t.floors, ...(t.evidence ? { evidence: t.evidence } : {}) }]));
}

/** Policy findings in the one finding order (lib/model/finding-order.ts): errors first. */
const compareFindings = findingOrder((f: Finding) => ({
  severity: f.severity, cluster: f.cluster, tenant: f.tenant, environment: f.environment, resource: f.resource, rule: f.policy, path: f.path, message: f.message,
}));

/** All findings of all policies on the given clusters, waivers applied, sorted (errors first). */
export function runPolicies(ctx: PolicyContext | readonly PolicyContext[], options: RunOptions): Finding[] {
  checkToday(options.today);
  const contexts: readonly PolicyContext[] = Array.isArray(ctx) ? ctx : [ctx as PolicyContext];
  const policies = options.policies ?? POLICIES;
  const environments = policyEnvironments(contexts);
  const findings: Finding[] = [];
  for (const c of contexts) for (const f of clusterFindings(c, policies, environments)) findings.push(f);
  for (const f of fleetFindings(contexts, policies, environments)) findings.push(f);
  return settleFindings(findings, environments, options);
}

/*
 * runPolicies in three steps, for callers that hold each cluster's objects in another thread
 * (lib/validate/check-tree.ts): the findings of each cluster where its objects are, the fleet checks
 * where the objects they look at (`Policy.fleetObjects`) were gathered, then waivers and order.
 * Concatenated in the order of runPolicies' contexts, the steps give exactly its result.
 */

function checkToday(today: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`runPolicies: today must be YYYY-MM-DD, got "${today}"`);
}

/** The tenant environments findings are attributed with: those of every context, once each. */
export function policyEnvironments(contexts: readonly PolicyContext[]): TenantEnvironment[] {
  const seen = new Map<string, TenantEnvironment>();
  for (const c of contexts) for (const e of c.environments ?? []) seen.set(`${e.tenant.name}/${e.name}`, e);
  return [...seen.values()];
}

/** The findings of every policy's per-cluster check on one cluster, before waivers. */
export function clusterFindings(c: PolicyContext, policies: readonly Policy[], environments: readonly TenantEnvironment[]): Finding[] {
  const findings: Finding[] = [];
  for (const policy of policies) {
    try {
      for (const v of policy.check(c)) findings.push(toFinding(policy, c, v, environments));
    } catch (error) {
      findings.push(failed(policy, c, error));
    }
  }
  return findings;
}

/**
 * The findings of the fleet-wide checks, before waivers. Each context may hold only the objects
 * that the policies' `fleetObjects` select (all of them, for a policy without it).
 */
export function fleetFindings(contexts: readonly PolicyContext[], policies: readonly Policy[], environments: readonly TenantEnvironment[]): Finding[] {
  const findings: Finding[] = [];
  let homes: Map<KubeObject, PolicyContext> | undefined;
  const homeOf = (obj: KubeObject): PolicyContext | undefined => {
    if (!homes) {
      homes = new Map();
      for (const c of contexts) for (const o of c.objects) if (!homes.has(o)) homes.set(o, c);
    }
    return homes.get(obj);
  };
  for (const policy of policies) {
    if (!policy.checkFleet) continue;
    try {
      for (const v of policy.checkFleet(contexts)) {
        // The first context holding the object, as `contexts.find((c) => c.objects.includes(v.object))`.
        const home = (v.object && homeOf(v.object)) ?? contexts[0];
        findings.push(toFinding(policy, home, v, environments));
      }
    } catch (error) {
      findings.push(failed(policy, undefined, error));
    }
  }
  return findings;
}

/** Findings of all clusters and the fleet, waivers applied, sorted (errors first): runPolicies' last step. */
export function settleFindings(findings: Finding[], environments: readonly TenantEnvironment[], options: RunOptions): Finding[] {
  checkToday(options.today);
  const policies = options.policies ?? POLICIES;
  // Evidence checks (`tenantctl audit`) are waived in the same tenant-file list.
  const ids = new Set([...policies.map((p) => p.id), ...POLICIES.map((p) => p.id), ...EVIDENCE_CHECKS.map(evidenceId)]);
  return applyWaivers(findings, waiverSources(environments), { today: options.today, policyIds: ids }).sort(compareFindings);
}

export interface FindingCounts {
  readonly errors: number;
  readonly warnings: number;
  readonly waived: number;
}

/** Counts that decide the exit code: waived findings never count as errors or warnings. */
export function countFindings(findings: readonly Finding[]): FindingCounts {
  let errors = 0;
  let warnings = 0;
  let waived = 0;
  for (const f of findings) {
    if (f.waived) waived++;
    else if (f.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings, waived };
}
