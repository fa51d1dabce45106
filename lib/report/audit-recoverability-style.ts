/** Styles of the HTML recoverability view, apart so the stylesheet module imports no renderer. */

/** Background of a recoverability cell or row by verdict; exported so tests compare computed colours. */
export const VERDICT_COLOURS = { ok: '#c8f0d2', violated: '#ffc1c0', 'no-evidence': '#fff1a8', waived: '#eceff3' } as const;

export const RECOVERABILITY_STYLE = `
.rec-ok { background: ${VERDICT_COLOURS.ok}; }
.rec-violated { background: ${VERDICT_COLOURS.violated}; }
.rec-no-evidence { background: ${VERDICT_COLOURS['no-evidence']}; }
.rec-waived { background: ${VERDICT_COLOURS.waived}; }
td.recoverability a { display: block; color: inherit; text-decoration: none; }
section.recoverability { margin: 12px 0 0 8px; }
table.evidence { width: 100%; margin: 6px 0 12px; border-collapse: collapse; }
table.evidence th, table.evidence td { padding: 3px 8px; border: 1px solid #d0d7de; text-align: left; vertical-align: top; }
table.evidence thead th { background: #f6f8fa; }
table.evidence td.source code { overflow-wrap: anywhere; }
table.evidence td.age { white-space: nowrap; }
table.evidence .why { display: block; margin-top: 2px; color: #59636e; }
`;

