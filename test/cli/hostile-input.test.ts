/**
 * Tenant files arrive by pull request: hostile ones, end to end through the real CLI in a child
 * process (`synth`, `synth --check`, `validate`, `pr`). Nothing in them runs: no file is written,
 * no process spawned, no environment read, the exit code is not theirs, generated/ is untouched,
 * nothing hangs, and each gets an error naming the file, line and column, and a fix.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_SCHEMA_VERSION } from '../../lib/audit/types.ts';
import { cleanRepos, cli, hashTree, makeRepo, spawnCliWith, tenantSource, writeTenant } from './repo.ts';

afterAll(cleanRepos);

const SECRET = 'ghp_hostile-case-secret';
const HEADER = "import { defineTenant } from '../lib/tenant/schema.ts';";

/** A valid tenant body, so that nothing but the hostile code could make the file fail. */
function validBody(): string {
  return tenantSource({ name: "'evil'", environments: "{ production: { domains: ['evil.eu-west.erp.odoo-hosting.example'] } }" }).split('\n').slice(2).join('\n');
}

interface HostileCase {
  readonly name: string;
  /** Source of tenants/evil.ts; MARKER stands for a file the code would create. */
  readonly source: string;
  /** `file:line:col: message` prefix expected on stderr. */
  readonly error: RegExp;
}

const CASES: HostileCase[] = [
  {
    name: 'writes a file, spawns sh and reads the environment at import',
    source: `import { writeFileSync } from 'node:fs';\nimport { execSync } from 'node:child_process';\n${HEADER}\nwriteFileSync('MARKER', process.env.GITHUB_TOKEN ?? 'no token');\nexecSync('sh -c "echo spawned >> MARKER"');\n${validBody()}`,
    error: /^tenants\/evil\.ts:1:31: import from "node:fs" is not allowed: a tenant file may import only lib\/tenant\/schema\.ts/m,
  },
  {
    name: 'calls process.exit(0) while being invalid',
    source: `${HEADER}\nprocess.exit(0);\nexport default defineTenant({ name: 'evil', tier: 'gold' });\n`,
    error: /^tenants\/evil\.ts:2:1: the statement `process\.exit\(0\);` is not allowed: a tenant file describes data, and nothing in it runs$/m,
  },
  {
    name: 'edits generated/ at import',
    source: `import { appendFileSync } from 'node:fs';\n${HEADER}\nappendFileSync('generated/README.md', 'tampered');\nappendFileSync('MARKER', 'x');\n${validBody()}`,
    error: /^tenants\/evil\.ts:1:32: import from "node:fs" is not allowed/m,
  },
  {
    name: 'loops forever',
    source: `${HEADER}\nwhile (true) {}\n${validBody()}`,
    error: /^tenants\/evil\.ts:2:1: a loop is not allowed/m,
  },
  {
    name: 'awaits a promise that never settles',
    source: `${HEADER}\nawait new Promise(() => {});\n${validBody()}`,
    error: /^tenants\/evil\.ts:2:1: the statement `await new Promise\(\(\) => \{\}\);` is not allowed/m,
  },
  {
    name: 'hides a call inside a value',
    source: `${HEADER}\nexport default defineTenant({ name: (() => { require('node:fs').writeFileSync('MARKER', 'x'); return 'evil'; })() });\n`,
    error: /^tenants\/evil\.ts:2:37: a call \(`\(\(\) => .*\(\.\.\.\)`\) is not allowed/m,
  },
];

/** A synthesized repository with tenants/evil.ts written from `c`; MARKER replaced by a path inside it. */
async function repoWith(c: HostileCase) {
  const root = makeRepo(['acme']);
  const first = await cli(root, 'synth');
  expect(first.code, first.err).toBe(0);
  const marker = join(root, 'marker');
  writeTenant(root, 'evil', c.source.replaceAll('MARKER', marker));
  return { root, marker, before: hashTree(root), readme: readFileSync(join(root, 'generated', 'README.md'), 'utf8') };
}

describe.each(CASES)('a tenant file that $name', (c) => {
  it.each(['synth', 'synth --check', 'validate'])('makes `%s` exit 2 with the file, line and fix, and nothing of it runs', async (command) => {
    const { root, marker, before, readme } = await repoWith(c);
    const r = spawnCliWith({ env: { GITHUB_TOKEN: SECRET }, timeoutMs: 120_000 }, root, ...command.split(' '));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(c.error);
    expect(r.err).toMatch(/\n {2}fix: \S/);
    expect(r.err).not.toContain(SECRET);
    expect(r.out).not.toContain(SECRET);
    expect(existsSync(marker)).toBe(false);
    expect(hashTree(root)).toBe(before);
    expect(readFileSync(join(root, 'generated', 'README.md'), 'utf8')).toBe(readme);
  }, 180_000);
});

describe('tenantctl pr with a hostile tenant file', () => {
  it('never runs tenant code in the process that holds GITHUB_TOKEN, and names the file', async () => {
    const { root, marker, before } = await repoWith(CASES[0]);
    const report = join(root, 'report.json');
    writeFileSync(report, JSON.stringify({ schemaVersion: AUDIT_SCHEMA_VERSION, generatedAt: '2026-01-01T00:00:00Z', gitRef: 'HEAD', clusters: [] }));
    const r = spawnCliWith({ env: { GITHUB_TOKEN: SECRET }, timeoutMs: 120_000 }, root, 'pr', '--report', report, '--repo', 'acme/fleet', '--github-api-url', 'http://127.0.0.1:9');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(CASES[0].error);
    expect(existsSync(marker)).toBe(false);
    expect(r.err + r.out).not.toContain(SECRET);
    expect(hashTree(root)).toBe(before);
  }, 180_000);
});
