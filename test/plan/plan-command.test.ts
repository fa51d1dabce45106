/**
 * `planCommand` end to end in a real git repository: a temporary copy of this project's inputs
 * and code (the working tree, so uncommitted work counts), node_modules symlinked in.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { simpleGit, type SimpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantSource } from '../../lib/cli/commands/new-tenant.ts';
import { planCommand } from '../../lib/cli/commands/plan.ts';
import { PLAN_COMMENT_MARKER } from '../../lib/report/plan-markdown.ts';

const execFileAsync = promisify(execFile);
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What a tenantctl repository needs to synthesize: sources, code, and the cdk8s imports. */
const COPIED = ['fleet.ts', 'tenants', 'tiers', 'lib', 'bin', 'vendor/imports', 'package.json', 'tsconfig.json'];

let repo: string;
let git: SimpleGit;
/** Base commits: without bin/ (only its committed generated/ can be used) and with it. */
let withoutCli: string;
let withCli: string;

async function copyProject(to: string): Promise<void> {
  for (const entry of COPIED) {
    await cp(join(projectRoot, entry), join(to, entry), {
      recursive: true,
      filter: (src) => !['node_modules', 'generated', '.git', '.tenantctl'].includes(basename(src)),
    });
  }
  await symlink(join(projectRoot, 'node_modules'), join(to, 'node_modules'), 'junction');
}

