/**
 * Cluster data in GitHub markdown, rendered by a real CommonMark + GFM renderer (micromark with
 * tables, autolink literals and tagfilter): it reads exactly as written, and links, mentions and
 * HTML from a cluster never become live.
 */
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../lib/audit/types.ts';
import { renderAuditMarkdown } from '../../lib/report/audit-markdown.ts';
import { code, md } from '../../lib/report/markdown-escape.ts';
import { links, mentions, renderGfm, visibleText } from '../pr/render-gfm.ts';

const HOSTILE = [
  'ping @octocat and @acme/platform-team',
  'see https://evil.example/login?next=/ and HTTP://x.example, www.evil.example or ftp://files.example',
  'mail ops@example.com or mailto:ops@example.com',
  '_https://hidden.example and (www.paren.example)',
  '<script>alert(1)</script> <img src=x onerror=alert(1)> [click](https://x.example) ![i](https://x.example/i.png)',
  'a | b `tick` *star* #1 ~strike~ &#64; &amp; \\back',
];

describe('md and code', () => {
  for (const text of HOSTILE) {
    it(`render ${JSON.stringify(text.slice(0, 30))} as the same text, with no link, mention or HTML from it`, () => {
      for (const markdown of [md(text), code(text), `| a | b |\n|---|---|\n| ${md(text)} | ${code(text)} |`]) {
        const html = renderGfm(markdown);
        expect(links(html), html).toEqual([]);
        expect(mentions(html), html).toEqual([]);
        expect(html).not.toMatch(/<(script|img)\b/);
      }
      expect(visibleText(renderGfm(md(text)))).toBe(text.replace(/\s+/g, ' '));
      expect(visibleText(renderGfm(code(text)))).toBe(text.replace(/\s+/g, ' '));
      // In a table cell too: one row of two cells, each the whole text.
      const table = renderGfm(`| a | b |\n|---|---|\n| ${md(text)} | ${code(text)} |`);
      const cells = [...table.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => visibleText(m[1]));
      expect(cells).toEqual([text.replace(/\s+/g, ' '), text.replace(/\s+/g, ' ')]);
    });
  }

  it('writes @ as itself, never as the entity &#64;', () => {
    expect(md('a@b')).not.toContain('&#64;');
    expect(visibleText(renderGfm(md('user@host')))).toBe('user@host');
  });
});

describe('the audit markdown report', () => {
  it('shows field managers and values from the cluster as text: no &#64;, no links, no mentions', () => {
    const report: AuditReport = {
      schemaVersion: 2, generatedAt: '2026-11-23T02:17:00.000Z', gitRef: 'HEAD',
      clusters: [{
        name: 'eu-1', status: 'ok', summary: { modified: 1, missing: 0, orphaned: 0, unmanaged: 0, policy: 0, evidence: 0 },
        findings: [{
          type: 'modified', tenant: 'acme', environment: 'production',
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'tenant-acme-production', name: 'odoo-web' },
          changes: [{ path: 'spec.template.spec.containers[name=odoo].env[name=HOOK]', desired: undefined, live: 'https://hooks.example/@ops',
            changedBy: { manager: '@octocat https://evil.example', operation: 'Update', time: '2026-11-22T14:03:00Z' } }],
        }],
      }],
    };
    const html = renderGfm(renderAuditMarkdown(report));
    expect(links(html)).toEqual([]);
    expect(mentions(html)).toEqual([]);
    expect(visibleText(html)).toContain('https://hooks.example/@ops');
    expect(visibleText(html)).toContain('@octocat https://evil.example, Update, 2026-11-22T14:03:00Z');
  });
});
