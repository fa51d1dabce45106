/**
 * Ignore rules, compiled once per run (globs and path patterns parsed up front, so a bad rule
 * fails before any comparison, naming the rule).
 */
import { globToRegExp } from '../model/glob.ts';
import { groupOf } from '../model/resource.ts';
import { compilePathPattern, type PathMatcher } from './path.ts';
import type { Change, DriftFinding, IgnoreRule } from './types.ts';

export interface CompiledIgnore {
  /** The finding with ignored changes removed, or undefined when nothing of it is left. */
  apply(finding: DriftFinding): DriftFinding | undefined;
}

function glob(pattern: string | undefined): (value: string | undefined) => boolean {
  if (pattern === undefined || pattern === '*') return () => true;
  const re = globToRegExp(pattern);
  return (value) => re.test(value ?? '');
}

interface Compiled {
  readonly resource: (f: DriftFinding) => boolean;
  readonly paths?: readonly PathMatcher[];
  readonly managers?: ReadonlyArray<(m: string | undefined) => boolean>;
}

function compileRule(rule: IgnoreRule, n: number): Compiled {
  const group = glob(rule.group);
  const kind = glob(rule.kind);
  const namespace = glob(rule.namespace);
  const name = glob(rule.name);
  const types = rule.types ? new Set(rule.types) : undefined;
  let paths: PathMatcher[] | undefined;
  try {
    paths = rule.paths?.map(compilePathPattern);
  } catch (e) {
    throw new Error(`ignore rule ${n + 1}${rule.reason ? ` (${rule.reason})` : ''}: ${(e as Error).message}; ` +
      'write paths like spec.replicas, spec.template.spec.containers[name=odoo].image or spec.routes[*].match', { cause: e });
  }
  return {
    resource: (f) => (!types || types.has(f.type)) && group(groupOf(f.resource.apiVersion)) && kind(f.resource.kind) &&
      namespace(f.resource.namespace) && name(f.resource.name),
    paths,
    managers: rule.managers?.map((m) => glob(m)),
  };
}

function dropsChange(rule: Compiled, change: Change): boolean {
  const byPath = !rule.paths || rule.paths.some((p) => p(change.path));
  const byManager = !rule.managers || rule.managers.some((m) => m(change.changedBy?.manager));
  return byPath && byManager;
}

export function compileIgnoreRules(rules: readonly IgnoreRule[] = []): CompiledIgnore {
  const compiled = rules.map(compileRule);
  return {
    apply(finding) {
      const matching = compiled.filter((r) => r.resource(finding));
      if (matching.length === 0) return finding;
      if (matching.some((r) => !r.paths && !r.managers)) return undefined;
      if (finding.type !== 'modified' || !finding.changes) return finding;
      const changes = finding.changes.filter((c) => !matching.some((r) => dropsChange(r, c)));
      if (changes.length === 0) return undefined;
      return changes.length === finding.changes.length ? finding : { ...finding, changes };
    },
  };
}
