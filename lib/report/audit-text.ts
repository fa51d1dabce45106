/**
 * An audit report as terminal text, read like `kubectl diff` or `argocd app diff`: one block per
 * cluster (status and counts first, then why it could not be audited or one line per finding
 * with its changed fields indented), and a summary line last so a scrolled terminal shows it.
 */
import { perEngineVerdict } from './sync-verdict.ts';
import type { AuditFinding, AuditReport, ClusterReport } from '../audit/types.ts';
import type { FindingType } from '../drift/types.ts';
import {
  CONTROLLER_OUTPUT,
  SUMMARY_ORDER,
  summaryOrder,
  describeManager,
  describeShard,
  describeSource,
  formatValue,
  ownerOf,
  plural,
  resourceId,
  safeText,
  summaryLine,
} from './audit-values.ts';
import { sourceText } from './audit-recoverability.ts';
import { recoverabilityTextLines } from './audit-recoverability-text.ts';

/** Options of renderAuditText; the text itself is fixed so scripts and people read the same lines. */
export interface AuditTextOptions {
  /** ANSI colours (the CLI turns them on for a TTY without NO_COLOR). @default false */
  readonly color?: boolean;
}

type Paint = (code: string, text: string) => string;

const TYPE_COLOR: Record<FindingType, string> = { missing: '31', modified: '33', policy: '35', orphaned: '36', unmanaged: '34', evidence: '91' };
const STATUS_COLOR = { ok: '32', unreachable: '31', error: '31' } as const;
const TYPE_WIDTH = Math.max(...SUMMARY_ORDER.map((t) => t.length));

function clusterHeader(c: ClusterReport, paint: Paint): string {
  const status = paint(`1;${STATUS_COLOR[c.status]}`, c.status);
  const where = c.context ? ` (context ${safeText(c.context)})` : '';
  if (c.status !== 'ok') return `${paint('1', `cluster ${safeText(c.name)}`)}${where}: ${status}`;
  const counts = summaryOrder([c]).map((t) => `${c.summary[t]} ${t}`).join(', ');
  const objects = c.objects ? `; ${plural(c.objects.desired, 'desired object')}, ${c.objects.live} live` : '';
  return `${paint('1', `cluster ${safeText(c.name)}`)}${where}: ${status}, ${plural(c.findings.length, 'finding')} (${counts})${objects}`;
}

function clusterError(c: ClusterReport, paint: Paint): string[] {
  const d = c.errorDetail;
  if (!d) return [`  ${paint('31', 'error')}: ${safeText(c.error ?? `cluster is ${c.status}`)}`];
  return [`  ${paint('31', `error (${d.code})`)}: ${safeText(d.message)}`, `  fix: ${safeText(d.fix)}`];
}

function verdict(f: AuditFinding): string {
  if (f.confirmError) return `  [dry-run refused: ${safeText(f.confirmError.split('\n')[0])}]`;
  if (f.confirmed === undefined) return '';
  const engines = perEngineVerdict(f);
  if (engines) return `  [${f.confirmed ? 'confirmed' : 'not confirmed'}: ${engines}]`;
  return f.confirmed ? '  [confirmed: a sync reverts it]' : '  [a sync does not revert it: Git leaves the field unset]';
}

function findingLines(f: AuditFinding, paint: Paint): string[] {
  const owner = ownerOf(f);
  const head = `  ${paint(TYPE_COLOR[f.type], f.type.toUpperCase().padEnd(TYPE_WIDTH))}  ${resourceId(f.resource)}${owner ? ` (${owner})` : ''}${verdict(f)}`;
  const out = [head];
  for (const ch of f.changes ?? []) {
    const by = ch.changedBy ? paint('2', `  (by ${describeManager(ch.changedBy)})`) : '';
    out.push(`      ${safeText(ch.path)}: ${f.derivedFrom ? CONTROLLER_OUTPUT : formatValue(ch.desired)} → ${formatValue(ch.live)}${by}`);
  }
  if (f.derivedFrom) out.push(`      ${paint('2', `made by a controller from ${safeText(f.derivedFrom.kind)}/${safeText(f.derivedFrom.name)}; the changes above were written over its output`)}`);
  else if (f.createdBy) out.push(`      ${paint('2', `created by ${describeManager(f.createdBy)}`)}`);
  const p = f.policy;
  if (p) {
    out.push(`      ${safeText(p.id)} (${p.severity}): ${safeText(p.message)}`);
    if (p.path) out.push(`      at ${safeText(p.path)}`);
    if (p.fix) out.push(`      fix: ${safeText(p.fix)}`);
  }
  const e = f.evidence;
  if (e) {
    out.push(`      evidence/${e.check}: ${safeText(e.message ?? e.observed)}`);
    out.push(`      promise: ${safeText(e.promise)}; observed: ${safeText(e.observed)} (${sourceText(e)})`);
    if (e.fix) out.push(`      fix: ${safeText(e.fix)}`);
  }
  return out;
}

/** Terminal text of an audit report; the CLI prints it as is. */
export function renderAuditText(report: AuditReport, options: AuditTextOptions = {}): string {
  const paint: Paint = options.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  const shard = describeShard(report);
  const out = [`tenantctl audit: generated/ at ${describeSource(report)}, ${safeText(report.generatedAt)}${shard ? `, ${shard}` : ''}`];
  for (const c of report.clusters) {
    out.push('', clusterHeader(c, paint));
    if (c.status !== 'ok') out.push(...clusterError(c, paint));
    if (c.unscanned?.length) out.push(`  ${paint('33', 'not scanned')}: ${c.unscanned.map((k) => safeText(k)).join(', ')} (the server refused to list them: hand-made objects of these kinds were not looked for)`);
    for (const f of c.findings) out.push(...findingLines(f, paint));
    out.push(...recoverabilityTextLines(c, paint));
  }
  out.push('', paint('1', summaryLine(report)));
  return `${out.join('\n')}\n`;
}
