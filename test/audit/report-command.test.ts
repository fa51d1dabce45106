import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/audit/fleet.ts';
import { main } from '../../lib/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenantctl-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header = { generatedAt: '2026-11-23T02:17:00.000Z', gitRef: 'HEAD', gitCommit: 'a'.repeat(40) };
const summary = { modified: 0, missing: 1, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 };

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(['-C', dir, ...argv], { out: (s) => { out += s; return true; }, err: (s) => { err += s; return true; } });
  return { code, out, err };
}

describe('tenantctl report', () => {
  writeFileSync(join(dir, 'a.json'), JSON.stringify(buildReport(header, [{ name: 'eu-1', status: 'ok', summary, findings: [
    { type: 'missing', tenant: 'acme', environment: 'production', resource: { apiVersion: 'v1', kind: 'Service', namespace: 'tenant-acme-production', name: 'odoo' } }] }])));
  writeFileSync(join(dir, 'b.json'), JSON.stringify(buildReport(header, [{ name: 'eu-2', status: 'unreachable', error: 'connect ECONNREFUSED', summary: { ...summary, missing: 0 }, findings: [] }])));

  it('merges the reports of matrix jobs into one, written into a folder it creates, and exits 3 for the unaudited cluster', async () => {
    const r = await run('report', 'a.json', 'b.json', '--format', 'json', '--output', 'fleet/drift.json');
    expect(r.code).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, 'fleet/drift.json'), 'utf8')).clusters.map((c: { name: string }) => c.name)).toEqual(['eu-1', 'eu-2']);
  });

  it('refuses reports of different commits as bad input, naming the problem', async () => {
    writeFileSync(join(dir, 'c.json'), JSON.stringify(buildReport({ ...header, gitCommit: 'b'.repeat(40) }, [])));
    const r = await run('report', 'a.json', 'c.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tenantctl: cannot merge reports of a{40} and b{40}/);
    expect(r.err).not.toContain('internal error');
  });

  it('refuses an empty --base (a scheduled workflow\'s missing default branch) before doing anything', async () => {
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = 'test-token';
    try {
      const r = await run('pr', '--report', 'a.json', '--base', '');
      expect(r.code).toBe(2);
      expect(r.err).toContain('--base is empty');
    } finally {
      if (saved === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved;
    }
  });
});
