/**
 * The audit's desired-state cache end to end: a git repository holding the example fleet's
 * eu-central-1, audited against a real kube-apiserver where it was applied. The nightly audit of
 * the same commit takes generated/ from the cache (keyed by generated/<cluster>'s git tree), a
 * damaged entry is rebuilt, a commit that changes generated/ misses, and two audits at once
 * with an empty cache both succeed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { auditCommand } from '../../../lib/cli/commands/audit.ts';
import type { AuditReport } from '../../../lib/audit/types.ts';
import { REPO_ROOT } from '../../control-plane/control-plane.ts';
import { auditOptions, fleetRepository, startLiveFleet, type FleetRepository, type LiveFleet } from './live-fleet.ts';

const CLUSTER = 'eu-central-1';
let fleet: LiveFleet;
let fleetRepo: FleetRepository;
let repo: string;
let cacheDir: string;
const previousCacheDir = process.env.TENANTCTL_CACHE_DIR;
const git = (args: readonly string[]) => fleetRepo.git(args);

/** One audit of the cluster, in this process, with the lines it reports on its progress. */
async function audit(ref?: string): Promise<{ report: AuditReport; exitCode: number; progress: string[] }> {
  const progress: string[] = [];
  const { report, exitCode } = await auditCommand(auditOptions(fleet, CLUSTER, { root: repo, ...(ref ? { ref } : {}), progress: (line) => progress.push(line) }));
  return { report, exitCode, progress };
}

const desiredFrom = (progress: readonly string[]) => progress.find((l) => l.startsWith(`${CLUSTER}: desired state`));
const entriesIn = (dir: string) => readdirSync(join(dir, 'tenantctl', 'desired-state'));

beforeAll(async () => {
  fleet = await startLiveFleet(CLUSTER);
  // Only now: the control plane's binaries are cached under the same root.
  cacheDir = mkdtempSync(join(tmpdir(), 'tenantctl-cache-'));
  process.env.TENANTCTL_CACHE_DIR = cacheDir;
  fleetRepo = fleetRepository(CLUSTER);
  repo = fleetRepo.root;
}, 240_000);

afterAll(async () => {
  if (previousCacheDir === undefined) delete process.env.TENANTCTL_CACHE_DIR;
  else process.env.TENANTCTL_CACHE_DIR = previousCacheDir;
  fleetRepo?.remove();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  await fleet?.stop();
});

describe('the audit\'s desired-state cache', () => {
  let first: Awaited<ReturnType<typeof audit>>;

  it('reads generated/ on the first audit of a commit, and not on the nightly audit of the same commit: the same report with generated/ gone from the working tree', async () => {
    first = await audit();
    expect(desiredFrom(first.progress)).toMatch(/read from generated\/ \(tree [0-9a-f]{12}\)$/);
    expect(first.report.clusters[0].objects?.desired).toBeGreaterThan(100);
    const [entry] = entriesIn(cacheDir);
    const written = readFileSync(join(cacheDir, 'tenantctl', 'desired-state', entry));

    rmSync(join(repo, 'generated'), { recursive: true, force: true });
    const nightly = await audit();
    expect(desiredFrom(nightly.progress)).toMatch(/from the cache/);
    expect(nightly.report).toEqual(first.report);
    expect(nightly.exitCode).toBe(first.exitCode);
    expect(entriesIn(cacheDir)).toEqual([entry]);
    expect(readFileSync(join(cacheDir, 'tenantctl', 'desired-state', entry)).equals(written)).toBe(true);
  });

  it('detects a damaged entry, reads generated/ of the commit again (from git, the working tree lacking it) and rewrites the entry', async () => {
    const file = join(cacheDir, 'tenantctl', 'desired-state', entriesIn(cacheDir)[0]);
    const bytes = readFileSync(file);
    const at = Math.floor(bytes.length / 2);
    const damaged = Buffer.from(bytes);
    damaged[at] = bytes[at] === 0x61 ? 0x62 : 0x61;
    writeFileSync(file, damaged);
    const rebuilt = await audit();
    expect(desiredFrom(rebuilt.progress)).toMatch(/the cache entry was damaged, rewritten/);
    expect(rebuilt.report).toEqual(first.report);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(desiredFrom((await audit()).progress)).toMatch(/from the cache/);
  });

  it('misses the cache at a commit that changes generated/<cluster>, and audits that commit\'s desired state', async () => {
    git(['checkout', '-q', '--', 'generated']);
    const dir = join(repo, 'generated', CLUSTER);
    const isTenantConfigMap = (text: string) => /^kind: ConfigMap$/m.test(text) && /^ {2}namespace: tenant-/m.test(text);
    const configMap = readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.yaml') && isTenantConfigMap(readFileSync(join(dir, f), 'utf8')))!;
    const object = parse(readFileSync(join(dir, configMap), 'utf8')) as { metadata: { name: string; namespace: string }; data?: Record<string, string> };
    object.data = { ...object.data, 'cache-test': 'a value only the new commit has' };
    writeFileSync(join(dir, configMap), stringify(object));
    git(['commit', '-q', '-am', 'a ConfigMap changed']);

    const changed = await audit();
    expect(desiredFrom(changed.progress)).toMatch(/read from generated\//);
    const finding = changed.report.clusters[0].findings.find((f) => f.type === 'modified' && f.resource.kind === 'ConfigMap' && f.resource.name === object.metadata.name && f.resource.namespace === object.metadata.namespace);
    expect(finding?.changes?.map((c) => c.path)).toContain('data.cache-test');
    expect(entriesIn(cacheDir)).toHaveLength(2);
  });

  it('audits an older commit (--ref) from the cache without writing out its generated/', async () => {
    const older = await audit('HEAD~1');
    expect(desiredFrom(older.progress)).toMatch(/from the cache/);
    expect(older.report.gitCommit).toBe(first.report.gitCommit);
    expect(older.report.clusters).toEqual(first.report.clusters);
  });

  it('lets two audits run at once with an empty cache: both succeed with the same findings, and leave one whole entry', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'tenantctl-cache-'));
    try {
      const args = ['bin/tenantctl.mjs', '-C', repo, 'audit', '--cluster', CLUSTER, '--kubeconfig', fleet.controlPlane.kubeconfigPath, '--context', fleet.context, '--format', 'json'];
      const run = () =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
          const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, CI: 'true', TENANTCTL_CACHE_DIR: fresh } });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          child.on('close', (code) => done({ code, stdout, stderr }));
        });
      const [a, b] = await Promise.all([run(), run()]);
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([1, 1]);
      const findings = (r: { stdout: string }) => (JSON.parse(r.stdout) as AuditReport).clusters[0].findings;
      expect(findings(a)).toEqual(findings(b));
      expect(findings(a).some((f) => f.changes?.some((c) => c.path === 'data.cache-test'))).toBe(true);
      expect(entriesIn(fresh)).toHaveLength(1);
      expect(entriesIn(fresh)[0]).toMatch(/^eu-central-1-[0-9a-f]{32}\.json$/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 240_000);
});
