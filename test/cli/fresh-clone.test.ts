import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../control-plane/control-plane.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenantctl-fresh-clone-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tenantctl -C on a fresh clone without node_modules', () => {
  it('reads its tenant files and fleet.ts as data, so nothing needs installing in the clone', () => {
    const clone = join(dir, 'clone');
    const git = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone], { encoding: 'utf8' });
    expect(git.status, git.stderr).toBe(0);
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/tenantctl.mjs'), '-C', clone, 'validate'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).not.toContain('Cannot find package');
    expect(run.status, run.stderr).toBe(0);
  }, 180_000);
});
