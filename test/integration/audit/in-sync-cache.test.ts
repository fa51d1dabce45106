/**
 * The auditor's in-sync records end to end (lib/audit/in-sync.ts): a git repository holding the
 * example fleet's eu-central-1, applied to a real kube-apiserver. After one audit, the next one
 * of the same commit compares only objects written since; whatever kubectl changes, deletes or
 * makes by hand in between, its report is the report of a full audit (`--no-cache`).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { auditCommand } from '../../../lib/cli/commands/audit.ts';
import type { AuditReport } from '../../../lib/audit/types.ts';
import type { KubeObject } from '../../../lib/model/resource.ts';
import { REPO_ROOT } from '../../control-plane/control-plane.ts';
import { auditOptions, fleetRepository, startLiveFleet, type FleetRepository, type LiveFleet } from './live-fleet.ts';

const CLUSTER = 'eu-central-1';
let fleet: LiveFleet;
let repo: FleetRepository;
let cacheDir: string;
const previousCacheDir = process.env.TENANTCTL_CACHE_DIR;

async function audit(cache = true, today?: string): Promise<{ report: AuditReport; progress: string[] }> {
  const progress: string[] = [];
  const { report } = await auditCommand(auditOptions(fleet, CLUSTER, { root: repo.root, cache, ...(today ? { today } : {}), progress: (line) => progress.push(line) }));
  return { report, progress };
}

/** Objects the progress lines say were neither parsed nor compared. */
function unchanged(progress: readonly string[]): number {
  return progress.reduce((n, l) => n + Number(/, (\d+) in sync and unwritten since the last audit$/.exec(l)?.[1] ?? 0), 0);
}

const policiesReused = (progress: readonly string[]) => progress.some((l) => /: policies: \d+ findings of the last audit/.test(l));
const records = () => readdirSync(join(cacheDir, 'tenantctl', 'in-sync'));

/** A desired object of generated/<cluster>/ in a tenant namespace, of `kind`. */
function desiredOfKind(kind: string): KubeObject {
  const dir = join(REPO_ROOT, 'generated', CLUSTER);
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.yaml')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (!new RegExp(`^kind: ${kind}$`, 'm').test(text) || !/^ {2}namespace: tenant-/m.test(text)) continue;
    return parse(text) as KubeObject;
  }
  throw new Error(`no ${kind} in a tenant namespace of generated/${CLUSTER}`);
}

beforeAll(async () => {
  fleet = await startLiveFleet(CLUSTER);
  // Only now: the control plane's binaries are cached under the same root.
  cacheDir = mkdtempSync(join(tmpdir(), 'tenantctl-cache-'));
  process.env.TENANTCTL_CACHE_DIR = cacheDir;
  repo = fleetRepository(CLUSTER);
}, 240_000);

afterAll(async () => {
  if (previousCacheDir === undefined) delete process.env.TENANTCTL_CACHE_DIR;
  else process.env.TENANTCTL_CACHE_DIR = previousCacheDir;
  repo?.remove();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  await fleet?.stop();
});

describe('the auditor\'s in-sync records', () => {
  it('let the next audit of the same commit skip every object not written since, with the report of a full audit', async () => {
    const first = await audit();
    expect(unchanged(first.progress)).toBe(0);
    expect(records()).toHaveLength(1);
    const desired = first.report.clusters[0].objects!.desired;

    const nightly = await audit();
    // Everything but the Namespaces (compared before any kind, always in full).
    expect(unchanged(nightly.progress)).toBeGreaterThan(desired * 0.8);
    expect(policiesReused(nightly.progress)).toBe(true);
    expect(nightly.report).toEqual(first.report);
    expect((await audit(false)).report).toEqual(first.report);
  });

  it('compares an object kubectl changed since the last audit, and names who changed it, as a full audit does', async () => {
    const cm = desiredOfKind('ConfigMap');
    fleet.kubectl(['patch', 'configmap', cm.metadata.name, '-n', cm.metadata.namespace!, '--type', 'merge', '-p', JSON.stringify({ data: { 'in-sync-test': 'edited by hand' } })]);
    const cached = await audit();
    const finding = cached.report.clusters[0].findings.find((f) => f.type === 'modified' && f.resource.kind === 'ConfigMap' && f.resource.name === cm.metadata.name);
    expect(finding?.changes).toEqual([expect.objectContaining({ path: 'data.in-sync-test', changedBy: expect.objectContaining({ manager: 'kubectl-patch' }) })]);
    expect(cached.report).toEqual((await audit(false)).report);
    // The drifted object stays compared on every audit until it is repaired.
    const again = await audit();
    expect(again.report).toEqual(cached.report);
  });

  it('reports an object deleted and one made by hand since the last audit, with the policies judged again', async () => {
    const before = await audit();
    const policy = desiredOfKind('NetworkPolicy');
    fleet.kubectl(['delete', 'networkpolicy', policy.metadata.name, '-n', policy.metadata.namespace!]);
    fleet.kubectl(['create', 'service', 'loadbalancer', 'by-hand', '-n', policy.metadata.namespace!, '--tcp', '80:8069']);

    const cached = await audit();
    expect(policiesReused(cached.progress)).toBe(false);
    const findings = cached.report.clusters[0].findings;
    expect(findings).toContainEqual(expect.objectContaining({ type: 'missing', resource: expect.objectContaining({ kind: 'NetworkPolicy', name: policy.metadata.name }) }));
    expect(findings).toContainEqual(expect.objectContaining({ type: 'unmanaged', resource: expect.objectContaining({ kind: 'Service', name: 'by-hand' }) }));
    expect(findings.filter((f) => f.type === 'policy').length).toBeGreaterThan(before.report.clusters[0].findings.filter((f) => f.type === 'policy').length);
    expect(cached.report).toEqual((await audit(false)).report);
  });

  it('does not use a damaged record: compares everything, with the same report, and writes a whole record again', async () => {
    const expected = (await audit()).report;
    const file = join(cacheDir, 'tenantctl', 'in-sync', records()[0]);
    const bytes = readFileSync(file);
    const damaged = Buffer.from(bytes);
    const at = Math.floor(bytes.length / 2);
    damaged[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
    writeFileSync(file, damaged);

    const rebuilt = await audit();
    expect(unchanged(rebuilt.progress)).toBe(0);
    expect(policiesReused(rebuilt.progress)).toBe(false);
    expect(rebuilt.report).toEqual(expected);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(unchanged((await audit()).progress)).toBeGreaterThan(0);
  });

  it('reuses the policy findings on a later day when no waiver expired in between, and judges again once one did', async () => {
    const file = join(repo.root, 'tenants', 'helix.ts');
    const waiver = "  waivers: [{ policy: 'labels/required', reason: 'labels come with the next release', owner: 'team-regulated', expires: '2026-11-30' }],\n});\n";
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\}\);\s*$/, waiver));
    repo.git(['commit', '-q', '-am', 'helix: a waiver until 2026-11-30']);
    expect(policiesReused((await audit(true, '2026-11-24')).progress)).toBe(false);
    expect(policiesReused((await audit(true, '2026-11-29')).progress)).toBe(true);
    const expired = await audit(true, '2026-12-01');
    expect(policiesReused(expired.progress)).toBe(false);
    expect(expired.report).toEqual((await audit(false, '2026-12-01')).report);
  });

  it('is neither read nor written with --no-cache', async () => {
    rmSync(join(cacheDir, 'tenantctl', 'in-sync'), { recursive: true, force: true });
    const full = await audit(false);
    expect(unchanged(full.progress)).toBe(0);
    expect(() => records()).toThrow();
  });
});
