/**
 * The tenantctl command line: parses arguments, wires the pieces, and maps outcomes to exit
 * codes (0 ok, 1 check failed or findings, 2 bad input or usage, 3 partial failure).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { InputError } from '../model/issue.ts';
import { isCalendarDate } from '../time/calendar-date.ts';
import { formatIssues } from '../report/issues.ts';
import { AUDIT_FORMATS, auditExitCode, renderAudit, type AuditFormat } from './audit-output.ts';
import { mergeReports, parseShard, type Shard } from '../audit/fleet.ts';
import { readReport } from '../audit/read-report.ts';
import type { AuditReport } from '../audit/types.ts';
import type { PlanFormat } from './commands/plan.ts';
import type { FindingsFormat } from './commands/validate.ts';
import { EXIT, ExitError, UsageError, UserError } from './errors.ts';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// Every command module is imported when its command runs, so a command loads only what it needs
// (cdk8s and the tiers when something is compiled, the Kubernetes client for cluster commands,
// TypeScript when a tenant file must be parsed); `--version` and `--help` load none of them.
// The format lists are spelled here for that reason; `Exhaustive` keeps them complete.
type Exhaustive<List extends readonly string[], Union extends string> = [Exclude<Union, List[number]>] extends [never] ? List : never;
const PLAN_FORMATS = ['text', 'markdown', 'json'] as const satisfies readonly PlanFormat[];
const FINDINGS_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const satisfies readonly FindingsFormat[];
const _planFormatsComplete: Exhaustive<typeof PLAN_FORMATS, PlanFormat> = PLAN_FORMATS;
const _findingsFormatsComplete: Exhaustive<typeof FINDINGS_FORMATS, FindingsFormat> = FINDINGS_FORMATS;
void _planFormatsComplete;
void _findingsFormatsComplete;

export function buildProgram(io: { out: (s: string) => void; err: (s: string) => void }): Command {
  const program = new Command('tenantctl')
    .description('Compile typed Odoo tenants into GitOps manifests, and audit live clusters against them.')
    .version(packageVersion(), '-V, --version', 'print the version of tenantctl')
    .option('-C, --dir <path>', 'repository root (holds fleet.ts, tenants/, generated/)', process.cwd())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  const root = () => resolve(program.opts<{ dir: string }>().dir);
  // Commands that compile the repository; `report` reads saved reports only, and `pr` checks
  // its flags and token first (its repository is then read through fleet.ts).
  program.hook('preAction', (_program, action) => {
    if (action.name() !== 'report' && action.name() !== 'pr') checkRoot(root());
  });

  program
    .command('synth')
    .description('compile tenants/*.ts through the tiers into generated/ (replaced whole, or not at all)')
    .option('--check', 'do not write; exit 1 when generated/ differs from what the sources produce')
    .option('--no-cache', 'render every tenant again instead of reusing unchanged ones')
    .action(async (opts: { check?: boolean; cache: boolean }) => {
      const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
      const [{ synthCommand }, { diskRenderCache }] = await Promise.all([import('./commands/synth.ts'), import('../io/render-cache.ts')]);
      let outcome;
      try {
        outcome = await synthCommand({
          root: root(),
          packageRoot,
          check: Boolean(opts.check),
          cache: opts.cache ? diskRenderCache(root()) : undefined,
          progress: interactive ? (line) => io.err(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`) : undefined,
        });
      } finally {
        if (interactive) io.err('\r\x1b[K');
      }
      io.out(outcome.summary + '\n');
      if (outcome.stale) throw new ExitError(EXIT.failed);
    });

  program
    .command('tenants')
    .description('list tenant environments with their tier, cluster and region')
    .action(async () => {
      const { tenantsCommand } = await import('./commands/tenants.ts');
      io.out((await tenantsCommand(root())) + '\n');
    });

  program
    .command('validate')
    .description('check generated/: offline strict schemas (Kubernetes and CRDs) and policies with waivers; or, with --server, a server-side dry-run apply against a cluster')
    .addOption(new Option('--format <format>', 'output format (--server: text or json)').choices(FINDINGS_FORMATS).default('text'))
    .option('--output <file>', 'write the report to a file instead of standard output')
    .option('--today <date>', 'date waivers expire against (YYYY-MM-DD)', calendarDate, new Date().toISOString().slice(0, 10))
    .option('--server', 'server-side dry-run apply (field manager tenantctl) of every generated object, namespaces and CRDs first')
    .option('--kubeconfig <file>', 'with --server: kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'with --server: kubeconfig context')
    .option('--create-namespaces', 'with --server: really create declared namespaces that do not exist yet, so objects inside them can be checked')
    .action(async (opts: { format: FindingsFormat; output?: string; today: string; server?: boolean; kubeconfig?: string; context?: string; createNamespaces?: boolean }) => {
      const emit = (text: string) => writeOutput(root(), opts.output, text, io);
      if (opts.server) {
        if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError(`--format ${opts.format} is not available with --server; use text or json`);
        const { validateServerCommand } = await import('./commands/validate-server.ts');
        const result = await validateServerCommand({ root: root(), kubeconfig: opts.kubeconfig, context: opts.context, createNamespaces: opts.createNamespaces, format: opts.format });
        emit(result.output);
        if (result.rejected > 0) throw new ExitError(EXIT.failed);
        if (result.errors > 0) throw new ExitError(EXIT.partial, `${result.errors} objects could not be checked (see above)`);
        return;
      }
      const { validateCommand } = await import('./commands/validate.ts');
      const result = await validateCommand({ root: root(), packageRoot, format: opts.format, today: opts.today });
      emit(result.output);
      if (result.errors > 0) throw new ExitError(EXIT.failed, opts.output ? `${result.errors} error findings; report written to ${opts.output}` : '');
    });

  program
    .command('plan')
    .description('what merging the working tree changes in generated/ against a git ref: objects added, changed, removed per tenant environment, risky changes first')
    .requiredOption('--base <ref>', 'git ref to compare against, e.g. origin/main')
    .addOption(new Option('--format <format>', 'output format').choices(PLAN_FORMATS).default('text'))
    .option('--max-length <chars>', 'markdown: shrink the report to fit (PR comments hold about 65,000 characters)', (v) => Number.parseInt(v, 10))
    .action(async (o: { base: string; format: PlanFormat; maxLength?: number }) => {
      const { planCommand } = await import('./commands/plan.ts');
      const { output } = await planCommand({ root: root(), base: o.base, format: o.format, packageRoot, maxLength: o.maxLength });
      io.out(output.endsWith('\n') ? output : output + '\n');
    });

  program
    .command('clusters')
    .description('list the fleet\'s clusters with the kubeconfig context the audit uses')
    .argument('[names...]', 'only these clusters (an unknown name is an error)')
    .option('--json', 'one JSON array (for CI matrices)')
    .action(async (names: string[], o: { json?: boolean }) => {
      const { clustersCommand } = await import('./commands/clusters.ts');
      io.out((await clustersCommand(root(), Boolean(o.json), names)) + '\n');
    });

  program
    .command('audit')
    .description('compare live clusters with generated/ at a git ref: modified, missing, orphaned and unmanaged objects, who changed what, and policy violations (read-only)')
    .addOption(new Option('--cluster <name>', 'fleet cluster to audit (repeatable)').argParser((v: string, acc: string[]) => [...acc, v]).default([], 'every cluster'))
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context, overriding fleet.ts (only with a single --cluster)')
    .option('--ref <ref>', 'git ref whose generated/ is the desired state', 'HEAD')
    .addOption(new Option('--format <format>', 'output format').choices(AUDIT_FORMATS as string[]).default('text'))
    .option('--output <file>', 'write the report to a file instead of standard output')
    .option('--shard <i/n>', 'audit only the i-th of n shares of the clusters (CI matrix jobs)')
    .option('--concurrency <n>', 'clusters audited at once (default: as many as fit in 60,000 desired objects)', (v) => positiveInt('--concurrency', v))
    .option('--timeout <seconds>', 'per-request timeout', (v) => positiveInt('--timeout', v), 30)
    .option('--server-dry-run', 'confirm modified objects with a server-side apply dry-run (needs patch permission; persists nothing)')
    .option('--today <date>', 'date waivers expire against (YYYY-MM-DD)', calendarDate, new Date().toISOString().slice(0, 10))
    .option('--now <time>', 'time backup ages and certificate expiries are measured against (ISO 8601; default: the clock)', parseTime)
    .option('--no-evidence', 'skip the recoverability evidence (backups, restore tests, certificates, replicas read from live status)')
    .option('--no-cache', 'compare every object again, instead of reusing the last audit\'s verdicts on objects not written since')
    .option('--open-pr', 'then open, update or close one pull request per cluster (see `tenantctl pr`)')
    .option('--base <branch>', 'with --open-pr: branch pull requests target (default: fleet.ts gitops.branch)')
    .option('--remote <name>', 'with --open-pr: git remote to push drift branches to', 'origin')
    .option('--repo <owner/name>', 'with --open-pr: GitHub repository (default: from the remote URL)')
    .option('--github-api-url <url>', 'with --open-pr: REST API root, e.g. https://ghe.example.com/api/v3')
    .option('--github-timeout <seconds>', 'with --open-pr: seconds one GitHub request may take before it is retried', (v) => positiveInt('--github-timeout', v), 30)
    .option('--github-deadline <seconds>', 'with --open-pr: seconds all pull-request work may take; what is left is listed, exit 3', (v) => positiveInt('--github-deadline', v), 900)
    .action(async (o: { cluster: string[]; kubeconfig?: string; context?: string; ref: string; format: AuditFormat; output?: string; shard?: string; concurrency?: number; timeout: number; serverDryRun?: boolean; today: string; now?: Date; evidence: boolean; cache: boolean; openPr?: boolean } & PrFlags) => {
      let shard: Shard | undefined;
      if (o.shard) {
        const parsed = parseShard(o.shard);
        if ('error' in parsed) throw new UsageError(parsed.error);
        shard = parsed;
      }
      // Before a long audit: a pull request run that cannot authenticate fails now, not after.
      if (o.openPr && !process.env.GITHUB_TOKEN) throw new UsageError(MISSING_TOKEN);
      if (o.base !== undefined && !o.base.trim()) throw new UsageError('--base is empty: name the branch pull requests target, or leave it out to use fleet.ts gitops.branch');
      const interactive = Boolean(process.stderr.isTTY) && !process.env.CI;
      // Loaded when used: the drift engine and the policies are no start-up cost for other commands.
      const [{ auditCommand }, { limitHeapGrowth }] = await Promise.all([import('./commands/audit.ts'), import('../io/heap-growth.ts')]);
      limitHeapGrowth(2);
      const result = await auditCommand({
        root: root(),
        packageRoot,
        clusters: o.cluster,
        kubeconfig: o.kubeconfig,
        context: o.context,
        ref: o.ref,
        format: o.format,
        shard,
        concurrency: o.concurrency,
        timeoutMs: o.timeout * 1000,
        serverDryRun: o.serverDryRun,
        // Keys the digests of secret values in the report (HMAC-SHA-256); without it, no digests.
        digestKey: process.env.TENANTCTL_DIGEST_KEY || undefined,
        today: o.today,
        now: o.now,
        noEvidence: !o.evidence,
        cache: o.cache,
        progress: interactive ? (line) => io.err(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`) : undefined,
      });
      if (interactive) io.err('\r\x1b[K');
      writeOutput(root(), o.output, result.output, io);
      if (o.openPr) {
        const prs = await runPullRequests(root(), result.report, o, io);
        if (prs !== EXIT.ok) throw new ExitError(prs, 'some pull requests could not be opened, updated or closed (see above)');
      }
      if (result.exitCode === EXIT.partial) throw new ExitError(EXIT.partial, `some clusters could not be audited: ${result.report.clusters.filter((c) => c.status !== 'ok').map((c) => `${c.name} (${c.status})`).join(', ')}`);
      if (result.exitCode !== EXIT.ok) throw new ExitError(result.exitCode);
    });

  program
    .command('report')
    .description('merge saved JSON audit reports (one per CI job) and render them')
    .argument('<files...>', 'JSON reports written by `tenantctl audit --format json`')
    .addOption(new Option('--format <format>', 'output format').choices(AUDIT_FORMATS as string[]).default('text'))
    .option('--output <file>', 'write the report to a file instead of standard output')
    .action(async (files: string[], o: { format: AuditFormat; output?: string }) => {
      const report = mergeReports(files.map((f) => readReport(resolve(root(), f))));
      writeOutput(root(), o.output, await renderAudit(report, o.format), io);
      const code = auditExitCode(report.clusters);
      if (code !== EXIT.ok) throw new ExitError(code);
    });

  program
    .command('pr')
    .description('open, update or close one drift pull request per cluster of a saved JSON audit report (branch tenantctl/drift/<cluster>); token from GITHUB_TOKEN')
    .requiredOption('--report <file>', 'JSON report written by `tenantctl audit --format json` (or `tenantctl report`)')
    .option('--base <branch>', 'branch pull requests target (default: fleet.ts gitops.branch)')
    .option('--remote <name>', 'git remote to push drift branches to', 'origin')
    .option('--repo <owner/name>', 'GitHub repository (default: from the remote URL)')
    .option('--github-api-url <url>', 'REST API root, e.g. https://ghe.example.com/api/v3 (default: from the remote URL)')
    .option('--github-timeout <seconds>', 'seconds one GitHub request may take before it is retried', (v) => positiveInt('--github-timeout', v), 30)
    .option('--github-deadline <seconds>', 'seconds all pull-request work may take; what is left is listed, exit 3', (v) => positiveInt('--github-deadline', v), 900)
    .action(async (o: { report: string } & PrFlags) => {
      const code = await runPullRequests(root(), readReport(resolve(root(), o.report)), o, io);
      if (code !== EXIT.ok) throw new ExitError(code, 'some pull requests could not be opened, updated or closed (see above)');
    });

  const create = program.command('new').description('scaffold new input files');
  create
    .command('tenant')
    .description('write tenants/NAME.ts, a valid tenant file pinned to the cluster placement chooses')
    .argument('<name>', 'tenant name (DNS label, at most 24 characters)')
    .addOption(new Option('--tier <tier>', 'tier of the tenant').makeOptionMandatory())
    .addOption(new Option('--region <region>', 'region the tenant data must stay in').makeOptionMandatory())
    .option('--cross-region <region>', 'region of the backup copy (tiers that require one; default: the first other region of fleet.ts)')
    .action(async (name: string, opts: { tier: string; region: string; crossRegion?: string }) => {
      const { newTenantCommand } = await import('./commands/new-tenant.ts');
      io.out((await newTenantCommand({ root: root(), name, tier: opts.tier, region: opts.region, crossRegion: opts.crossRegion })) + '\n');
    });

  return program;
}

const MISSING_TOKEN = 'GITHUB_TOKEN is not set: export a token that may push branches and open pull requests (in GitHub Actions: env GITHUB_TOKEN: ${{ github.token }})';

interface PrFlags {
  readonly base?: string;
  readonly remote: string;
  readonly repo?: string;
  readonly githubApiUrl?: string;
  readonly githubTimeout?: number;
  readonly githubDeadline?: number;
}

/** Wires `tenantctl pr`: token, repository, GitHub client; the work is in commands/pr.ts. */
async function runPullRequests(root: string, report: AuditReport, o: PrFlags, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const token = process.env.GITHUB_TOKEN;
  if (!token) throw new UsageError(MISSING_TOKEN);
  if (o.base !== undefined && !o.base.trim()) throw new UsageError('--base is empty: name the branch pull requests target, or leave it out to use fleet.ts gitops.branch');
  const [{ prCommand }, { createGitHub }, { pullRequestAdapter }, repository, { simpleGit }, { compileWorkspace }] = await Promise.all([
    import('./commands/pr.ts'), import('../github/client.ts'), import('../github/pull-requests.ts'), import('../github/repository.ts'), import('simple-git'), import('../workspace/compile.ts'),
  ]);
  let target: { owner: string; repo: string; apiBaseUrl?: string };
  try {
    if (o.repo) target = repository.parseRepositoryFlag(o.repo);
    else target = repository.repositoryFromRemote((await simpleGit({ baseDir: root }).remote(['get-url', o.remote]))?.trim() ?? '');
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const base = o.base ?? (await compileWorkspace(root)).fleet.gitops.branch;
  // The deadline counts from here: the audit before it has its own timeouts.
  const deadline = Date.now() + (o.githubDeadline ?? 900) * 1000;
  const github = createGitHub({ token, baseUrl: o.githubApiUrl ?? target.apiBaseUrl, requestTimeoutMs: (o.githubTimeout ?? 30) * 1000, deadline, log: { debug: () => {}, info: () => {}, warn: (m) => io.err(`${m}\n`), error: (m) => io.err(`${m}\n`) } });
  const result = await prCommand({ root, packageRoot, report, owner: target.owner, repo: target.repo, base, remote: o.remote, github: pullRequestAdapter(github), deadline });
  io.err(result.output + '\n');
  return result.exitCode;
}

/** `--today`: a real calendar day, so a typo never makes every waiver valid or expired. */
function calendarDate(value: string): string {
  if (!isCalendarDate(value)) throw new InvalidArgumentError(`"${value}" is not a date: write a real calendar day as YYYY-MM-DD, e.g. ${new Date().toISOString().slice(0, 10)}`);
  return value;
}

/**
 * `-C DIR` names a tenantctl repository: a missing folder, or one without fleet.ts, is said as
 * such instead of surfacing later as a file that does not compile.
 */
function checkRoot(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`-C ${dir}: no such directory`);
  }
  if (!isDir) throw new UsageError(`-C ${dir}: not a directory`);
  if (!existsSync(join(dir, 'fleet.ts'))) throw new UsageError(`${dir} is not a tenantctl repository: it has no fleet.ts (run tenantctl in the repository root, or pass it with -C)`);
}

