/**
 * From drift findings to tenant-file edits that adopt the live values ("merge to adopt" in a drift
 * pull request). Pure: the caller hands in findings, the compiled environments and, optionally,
 * the tenant files' values; edit-source.ts applies the result to the files' text.
 *
 * An edit never changes an environment whose live state did not ask for it: a setting goes where
 * the environment's value comes from (lib/tenant/resolve.ts), an override is added rather than a
 * value shared with other environments changed, and a tenant-wide setting (image, ingress, backup)
 * is adopted only when every environment it reaches already has, or asks for, the same value.
 */
import type { Change, DriftFinding } from '../drift/types.ts';
import type { TenantEnvironment } from '../model/environment.ts';
import { keyOfRef, uniqueKey } from '../model/resource.ts';
import type { TenantSpec } from '../tenant/schema.ts';
import type { TierRegistry } from '../tier/tier.ts';
import type { GitOpsEngine } from '../model/gitops-engine.ts';
import { outcomesFor } from './rules.ts';
import { locateSetting, othersChanged, rejectValue, sameValue, type SettingName, unreachable } from './settings.ts';
import type { Adoption, AdoptionPlan, AdoptionSource, NotAdoptable, SettingPath } from './types.ts';

export type { Adoption, AdoptionPlan, AdoptionSource, NotAdoptable, SettingPath } from './types.ts';

/** What adoptionsFor needs besides findings and environments, to place edits precisely. */
export interface AdoptOptions {
  /**
   * Tenant files' values (their default export) by repository-relative file, to tell a
   * tenant-level value from an environment override. Without a file's value, settings an
   * environment can override are written as overrides of that environment.
   * @default none
   */
  readonly specs?: ReadonlyMap<string, TenantSpec>;
  /** Tier registry, for ceilings and data planes: the compiled fleet's (`compiled.templates.tiers`). */
  readonly tiers: TierRegistry;
  /** The GitOps engine of the findings' cluster: some adoptions settle only on one (lib/adopt/rules.ts webReplicas). @default unknown */
  readonly engine?: GitOpsEngine;
}

/** One candidate edit, before candidates for the same setting are merged. */
interface Entry {
  readonly env: TenantEnvironment;
  readonly finding: DriftFinding;
  readonly change: Change;
  readonly setting: SettingName;
  readonly path: SettingPath;
  readonly tenantWide: boolean;
  readonly value: unknown;
}

const changeKey = (finding: DriftFinding, change: Change) => `${uniqueKey(keyOfRef(finding.resource))}\0${change.path}`;

function sourceOf(e: Entry): AdoptionSource {
  const { finding, change } = e;
  return { resource: finding.resource, environment: e.env.name, path: change.path, desired: change.desired, live: change.live, ...(change.changedBy ? { changedBy: change.changedBy } : {}) };
}

function describe(e: Entry): string {
  return `${JSON.stringify(e.value)} from ${e.finding.resource.kind} ${e.finding.resource.name} ${e.change.path} in ${e.env.name}`;
}

function environmentOf(finding: DriftFinding, environments: readonly TenantEnvironment[]): TenantEnvironment | undefined {
  return environments.find((e) => e.tenant.name === finding.tenant && e.name === finding.environment) ??
    (finding.tenant === undefined ? environments.find((e) => e.namespace === finding.resource.namespace) : undefined);
}

/**
 * The edits that make the tenant files render the live values of `findings`, and for every
 * other finding or change the reason it cannot be adopted. `environments` are the compiled
 * tenant environments (all of them: a tenant-wide edit is checked against its other environments).
 */
export function adoptionsFor(findings: readonly DriftFinding[], environments: readonly TenantEnvironment[], options: AdoptOptions): AdoptionPlan {
  const { tiers } = options;
  const notAdoptable: NotAdoptable[] = [];
  const refuse = (finding: DriftFinding, path: string | undefined, reason: string) => {
    if (!notAdoptable.some((n) => n.finding === finding && n.path === path && n.reason === reason)) notAdoptable.push({ finding, ...(path !== undefined ? { path } : {}), reason });
  };
  const groups = new Map<string, Entry[]>();

  for (const finding of findings) {
    if (finding.type !== 'modified' || !finding.changes?.length) {
      refuse(finding, undefined, `${/^[aeiou]/.test(finding.type) ? 'an' : 'a'} ${finding.type} object cannot be adopted: only changed fields of objects tenantctl renders map to tenant settings`);
      continue;
    }
    const env = environmentOf(finding, environments);
    if (!env) {
      for (const c of finding.changes) refuse(finding, c.path, `no compiled tenant environment ${finding.tenant ?? '?'}/${finding.environment ?? '?'} owns ${finding.resource.kind} ${finding.resource.name}`);
      continue;
    }
    const tier = tiers[env.tier];
    const spec = options.specs?.get(env.tenant.file);
    for (const o of outcomesFor(finding, env, tier, options.engine)) {
      const why = o.kind === 'reject' ? o.reason : (rejectValue(o.setting, o.value, tier) ?? unreachable(o.setting, env));
      if (o.kind === 'reject' || why) {
        refuse(finding, o.change.path, why!);
        continue;
      }
      const location = locateSetting(o.setting, env, spec);
      const key = `${env.tenant.file}\0${JSON.stringify(location.path)}`;
      const entry: Entry = { env, finding, change: o.change, setting: o.setting, path: location.path, tenantWide: location.tenantWide, value: o.value };
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
  }

  // A change refused anywhere (its image adoptable, its version conflicting) is adopted nowhere.
  const refused = new Set<string>();
  const refuseAll = (entries: readonly Entry[], reason: string) => {
    for (const e of entries) {
      refuse(e.finding, e.change.path, reason);
      refused.add(changeKey(e.finding, e.change));
    }
  };
  for (const entries of groups.values()) {
    const first = entries[0];
    const values = entries.filter((e, i) => entries.findIndex((x) => sameValue(x.value, e.value)) === i);
    if (values.length > 1) {
      refuseAll(entries, `findings disagree on ${first.path.join('.')} in ${first.env.tenant.file}: ${values.map(describe).join('; ')}`);
      continue;
    }
    if (!first.tenantWide) continue;
    const spec = options.specs?.get(first.env.tenant.file);
    const asking = new Set(entries.map((e) => e.env.name));
    const others = othersChanged(first.setting, first.env, first.value, environments, spec).filter((o) => !asking.has(o.name));
    if (others.length > 0) {
      const names = others.map((o) => o.name).join(', ');
      refuseAll(
        entries,
        `${first.path.join('.')} is set once for the whole tenant: adopting ${JSON.stringify(first.value)} would also change ${names}, ` +
          `whose live state does not have it; make the same change there or edit ${first.env.tenant.file} by hand`,
      );
    }
  }

  const adoptions: Adoption[] = [];
  for (const entries of groups.values()) {
    const kept = entries.filter((e) => !refused.has(changeKey(e.finding, e.change)));
    if (kept.length === 0) continue;
    const [first, ...rest] = kept;
    adoptions.push({
      tenant: first.env.tenant.name,
      environment: first.env.name,
      file: first.env.tenant.file,
      setting: first.path,
      value: first.value,
      from: sourceOf(first),
      alsoFrom: rest.map(sourceOf),
    });
  }
  return { adoptions, notAdoptable };
}
