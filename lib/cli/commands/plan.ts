/**
 * `tenantctl plan --base <ref>`: what merging the working tree would change in generated/,
 * per tenant environment, with risky changes flagged (for PR comments and reviews).
 *
 * Head: the working tree's sources, synthesized in-process by the current code.
 * Base: the ref's sources synthesized by the ref's OWN code: its tree is written to a temporary
 * directory, the current node_modules is symlinked into it and `node bin/tenantctl.mjs synth`
 * runs there. So the plan shows the effect of tenant edits AND of tier/compiler changes; reusing
 * the current code for the base would hide template changes. Fallbacks, each noted in the plan:
 * a base without bin/tenantctl.mjs, or whose synth fails, is read from its committed generated/
 * (what GitOps deploys from that ref); a base without either is empty.
 * Known approximation: the base runs with the head's node_modules (dependency bumps between the
 * two refs are attributed to the base).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTree } from '../../io/generated-tree.ts';
import { planChanges } from '../../plan/plan.ts';
import type { Plan, PlanSide } from '../../plan/types.ts';
import { renderPlanJson } from '../../report/plan-json.ts';
import { renderPlanMarkdown } from '../../report/plan-markdown.ts';
import { renderPlanText } from '../../report/plan-text.ts';
import type { ManifestFile } from '../../synth/layout.ts';
import { synthesizeWorkspace } from '../../workspace/compile.ts';
import { checkoutRef, synthesizeDir } from '../../workspace/ref.ts';

export type PlanFormat = 'text' | 'markdown' | 'json';
export const PLAN_FORMATS: readonly PlanFormat[] = ['text', 'markdown', 'json'];

export interface PlanCommandOptions {
  /** Repository root: holds fleet.ts, tenants/ and .git. */
  readonly root: string;
  /** Git ref to compare against (`origin/main`, a commit, a tag). */
  readonly base: string;
  readonly format: PlanFormat;
  /** Root of the running tenantctl (its lib/, tiers/, node_modules). @default this file's package */
  readonly packageRoot?: string;
  /** Markdown only: longest comment. @default 65000 */
  readonly maxLength?: number;
  /** Longest time the base synth may take, in ms. @default 300000 */
  readonly timeoutMs?: number;
}

export interface PlanCommandResult {
  readonly output: string;
  readonly plan: Plan;
}

const defaultPackageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function toFiles(tree: ReadonlyMap<string, string>): ManifestFile[] {
  return [...tree].map(([path, content]) => ({ path, content })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface BaseTree {
  readonly files: ManifestFile[];
  readonly from: PlanSide['from'];
  readonly notes: string[];
}

/** Runs the checkout's own CLI to synthesize its generated/; falls back as documented above. */
async function synthesizeCheckout(dir: string, timeoutMs: number): Promise<BaseTree> {
  const committed = (): ManifestFile[] => toFiles(readTree(join(dir, 'generated')));
  const bin = join(dir, 'bin', 'tenantctl.mjs');
  if (!existsSync(bin)) {
    const files = committed();
    return files.length
      ? { files, from: 'committed-generated', notes: ['the base has no bin/tenantctl.mjs: compared with its committed generated/'] }
      : { files, from: 'empty', notes: ['the base has neither bin/tenantctl.mjs nor generated/: every object counts as added'] };
  }
  const result = await synthesizeDir(dir, { bin, timeoutMs });
  if ('tree' in result) return { files: toFiles(result.tree), from: 'synthesized', notes: [] };
  return { files: committed(), from: 'committed-generated', notes: [`synthesizing the base with its own code failed (${result.error}); compared with its committed generated/ instead`] };
}

export async function planCommand(opts: PlanCommandOptions): Promise<PlanCommandResult> {
  const packageRoot = opts.packageRoot ?? defaultPackageRoot;
  // head first: invalid input in the working tree fails fast, before any checkout
  const head = (await synthesizeWorkspace(opts.root, packageRoot)).files;

  const nodeModules = [join(opts.root, 'node_modules'), join(packageRoot, 'node_modules')].find((p) => existsSync(p)) ?? join(packageRoot, 'node_modules');
  const checkout = await checkoutRef(opts.root, opts.base, nodeModules);
  let base: BaseTree;
  try {
    base = await synthesizeCheckout(checkout.root, opts.timeoutMs ?? 300_000);
  } finally {
    await checkout.cleanup();
  }

  const plan = planChanges(base.files, head, {
    base: { ref: opts.base, commit: checkout.commit, from: base.from },
    head: { ref: 'working tree', from: 'working-tree' },
    notes: base.notes,
  });
  const output =
    opts.format === 'json'
      ? renderPlanJson(plan)
      : opts.format === 'markdown'
        ? renderPlanMarkdown(plan, { maxLength: opts.maxLength, fullReportHint: `run \`npx tenantctl plan --base ${opts.base}\` locally` })
        : renderPlanText(plan);
  return { output, plan };
}
