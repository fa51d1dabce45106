import { describe, expect, it } from 'vitest';
import { auditFleet, buildReport, mergeReports, parseShard, selectShard } from '../../lib/audit/fleet.ts';
import { ClusterSetupError } from '../../lib/audit/cluster-errors.ts';
import { ObjectBudget } from '../../lib/audit/object-budget.ts';
import { parseReport, ReportFileError } from '../../lib/audit/read-report.ts';
import { auditExitCode } from '../../lib/cli/audit-output.ts';
import { KubeApiError, KubeTransportError } from '../../lib/live/errors.ts';
import type { AuditFinding } from '../../lib/audit/types.ts';

const clusters = ['c', 'a', 'e', 'b', 'd'].map((name) => ({ name }));
const missing: AuditFinding = { type: 'missing', tenant: 't', environment: 'production', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'tenant-t-production', name: 'odoo' } };

describe('shards', () => {
  it('parses i/n and refuses anything else with the flag and an example', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1-3']) expect(parseShard(bad)).toEqual({ error: expect.stringContaining('--shard 1/3') });
  });

  it('splits the clusters so that every cluster is in exactly one shard, the same one every time', () => {
    const shards = [1, 2, 3].map((index) => selectShard(clusters, { index, count: 3 }).map((c) => c.name));
    expect(shards).toEqual([['a', 'd'], ['b', 'e'], ['c']]);
    expect(shards.flat().sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(selectShard(clusters).map((c) => c.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('auditFleet', () => {
  it('reports a failing cluster as data and still audits the others', async () => {
    const reports = await auditFleet({
      targets: [{ name: 'up', context: 'up' }, { name: 'down', context: 'down' }, { name: 'denied', context: 'denied' }, { name: 'misnamed', context: 'nope' }],
      audit: async (t) => {
        if (t.name === 'down') throw new KubeTransportError('GET', 'https://10.0.0.1:6443/api', 'connect ECONNREFUSED 10.0.0.1:6443');
        if (t.name === 'denied') throw new KubeApiError('GET', '/api/v1/pods', 403, { message: 'pods is forbidden: User "ci" cannot list resource "pods"' }, '');
        if (t.name === 'misnamed') throw new ClusterSetupError('context-not-found', 'context "nope" is not in the kubeconfig', 'add it');
        return { findings: [missing], objects: { desired: 1, live: 0 } };
      },
    });
    expect(reports.map((r) => [r.name, r.status, r.errorDetail?.code])).toEqual([
      ['denied', 'error', 'forbidden'],
      ['down', 'unreachable', 'unreachable'],
      ['misnamed', 'error', 'context-not-found'],
      ['up', 'ok', undefined],
    ]);
    expect(reports[0].error).toContain('tenantctl-auditor');
    expect(reports[3].summary).toEqual({ modified: 0, missing: 1, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 });
    expect(auditExitCode(reports)).toBe(3);
    expect(auditExitCode(reports.filter((r) => r.status === 'ok'))).toBe(1);
    expect(auditExitCode([{ ...reports[3], findings: [] }])).toBe(0);
  });

  it('never audits more clusters at once than the bound', async () => {
    let running = 0;
    let peak = 0;
    await auditFleet({
      targets: Array.from({ length: 9 }, (_, i) => ({ name: `c${i}` })),
      concurrency: 2,
      audit: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { findings: [], objects: { desired: 0, live: 0 } };
      },
    });
    expect(peak).toBe(2);
  });

  it('without a bound, compares at once as many clusters as fit in the object budget, and a cluster larger than the budget alone', async () => {
    const sizes: Record<string, number> = { a: 40, b: 30, c: 50, d: 20, e: 150, f: 10 };
    const inFlight = new Set<string>();
    const seen: string[][] = [];
    await auditFleet({
      targets: Object.keys(sizes).map((name) => ({ name })),
      objectBudget: 100,
      audit: async (t, admit) => {
        const release = await admit!(sizes[t.name]);
        inFlight.add(t.name);
        seen.push([...inFlight].sort());
        await new Promise((r) => setTimeout(r, 5 + sizes[t.name] / 10));
        inFlight.delete(t.name);
        release();
        return { findings: [], objects: { desired: sizes[t.name], live: 0 } };
      },
    });
    const weight = (names: string[]) => names.reduce((n, c) => n + sizes[c], 0);
    for (const names of seen) expect(names.length === 1 || weight(names) <= 100).toBe(true);
    expect(seen).toContainEqual(['a', 'b']); // 70; c (50) waits, and d behind it: first come first served
    expect(seen).toContainEqual(['e']); // larger than the budget: alone
  });

  it('audits every cluster when one fails before it is admitted', async () => {
    const reports = await auditFleet({
      targets: ['a', 'x', 'b'].map((name) => ({ name })),
      objectBudget: 100,
      audit: async (t, admit) => {
        if (t.name === 'x') throw new Error('discovery failed');
        const release = await admit!(60);
        await new Promise((r) => setTimeout(r, 5));
        release();
        return { findings: [], objects: { desired: 60, live: 0 } };
      },
    });
    expect(reports.map((r) => `${r.name} ${r.status}`)).toEqual(['a ok', 'b ok', 'x error']);
  });

  it('begins work only once the work begun before it is admitted and the budget has room; work ended unadmitted lets the next begin', async () => {
    const budget = new ObjectBudget(100);
    const settle = () => new Promise((r) => setTimeout(r, 5));
    const flag = <T,>(p: Promise<T>): { done: boolean; value: Promise<T> } => {
      const f: { done: boolean; value: Promise<T> } = { done: false, value: p };
      f.value = p.then((v) => ((f.done = true), v));
      return f;
    };
    const first = await budget.begin();
    const second = flag(budget.begin());
    await settle();
    expect(second.done).toBe(false); // the first's weight is not known yet
    const releaseFirst = await first.admit(60);
    await settle();
    expect(second.done).toBe(true);
    const third = flag(budget.begin());
    const admitting = (await second.value).admit(50); // 110 > 100: waits for room
    await settle();
    expect(third.done).toBe(false);
    releaseFirst();
    const releaseSecond = await admitting;
    await settle();
    expect(third.done).toBe(true);
    const fourth = flag(budget.begin());
    await settle();
    expect(fourth.done).toBe(false);
    (await third.value).end(); // failed before its weight was known
    await settle();
    expect(fourth.done).toBe(true);
    releaseSecond();
    (await fourth.value).end();
  });

  /**
   * Audits clusters of the given last sizes (undefined: unknown) and weights under a budget of
   * 100; each cluster's start-up takes a few milliseconds before it is admitted. Returns, for each
   * cluster as it began, the clusters begun and not admitted then (itself included).
   */
  async function beginnings(last: Record<string, number | undefined>, weights: Record<string, number> = {}): Promise<string[][]> {
    const starting = new Set<string>();
    const seen: string[][] = [];
    const reports = await auditFleet({
      targets: Object.keys(last).map((name) => ({ name })),
      objectBudget: 100,
      estimate: (t) => {
        if (t.name === 'broken') throw new Error('cache unreadable');
        return last[t.name];
      },
      audit: async (t, admit) => {
        starting.add(t.name);
        seen.push([...starting].sort());
        await new Promise((r) => setTimeout(r, 10)); // discovery, desired state
        const release = await admit!(weights[t.name] ?? last[t.name] ?? 30);
        starting.delete(t.name);
        await new Promise((r) => setTimeout(r, 5));
        release();
        return { findings: [], objects: { desired: 0, live: 0 } };
      },
    });
    expect(reports.every((r) => r.status === 'ok')).toBe(true);
    return seen;
  }

  it('begins every cluster at once when their last sizes fit in the budget', async () => {
    const seen = await beginnings({ a: 25, b: 25, c: 20, d: 30 });
    expect(seen.at(-1)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('begins clusters one at a time when their last sizes do not fit', async () => {
    const seen = await beginnings({ a: 60, b: 55, c: 50, d: 150 });
    expect(seen).toEqual([['a'], ['b'], ['c'], ['d']]);
    // Two that fit together begin together, and the one that does not fit beside them waits.
    expect(await beginnings({ a: 40, b: 40, c: 40 })).toEqual([['a'], ['a', 'b'], ['c']]);
  });

  it('begins one at a time when a cluster\'s last size is unknown', async () => {
    expect(await beginnings({ a: 10, b: undefined, c: 10, d: 10 })).toEqual([['a'], ['b'], ['c'], ['c', 'd']]);
    expect(await beginnings({ a: 10, broken: 10, c: 10 })).toEqual([['a'], ['broken'], ['c']]);
  });

  it('admits a cluster by its real weight once known, whatever its last size was', async () => {
    // Begun together on their last sizes; admitted by what they weigh now (70 + 70 > 100), the
    // second waits for the first, and never more than the budget runs.
    const inFlight = new Set<string>();
    const together: string[][] = [];
    await auditFleet({
      targets: [{ name: 'a' }, { name: 'b' }],
      objectBudget: 100,
      estimate: () => 30,
      audit: async (t, admit) => {
        await new Promise((r) => setTimeout(r, 5));
        const release = await admit!(70);
        inFlight.add(t.name);
        together.push([...inFlight].sort());
        await new Promise((r) => setTimeout(r, 5));
        inFlight.delete(t.name);
        release();
        return { findings: [], objects: { desired: 0, live: 0 } };
      },
    });
    expect(together).toEqual([['a'], ['b']]);
  });

  it('admits by weight first come first served, and releases once however often released', async () => {
    const budget = new ObjectBudget(10);
    const first = await budget.admit(6);
    let second = false;
    const waiting = budget.admit(6).then((r) => ((second = true), r));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    first();
    first();
    const release = await waiting;
    expect(second).toBe(true);
    const small = budget.admit(4);
    expect(await Promise.race([small.then(() => 'admitted'), new Promise((r) => setTimeout(() => r('waiting'), 5))])).toBe('admitted');
    release();
  });
});

describe('reports', () => {
  const header = { generatedAt: '2026-11-23T02:17:00.000Z', gitRef: 'HEAD', gitCommit: 'a'.repeat(40) };
  const ok = (name: string) => ({ name, status: 'ok' as const, summary: { modified: 0, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 }, findings: [] });

  it('merges the reports of several CI jobs into one, clusters sorted', () => {
    const merged = mergeReports([buildReport({ ...header, shard: { index: 2, count: 2 } }, [ok('b')]), buildReport({ ...header, shard: { index: 1, count: 2 } }, [ok('a')])]);
    expect(merged.clusters.map((c) => c.name)).toEqual(['a', 'b']);
    expect(merged.shard).toBeUndefined();
  });

  it('refuses to merge reports of different commits', () => {
    expect(() => mergeReports([buildReport(header, [ok('a')]), buildReport({ ...header, gitCommit: 'b'.repeat(40) }, [ok('b')])])).toThrow(/same commit/);
  });

  it('reads a version 1 report (before recoverability evidence) as version 2 with no evidence counted', () => {
    const v1 = { schemaVersion: 1, generatedAt: 'g', gitRef: 'HEAD', clusters: [{ name: 'a', status: 'ok', summary: { modified: 1, missing: 0, orphaned: 0, unmanaged: 0, policy: 0 }, findings: [] }] };
    const read = parseReport(JSON.stringify(v1), 'old.json');
    expect(read.schemaVersion).toBe(2);
    expect(read.clusters[0].summary).toEqual({ modified: 1, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 });
  });

  it('reads back what it writes, and names the file and the fix for anything else', () => {
    const report = buildReport(header, [ok('a')]);
    expect(parseReport(JSON.stringify(report), 'r.json')).toEqual(report);
    expect(() => parseReport('{', 'r.json')).toThrow(ReportFileError);
    expect(() => parseReport('{"schemaVersion": 3, "clusters": []}', 'r.json')).toThrow(/r\.json: schemaVersion 3 is not supported/);
    expect(() => parseReport('[]', 'r.json')).toThrow(/tenantctl audit --format json/);
  });
});