/** The `version` of tenantctl's package.json: one place to bump, as npm's own `--version`. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(resolve(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} takes a whole number of at least 1, got "${value}"`);
  return n;
}

function parseTime(value: string): Date {
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(t.getTime())) throw new InvalidArgumentError(`--now takes an ISO 8601 time with a zone, e.g. 2026-11-23T03:00:00Z, got "${value}"`);
  return t;
}

/** Standard output, or `--output FILE` (its folder made if missing; a path that cannot be written is a usage error). */
function writeOutput(root: string, file: string | undefined, text: string, io: { out: (s: string) => void }): void {
  const t = text.endsWith('\n') ? text : text + '\n';
  if (!file) return io.out(t);
  const path = resolve(root, file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, t);
  } catch (error) {
    throw new UsageError(`--output ${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a writable path`);
  }
}

export async function main(argv: string[], io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) }): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * The exit code of a command that threw, after printing why: commander's usage errors exit 2,
 * an ExitError its code after its message, a UserError its code with the reason on one line and
 * the fix on the next; anything else is a defect in tenantctl: the stack and exit 70.
 */
export function reportError(error: unknown, io: { err: (s: string) => void }): number {
  if (error instanceof CommanderError) {
    // help and version exit 0; every other commander error is a usage error
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof ExitError) {
    if (error.message) io.err(error.message + '\n');
    return error.code;
  }
  if (error instanceof InputError) {
    io.err(formatIssues(error.issues) + '\n');
    return error.exitCode;
  }
  if (error instanceof UserError) {
    io.err(`tenantctl: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
    return error.exitCode;
  }
  io.err(`tenantctl: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nPlease report this with the command you ran.\n`);
  return EXIT.internal;
}
