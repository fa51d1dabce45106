import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, main } from '../../lib/cli/main.ts';

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s: string) => ((out += s), true), err: (s: string) => ((err += s), true) });
  return { code, out, err };
}

/** Every command path of the CLI (`synth`, `new tenant`, ...), read from the program itself. */
function commandPaths(): string[][] {
  const paths: string[][] = [];
  const walk = (cmd: Command, prefix: string[]) => {
    for (const sub of cmd.commands) {
      paths.push([...prefix, sub.name()]);
      walk(sub, [...prefix, sub.name()]);
    }
  };
  walk(buildProgram({ out: () => undefined, err: () => undefined }), []);
  return paths;
}

describe('usage', () => {
  it('knows the documented commands', () => {
    expect(commandPaths().map((p) => p.join(' '))).toEqual(expect.arrayContaining(['synth', 'tenants', 'new', 'new tenant']));
  });

  it('prints help and exits 0 for the program', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: tenantctl');
  });

  it.each(commandPaths().map((p) => [p.join(' '), p]))('prints help and exits 0 for "%s --help"', async (_, path) => {
    const r = await run(...(path as string[]), '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: tenantctl ${(path as string[]).join(' ')}`);
  });

  it('exits 2 on an unknown command, pointing at --help', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'frobnicate'");
    expect(r.err).toContain('--help');
  });

  it('exits 2 on an unknown option and on a missing required option', async () => {
    expect((await run('synth', '--frobnicate')).code).toBe(2);
    expect((await run('new', 'tenant', 'foo', '--tier', 'shared')).code).toBe(2);
  });
});
