import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, reportError } from '../../lib/cli/main.ts';
import { EXIT, UsageError, UserError } from '../../lib/cli/errors.ts';
import { InputError } from '../../lib/model/issue.ts';
import { PROJECT } from './repo.ts';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s: string) => ((out += s), true), err: (s: string) => ((err += s), true) });
  return { code, out, err };
}

function reported(error: unknown): { code: number; err: string } {
  let err = '';
  const code = reportError(error, { err: (s) => (err += s) });
  return { code, err };
}

const dir = mkdtempSync(join(tmpdir(), 'tenantctl-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig with one context, `dead`, whose server is `server`. */
function kubeconfig(server: string): string {
  const path = join(dir, `kubeconfig-${Buffer.from(server).toString('hex')}`);
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: dead', `  cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
    'users:', '- name: u', '  user: { token: "not-a-secret" }',
    'contexts:', '- name: dead', '  context: { cluster: dead, user: u }',
    'current-context: dead', '',
  ].join('\n'));
  return path;
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('tenantctl --version', () => {
  it('prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run(flag);
      expect(r).toEqual({ code: 0, out: `${version}\n`, err: '' });
    }
  });
});

describe('exit codes of errors', () => {
  it('prints a user error as one line and its fix, and exits with its code', () => {
    const r = reported(new UserError('the thing is wrong', { fix: 'do the other thing', exitCode: EXIT.partial }));
    expect(r).toEqual({ code: 3, err: 'tenantctl: the thing is wrong\n  fix: do the other thing\n' });
  });

  it('exits 2 for a usage error, the default of a user error', () => {
    expect(reported(new UsageError('--shard takes i/n')).code).toBe(2);
    expect(reported(new UserError('bad')).code).toBe(2);
    expect(reported(new InputError([{ code: 'tenant.invalid', file: 'tenants/a.ts', path: 'name', message: 'bad' }])).code).toBe(2);
  });

  it('reports anything else as an internal error with its stack, exit 70 and never 2', () => {
    const r = reported(new TypeError('cannot read properties of undefined'));
    expect(r.code).toBe(70);
    expect(r.err).toMatch(/^tenantctl: internal error: TypeError: cannot read properties of undefined\n\s+at /);
    expect(r.err).toContain('Please report this');
  });
});

describe('validate --server cannot reach a cluster', () => {
  it('exits 3 with one line and a fix for a context the kubeconfig does not have', async () => {
    const r = await run('-C', PROJECT, 'validate', '--server', '--kubeconfig', kubeconfig('https://127.0.0.1:1'), '--context', 'nope');
    expect(r.code).toBe(3);
    expect(r.err).toBe('tenantctl: context "nope" is not in the kubeconfig ' + join(dir, `kubeconfig-${Buffer.from('https://127.0.0.1:1').toString('hex')}`) + ' (contexts: dead)\n' +
      '  fix: pass --context with one of the contexts listed, or --kubeconfig with a file that has "nope"\n');
  });

  it('exits 3 with one line and a fix for a kubeconfig file that does not exist', async () => {
    const r = await run('-C', PROJECT, 'validate', '--server', '--kubeconfig', join(dir, 'missing.yaml'));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^tenantctl: cannot read the kubeconfig .*missing\.yaml: .*ENOENT.*\n {2}fix: check the kubeconfig file/);
    expect(r.err.split('\n')).toHaveLength(3);
  });

  it('exits 3 with one line and a fix when the API server does not answer', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const r = await run('-C', PROJECT, 'validate', '--server', '--kubeconfig', kubeconfig(server));
    expect(r.code).toBe(3);
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^tenantctl: cannot reach the API server ${server} \\(context dead\\): .*ECONNREFUSED`));
    expect(lines[1]).toMatch(/^ {2}fix: check that the server is up and reachable/);
    expect(r.err).not.toContain('internal error');
  });
});
