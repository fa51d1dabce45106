import type { Issue } from '../model/issue.ts';

/** Renders input issues the way kubectl and cdk8s do: where, what, then how to fix it. */
export function formatIssues(issues: readonly Issue[]): string {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = issue.path ? `${issue.file}: ${issue.path}` : issue.file;
    lines.push(`${where}: ${issue.message}`);
    if (issue.fix) lines.push(`  fix: ${issue.fix}`);
  }
  lines.push('', `${issues.length} problem${issues.length === 1 ? '' : 's'} found; generated/ was not changed.`);
  return lines.join('\n');
}