/** A scaffolded shared tenant in eu-west, as `tenantctl new tenant` writes it (placement left to the fleet). */
async function writeTenant(name: string): Promise<void> {
  await writeFile(join(repo, 'tenants', `${name}.ts`), tenantSource({ name, tier: 'shared', region: 'eu-west', baseDomain: 'eu-west.erp.odoo-hosting.example' }));
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tenantctl-plan-e2e-'));
  await copyProject(repo);
  git = simpleGit({ baseDir: repo, config: ['user.name=tenantctl test', 'user.email=test@tenantctl.invalid', 'commit.gpgsign=false', 'init.defaultBranch=main'] });
  await git.init();
  await writeFile(join(repo, '.git', 'info', 'exclude'), 'node_modules\n.tenantctl/\n');

  // base: the project's fleet plus two scaffolded tenants, generated/ committed as CI requires.
  // Tenant files are written and synthesized out of process: this process must load each
  // temp-repo tenant module only once (the ESM cache would keep its first content).
  await writeTenant('plan-alpha');
  await writeTenant('plan-bravo');
  await execFileAsync(process.execPath, [join(repo, 'bin', 'tenantctl.mjs'), 'synth'], { cwd: repo });
  await rm(join(repo, 'bin'), { recursive: true });
  await git.add('.').commit('base without the CLI');
  withoutCli = (await git.revparse(['HEAD'])).trim();
  await cp(join(projectRoot, 'bin'), join(repo, 'bin'), { recursive: true });
  await git.add('.').commit('base');
  withCli = (await git.revparse(['HEAD'])).trim();

  // the pull request: one tenant added, one tenant's workers changed, one tenant removed
  await git.checkoutLocalBranch('feature');
  await writeTenant('plan-charlie');
  const alpha = join(repo, 'tenants', 'plan-alpha.ts');
  const source = await readFile(alpha, 'utf8');
  expect(source).toContain("version: '18.0',\n");
  await writeFile(alpha, source.replace("version: '18.0',\n", "version: '18.0',\n    workers: 4,\n"));
  await rm(join(repo, 'tenants', 'plan-bravo.ts'));
  await git.add('.').commit('add charlie, resize alpha, remove bravo');
}, 120_000);

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('tenantctl plan against a git ref', () => {
  it('shows exactly one tenant added, one changed and one removed, with the removal flagged', async () => {
    const { plan, output } = await planCommand({ root: repo, base: withCli, format: 'markdown', packageRoot: projectRoot });
    expect(plan.base).toEqual({ ref: withCli, commit: withCli, from: 'synthesized' });
    expect(plan.notes).toEqual([]);
    expect(plan.problems).toEqual([]);
    expect(plan.summary.environments).toEqual({ added: ['plan-charlie/production'], removed: ['plan-bravo/production'], changed: ['plan-alpha/production'], moved: [] });

    const alpha = plan.groups.find((g) => g.id === 'plan-alpha/production')!;
    expect(alpha.changes.every((c) => c.action === 'changed')).toBe(true);
    expect(alpha.changes.map((c) => c.resource)).toEqual(expect.arrayContaining(['ConfigMap/tenant-plan-alpha-production/odoo-conf', 'Deployment/tenant-plan-alpha-production/odoo-web']));
    const conf = alpha.changes.find((c) => c.resource === 'ConfigMap/tenant-plan-alpha-production/odoo-conf')!;
    expect(conf.diff).toMatch(/^-    workers = \d+$/m);
    expect(conf.diff).toMatch(/^\+    workers = 4$/m);
    expect(alpha.risks).toEqual([]);

    // the removal's deletions are flagged, and nothing else anywhere in the fleet
    expect(plan.risks.map((r) => [r.flag, r.group, r.subject])).toEqual([
      ['database-deleted', 'plan-bravo/production', 'Database/postgres-shared/plan-bravo-production'],
      ['volume-deleted', 'plan-bravo/production', 'PersistentVolumeClaim/tenant-plan-bravo-production/odoo-filestore'],
      ['namespace-deleted', 'plan-bravo/production', 'Namespace/tenant-plan-bravo-production'],
    ]);
    // no other tenant environment is touched
    expect(plan.groups.filter((g) => g.kind === 'environment').map((g) => g.id).sort()).toEqual(['plan-alpha/production', 'plan-bravo/production', 'plan-charlie/production']);

    expect(output.startsWith(PLAN_COMMENT_MARKER)).toBe(true);
    expect(output).toContain('**database deleted**: `plan-bravo/production` `Database/postgres-shared/plan-bravo-production`');
    expect(output.length).toBeLessThanOrEqual(65_000);
  }, 120_000);

  it('falls back to the base commit’s generated/ when the base has no CLI, with the same result', async () => {
    const [fallback, faithful] = await Promise.all([
      planCommand({ root: repo, base: withoutCli, format: 'json', packageRoot: projectRoot }),
      planCommand({ root: repo, base: withCli, format: 'json', packageRoot: projectRoot }),
    ]);
    expect(fallback.plan.base?.from).toBe('committed-generated');
    expect(fallback.plan.notes).toEqual(['the base has no bin/tenantctl.mjs: compared with its committed generated/']);
    expect(fallback.plan.summary).toEqual(faithful.plan.summary);
    expect(fallback.plan.risks).toEqual(faithful.plan.risks);
    expect(JSON.parse(fallback.output).version).toBe(1);
  }, 120_000);

  it('synthesizes the base with its own tier templates, so a template change shows as well as tenant edits', async () => {
    await git.checkout(['-b', 'old-templates', withCli]);
    const tier = join(repo, 'tiers', 'shared.ts');
    const text = await readFile(tier, 'utf8');
    expect(text).toContain('retentionDays: 14,');
    await writeFile(tier, text.replace('retentionDays: 14,', 'retentionDays: 30,'));
    await git.add('.').commit('shared tier keeps backups 30 days');
    const oldTemplates = (await git.revparse(['HEAD'])).trim();
    await git.checkout('feature');

    const { plan } = await planCommand({ root: repo, base: oldTemplates, format: 'text', packageRoot: projectRoot });
    const lowered = plan.risks.filter((r) => r.flag === 'backup-retention-lowered');
    expect(lowered.map((r) => r.subject)).toContain('Schedule/velero/plan-alpha-production-filestore');
    expect(lowered.find((r) => r.group === 'plan-alpha/production')!.message).toMatch(/^Velero backup ttl lowered from 720h\S* to 336h/);
  }, 120_000);

  it('names the ref and how to fetch it when the base does not exist', async () => {
    await expect(planCommand({ root: repo, base: 'origin/main', format: 'text', packageRoot: projectRoot })).rejects.toThrow(/cannot resolve "origin\/main" to a commit .*git fetch origin main/);
  });

  it('leaves no temporary checkout, worktree or change in the repository behind', async () => {
    const { readdir } = await import('node:fs/promises');
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('tenantctl-ref-')).length;
    await planCommand({ root: repo, base: withCli, format: 'text', packageRoot: projectRoot });
    expect((await readdir(tmpdir())).filter((n) => n.startsWith('tenantctl-ref-')).length).toBe(before);
    expect((await git.raw(['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1);
    expect((await git.status()).isClean()).toBe(true);
  }, 120_000);
});
