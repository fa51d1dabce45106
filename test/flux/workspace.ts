/**
 * A repository the GitOps engines sync from: the project's inputs with a fleet.ts whose
 * `gitops.repoURL` points at a local Git server, synthesized and committed on the fleet's branch,
 * and a bare clone of it where the Git server serves it. generated/ is what `tenantctl synth`
 * writes for that URL: nothing is edited by hand.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../control-plane/control-plane.ts';

export interface Workspace {
  /** Working tree (fleet.ts, tenants/, generated/), a git repository: `tenantctl -C root ...`. */
  readonly root: string;
  /** The bare repository the Git server serves. */
  readonly bare: string;
  cleanup(): void;
}

function run(cmd: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(cmd, args, {
    cwd, encoding: 'utf8', timeout: 300_000,
    env: { ...process.env, GIT_AUTHOR_NAME: 'tenantctl test', GIT_AUTHOR_EMAIL: 'test@tenantctl.invalid', GIT_COMMITTER_NAME: 'tenantctl test', GIT_COMMITTER_EMAIL: 'test@tenantctl.invalid' },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Makes the workspace for `repoURL` (`<git server>/<name>.git`), with its bare clone at
 * `<servedRoot>/<name>.git`.
 */
export function makeWorkspace(repoURL: string, servedRoot: string, branch = 'main'): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'tenantctl-gitops-'));
  for (const entry of ['lib', 'tiers', 'vendor', 'node_modules', 'package.json', 'bin']) symlinkSync(join(REPO_ROOT, entry), join(root, entry));
  // Tenant files and fleet.ts are read as data, never through links or imports: copy them, and
  // give the fleet the local Git server's URL and branch the way a person edits fleet.ts.
  cpSync(join(REPO_ROOT, 'tenants'), join(root, 'tenants'), { recursive: true });
  const fleet = readFileSync(join(REPO_ROOT, 'fleet.ts'), 'utf8');
  const served = fleet.replace(/repoURL: '[^']*', branch: '[^']*'/, `repoURL: ${JSON.stringify(repoURL)}, branch: ${JSON.stringify(branch)}`);
  if (served === fleet) throw new Error("fleet.ts has no `repoURL: '…', branch: '…'` to point at the local Git server");
  writeFileSync(join(root, 'fleet.ts'), served);
  run(process.execPath, [join(REPO_ROOT, 'bin', 'tenantctl.mjs'), '-C', root, 'synth'], REPO_ROOT);
  run('git', ['init', '-q', '-b', branch], root);
  run('git', ['add', '-A'], root);
  run('git', ['commit', '-q', '-m', 'tenantctl synth for the local Git server'], root);
  const bare = join(servedRoot, repoURL.split('/').pop()!);
  run('git', ['clone', '-q', '--bare', root, bare], servedRoot);
  return {
    root,
    bare,
    cleanup() {
      rmSync(root, { recursive: true, force: true });
      rmSync(bare, { recursive: true, force: true });
    },
  };
}
