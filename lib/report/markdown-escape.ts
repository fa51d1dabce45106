/**
 * Escaping for GitHub-flavoured markdown built from cluster data (names, values, messages), which
 * is untrusted: no HTML, no links or images, no table breaks, no @mentions, no notifications.
 *
 * The rendered text must read exactly as the cluster wrote it (a reviewer copies values out of
 * it), so nothing is replaced by look-alikes or invisible characters: markdown syntax is
 * backslash-escaped, HTML syntax becomes entities, and what GitHub would turn into a link or a
 * mention is broken up in the source only. GFM autolinks `http(s)://`, `www.` and e-mail
 * addresses in the markdown source (a backslash escape before `:` or `.` stops that); mentions
 * are linked later, in the HTML, on any text node outside `code`, `pre` and `a` that holds `@name`
 * (so `\@` would not help): an `@` in a `<span>` of its own ends up in a text node of its own.
 */
import { safeText } from './audit-values.ts';

/** Where GitHub's autolink-literal extension starts a link: a scheme with `//`, `www.`, mailto:/xmpp:. */
const LINK_STARTS = /((?:https?|ftp|mailto|xmpp):)|(www)\./gi;

/** Text safe in a paragraph or a table cell; renders as `text` (control characters shown as `\uXXXX`). */
export function md(text: string): string {
  return safeText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~#!])/g, '\\$1')
    .replace(LINK_STARTS, (_m, scheme: string | undefined, www: string | undefined) => (scheme ? `${scheme.slice(0, -1)}\\:` : `${www}\\.`))
    .replace(/@/g, '<span>@</span>');
}

/** A value or identity in monospace; escaped like md, so it is safe in table cells too. */
export function code(text: string): string {
  return `<code>${md(text)}</code>`;
}
