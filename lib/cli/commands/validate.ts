/**
 * `tenantctl validate`: strict schema validation of every object in generated/ against the
 * vendored Kubernetes and CRD schemas, and the policies, with waivers from the tenant files.
 * What CI runs on every pull request; the same policies later run on live objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SourcePositions } from '../../model/issue.ts';
import { countFindings, policyTiers } from '../../policy/engine.ts';
import type { Finding } from '../../policy/types.ts';
import { renderFindingsJson } from '../../report/findings-json.ts';
import { renderFindingsMarkdown } from '../../report/findings-markdown.ts';
import { renderFindingsText } from '../../report/findings-text.ts';
import { schemaFindingsAsFindings } from '../../report/rules.ts';
import { renderSarif } from '../../report/sarif.ts';
import { checkTree, type PolicyInputs } from '../../validate/check-tree.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export type FindingsFormat = 'text' | 'json' | 'sarif' | 'markdown';
export const FINDINGS_FORMATS: readonly FindingsFormat[] = ['text', 'json', 'sarif', 'markdown'];

export interface ValidateCommandOptions {
  readonly root: string;
  readonly packageRoot: string;
  readonly format: FindingsFormat;
  /** YYYY-MM-DD; waivers expire against it. */
  readonly today: string;
}

export async function validateCommand(o: ValidateCommandOptions): Promise<{ output: string; findings: Finding[]; errors: number }> {
  // Read, validated and checked by policy on every core (validators compiled once per kind, kept in
  // the user cache), started first so that the other threads work while this one compiles the tenant files.
  // The compiler (with the tier templates: cdk8s, the `yaml` package) loads only then: the worker
  // threads start reading while this thread loads it.
  let inputs!: { resolve: (i: PolicyInputs) => void; reject: (error: unknown) => void };
  const policies = new Promise<PolicyInputs>((resolve, reject) => (inputs = { resolve, reject }));
  const checking = checkTree(join(o.root, 'generated'), { base: o.root, root: o.packageRoot, today: o.today, policies });
  const compiling = import('../../workspace/compile.ts').then(({ compileWorkspace }) => compileWorkspace(o.root));
  compiling.then((c) => inputs.resolve({ clusters: c.fleet.clusters, environments: c.environments, fleet: c.fleet, tiers: policyTiers(c.templates.tiers) }), inputs.reject);
  let compiled;
  try {
    compiled = await compiling;
  } catch (error) {
    // Bad input is reported at once; the reading is not waited for.
    checking.catch(() => undefined);
    throw error;
  }
  const { objects, problems, findings: invalid, policyFindings } = await checking;
  const schema = schemaFindingsAsFindings([...problems, ...invalid], compiled.environments);
  const findings = [...schema, ...policyFindings];
  const counts = countFindings(findings);
  let output: string;
  switch (o.format) {
    case 'json':
      output = renderFindingsJson(findings);
      break;
    case 'markdown':
      output = renderFindingsMarkdown(findings, { title: 'tenantctl validate' });
      break;
    case 'sarif': {
      const sources = new Map<string, string>();
      for (const file of ['fleet.ts', ...new Set(compiled.environments.map((e) => e.tenant.file))]) sources.set(file, readFileSync(join(o.root, file), 'utf8'));
      // The positions compile errors use; unchanged files come from the read cache.
      const positions = new Map<string, SourcePositions>();
      const { isIssue, loadInputs } = await import('../../io/load-modules.ts');
      for (const t of (await loadInputs(o.root)).tenants) if (!isIssue(t) && t.positions) positions.set(t.file, t.positions);
      output = renderSarif(findings, { sources, positions });
      break;
    }
    default:
      output = `${renderFindingsText(findings)}\nvalidated ${plural(objects, 'object')}: ${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}, ${counts.waived} waived\n`;
  }
  return { output, findings, errors: counts.errors };
}
