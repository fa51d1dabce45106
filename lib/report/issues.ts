import type { Issue } from '../model/issue.ts';

/** Renders input issues the way kubectl and cdk8s do: where, what, then how to fix it. */
export function formatIssues(issues: readonly Issue[]): string {
  const lines: string[] = [];
  for (const issue of issues) {
    const file = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
    const where = issue.path ? `${file}: ${issue.path}` : file;
    lines.push(`${where}: ${issue.message}`);
    if (issue.fix) lines.push(`  fix: ${issue.fix}`);
  }
  lines.push('', `${issues.length} problem${issues.length === 1 ? '' : 's'} found; generated/ was not changed.`);
  return lines.join('\n');
}
