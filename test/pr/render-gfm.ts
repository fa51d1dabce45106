/**
 * Renders markdown the way GitHub does before it post-processes the HTML: CommonMark with the GFM
 * extensions (tables, autolink literals, strikethrough, tagfilter), raw HTML kept as GitHub's
 * sanitizer keeps `<code>`, `<span>`, `<details>`. On top, what GitHub does to the HTML that a
 * renderer does not: @mentions in text outside `code`, `pre` and `a`.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

export function renderGfm(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** Text of HTML as a reader sees it (tags dropped, entities decoded), whitespace runs as one space. */
export function visibleText(html: string): string {
  return decode(html.replace(/<br\s*\/?>/g, ' ').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? m));
}

/** Links the HTML holds (GFM autolinks, markdown links): `href`s. */
export function links(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((m) => m[1]);
}

/** GitHub's mention filter: `@name` in a text node outside code, pre and a, after a non-word character or at the start. */
const MENTION = /(?:^|[^\w`])@([a-z0-9][a-z0-9-]*)(?!\/)/gi;

/** The names GitHub would notify for this HTML. */
export function mentions(html: string): string[] {
  const outside = html.replace(/<(code|pre|a)\b[^>]*>[\s\S]*?<\/\1>/g, '<x>');
  const textNodes = outside.split(/<[^>]*>/).map(decode);
  return textNodes.flatMap((t) => [...t.matchAll(MENTION)].map((m) => m[1]));
}
