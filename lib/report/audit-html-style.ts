/**
 * The HTML audit report's stylesheet, inlined so the report is one file that opens offline, from
 * a CI artifact or an e-mail, without fetching anything. System fonts only.
 */
import type { FindingType } from '../drift/types.ts';
import { RECOVERABILITY_STYLE } from './audit-recoverability-style.ts';

/**
 * Background of an overview cell by the worst finding in it; exported so tests can compare the
 * computed colour instead of trusting a class name.
 */
export const CELL_COLOURS: Readonly<Record<FindingType | 'clean', string>> = {
  missing: '#ffc1c0',
  modified: '#ffd8a8',
  policy: '#e2d1f9',
  orphaned: '#fff1a8',
  unmanaged: '#cfe2f7',
  evidence: '#f7c6e0',
  clean: '#c8f0d2',
};

/** Whole-row background of a cluster that could not be audited. */
export const STATUS_COLOURS = { unreachable: '#dde1e6', error: '#f5b5b5' } as const;

const typeRules = Object.entries(CELL_COLOURS)
  .map(([type, colour]) => `.worst-${type}, .type-${type} { background: ${colour}; }`)
  .join('\n');

export const AUDIT_HTML_STYLE = `
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { scroll-padding-top: 64px; }
body { margin: 0; color: #1f2328; background: #fff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
header { padding: 16px 24px; background: #f6f8fa; border-bottom: 1px solid #d0d7de; }
header h1 { margin: 0 0 4px; font-size: 20px; }
.meta { margin: 2px 0; color: #59636e; }
.summary { margin: 8px 0 0; font-weight: 600; }
main { padding: 0 24px 48px; }
.controls { position: sticky; top: 0; z-index: 3; display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 10px 0; background: #fff; border-bottom: 1px solid #d0d7de; }
.controls input[type=search] { width: 24em; max-width: 100%; padding: 4px 8px; font: inherit; border: 1px solid #d0d7de; border-radius: 6px; }
.controls .shown { color: #59636e; }
h2 { margin: 24px 0 8px; font-size: 18px; }
h3 { margin: 16px 0 6px; font-size: 16px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 8px; padding: 0; list-style: none; }
.legend li { padding: 1px 8px; border: 1px solid #d0d7de; border-radius: 10px; font-size: 12px; }
.overview-wrap { overflow-x: auto; max-width: 100%; }
table.overview { border-collapse: collapse; }
table.overview th, table.overview td { padding: 4px 10px; border: 1px solid #d0d7de; text-align: center; white-space: nowrap; }
table.overview thead th { background: #f6f8fa; font-weight: 600; }
table.overview th.cluster { position: sticky; left: 0; z-index: 1; text-align: left; background: #fff; }
table.overview td.cell a { display: block; color: inherit; text-decoration: none; }
table.overview td.cell a:hover, table.overview td.cell a:focus { text-decoration: underline; }
table.overview td.cell .n { font-weight: 700; }
table.overview td.cell .w { font-size: 12px; }
table.overview td.cell .count { display: block; text-align: left; }
table.overview td.dimmed { opacity: 0.25; }
tr.status-unreachable td.cluster-error, tr.status-unreachable td.status { background: ${STATUS_COLOURS.unreachable}; }
tr.status-error td.cluster-error, tr.status-error td.status { background: ${STATUS_COLOURS.error}; }
td.cluster-error { text-align: left !important; white-space: normal !important; }
td.not-placed { background: #f6f8fa; }
${typeRules}
.status-ok .status { color: #1a7f37; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; border: 1px solid rgba(31, 35, 40, 0.15); }
.badge.status-ok { background: ${CELL_COLOURS.clean}; }
.badge.status-unreachable { background: ${STATUS_COLOURS.unreachable}; }
.badge.status-error { background: ${STATUS_COLOURS.error}; }
section.cluster { margin-top: 24px; padding-top: 4px; border-top: 2px solid #d0d7de; }
section.tenant { margin: 12px 0 0 8px; padding: 4px 12px 8px; border-left: 4px solid #d0d7de; }
section.tenant:target, section.cluster:target { outline: 3px solid #0969da; outline-offset: 2px; }
.error-box { padding: 8px 12px; border-radius: 6px; background: ${STATUS_COLOURS.error}; }
.status-unreachable .error-box { background: ${STATUS_COLOURS.unreachable}; }
.error-box p { margin: 4px 0; }
.clean { color: #1a7f37; }
.counts { margin-left: 8px; color: #59636e; font-size: 13px; font-weight: normal; }
article.finding { margin: 8px 0; padding: 8px 12px; border: 1px solid #d0d7de; border-radius: 6px; }
.finding-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.finding-head .env, .finding-head .api, .explain, .by { color: #59636e; }
.finding-head .verdict { font-size: 12px; }
.explain { margin: 6px 0 0; }
table.diff { width: 100%; margin-top: 8px; border-collapse: collapse; table-layout: fixed; }
table.diff th, table.diff td { padding: 4px 8px; border: 1px solid #d0d7de; text-align: left; vertical-align: top; }
table.diff thead th { background: #f6f8fa; width: 50%; }
table.diff th.path { background: #f6f8fa; font-weight: normal; }
table.diff th.path .by { float: right; margin-left: 12px; font-size: 12px; }
table.diff td.desired { background: #eaf5ff; }
table.diff td.live { background: #fff4e5; }
table.diff pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.absent { color: #59636e; font-style: italic; }
dl.policy { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0 0; }
dl.policy dt { color: #59636e; }
dl.policy dd { margin: 0; overflow-wrap: anywhere; }
.sev-error { color: #cf222e; font-weight: 600; }
.sev-warning { color: #9a6700; font-weight: 600; }
${RECOVERABILITY_STYLE}
`;
