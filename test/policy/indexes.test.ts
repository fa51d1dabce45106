import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/model/resource.ts';
import { clusterFindings, fleetFindings, POLICIES, policyEnvironments, runPolicies, settleFindings, type Finding, type PolicyContext } from '../../lib/policy/engine.ts';
import { selectKinds, tenancyOf } from '../../lib/policy/objects.ts';
import { TODAY } from './fixtures.ts';
import { scenarios } from './scan-scenarios.ts';

interface Pinned {
  readonly findings: number;
  readonly byPolicy: Record<string, number>;
  readonly sha256: string;
}

/** What the engine gave when every policy scanned every object (see scan-scenarios.ts). */
const SCANNED = JSON.parse(readFileSync(new URL('./scan-findings.json', import.meta.url), 'utf8')) as Record<string, Pinned>;

/** runPolicies' findings before waivers and order: each cluster's, then the fleet's. */
function unsorted(contexts: readonly PolicyContext[]): Finding[] {
  const environments = policyEnvironments(contexts);
  return [...contexts.flatMap((c) => clusterFindings(c, POLICIES, environments)), ...fleetFindings(contexts, POLICIES, environments)];
}

function pin(findings: readonly Finding[]): Pinned {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.policy, (counts.get(f.policy) ?? 0) + 1);
  return {
    findings: findings.length,
    byPolicy: Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
    sha256: createHash('sha256').update(JSON.stringify(findings)).digest('hex'),
  };
}

describe('policy indexes', () => {
  it('covers every policy in the scenarios', () => {
    const fired = new Set(Object.values(SCANNED).flatMap((p) => Object.keys(p.byPolicy)));
    expect([...fired].sort()).toEqual(POLICIES.map((p) => p.id).sort());
  });

  for (const { name } of scenarios()) {
    it(`indexes give the same findings as scanning every object: ${name}`, () => {
      const { contexts } = scenarios().find((s) => s.name === name)!;
      const found = unsorted(contexts);
      // Same content in the same order, before sorting: the counts say which policy differs, the digest that something does.
      expect(pin(found)).toEqual(SCANNED[name]);
      expect(runPolicies(scenarios().find((s) => s.name === name)!.contexts, { today: TODAY })).toEqual(settleFindings(found, policyEnvironments(contexts), { today: TODAY }));
    });
  }

  it('gives the same findings when a context is checked again (remembered facts are not stale or shared)', () => {
    const { contexts } = scenarios().find((s) => s.name === 'every break at once')!;
    const first = JSON.stringify(unsorted(contexts));
    expect(JSON.stringify(unsorted(contexts))).toBe(first);
    // Another list of the same objects: indexes are per list and context, never per object alone.
    const copy = contexts.map((c) => ({ ...c, objects: structuredClone(c.objects) }));
    expect(JSON.stringify(unsorted(copy))).toBe(first);
  });

  it('keeps objects of several kinds in the order of the list they came from', () => {
    const { contexts } = scenarios().find((s) => s.name === 'compliant tenants on two clusters')!;
    const objects = contexts[0].objects;
    const kinds = ['IngressRoute', 'Ingress', 'IngressRouteTCP', 'Schedule', 'ObjectStore'];
    const accept = (o: KubeObject) => o.metadata.namespace !== 'tenant-beta-production';
    const picked = selectKinds(objects, kinds, accept);
    expect(picked.length).toBeGreaterThan(5);
    expect(picked).toEqual(objects.filter((o) => kinds.includes(o.kind) && accept(o)));
  });

  it("reads an object's tenant from its labels, else from the environment of its namespace", () => {
    const { contexts } = scenarios().find((s) => s.name === 'labels broken')!;
    const ctx = contexts[0];
    let unlabelled = 0;
    for (const o of ctx.objects) {
      const label = o.metadata.labels?.['tenantctl.io/tenant'];
      const namespace = o.kind === 'Namespace' ? o.metadata.name : o.metadata.namespace;
      const byNamespace = ctx.environments!.find((e) => e.namespace === namespace && e.cluster.name === ctx.cluster.name)?.tenant.name;
      if (!label && byNamespace) unlabelled++;
      expect(tenancyOf(ctx, o).tenant).toBe(label ?? byNamespace);
    }
    expect(unlabelled).toBeGreaterThan(0);
  });
});
