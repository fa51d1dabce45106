/**
 * Escaping for GitHub-flavoured markdown built from cluster data (names, values, messages), which
 * is untrusted: no HTML, no links or images, no table breaks, no @mentions.
 */
import { safeText } from './audit-values.ts';

/** Text safe in a paragraph or a table cell. */
export function md(text: string): string {
  return safeText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/([\\`*_[\]|~#!])/g, '\\$1');
}

/** A value or identity in monospace; escaped like md, so it is safe in table cells too. */
export function code(text: string): string {
  return `<code>${md(text)}</code>`;
}
