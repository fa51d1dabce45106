/**
 * An audit report as one self-contained HTML page, the artifact a nightly audit publishes: a
 * fleet overview (clusters × tenants, each cell coloured by its worst finding), per-tenant detail
 * with side-by-side desired/live diffs, and a small filter script.
 *
 * Everything is rendered here, server-side, and every value is escaped: findings carry what live
 * clusters hold, so they are untrusted. A Content-Security-Policy allows only the page's own style
 * and script (by hash) and no network at all, so even a missed escape could neither run code nor
 * call home. Output is deterministic: no clock, no random ids; ids derive from names.
 */
import { createHash } from 'node:crypto';
import type { AuditFinding, AuditReport, ClusterReport } from '../audit/types.ts';
import { SEVERITY_OF_TYPE } from '../audit/types.ts';
import type { Change, FindingType } from '../drift/types.ts';
import { AUDIT_HTML_SCRIPT } from './audit-html-script.ts';
import { AUDIT_HTML_STYLE } from './audit-html-style.ts';
import { evidenceDetails, recoverabilityCell, recoverabilitySection } from './audit-recoverability-html.ts';
import {
  CLUSTER_SCOPE,
  CONTROLLER_OUTPUT,
  countsText,
  describeManager,
  describeShard,
  findingsByTenant,
  formatValue,
  formatValueBlock,
  isAbsentValue,
  plural,
  resourceId,
  safeText,
  summaryLine,
  tenantsOf,
  worstType,
} from './audit-values.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and quoted attributes alike (newlines are harmless in both). */
export function escapeHtml(text: string): string {
  return safeText(text, true).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
const h = escapeHtml;

const EXPLAIN: Record<FindingType, string> = {
  missing: 'In generated/, not on the cluster.',
  modified: 'On the cluster, but different from generated/.',
  orphaned: 'On the cluster and labelled as made by tenantctl, but no longer in generated/.',
  unmanaged: 'On the cluster in a tenant namespace, made outside tenantctl and not by a controller.',
  policy: 'The live object breaks a policy.',
  evidence: 'The live status disproves a promise (backups, restore tests, certificates, replicas); Git cannot fix it.',
};

/** Stable, unique element ids from cluster and tenant names (DNS labels, but not trusted to be). */
class Ids {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, string>();

  of(key: string, base: string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    let id = base.replace(/[^A-Za-z0-9_.-]/g, '_');
    for (let n = 2; this.used.has(id); n++) id = `${base.replace(/[^A-Za-z0-9_.-]/g, '_')}-${n}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }

  cluster(cluster: string): string {
    return this.of(`c\u0000${cluster}`, `cluster-${cluster}`);
  }

  tenant(cluster: string, tenant: string): string {
    return this.of(`t\u0000${cluster}\u0000${tenant}`, `tenant-${cluster}-${tenant === CLUSTER_SCOPE ? '_cluster' : tenant}`);
  }
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;


function header(report: AuditReport): string {
  const commit = report.gitCommit ? ` @ <code data-testid="git-commit" title="${h(report.gitCommit)}">${h(report.gitCommit.slice(0, 12))}</code>` : '';
  const shard = describeShard(report);
  return `<header data-testid="report-header">
<h1>tenantctl audit</h1>
<p class="meta">generated/ at <code data-testid="git-ref">${h(report.gitRef)}</code>${commit} · <time data-testid="generated-at" datetime="${h(report.generatedAt)}">${h(report.generatedAt)}</time>${shard ? ` · <span data-testid="shard">${h(shard)}</span>` : ''}</p>
<p class="summary" data-testid="summary">${h(summaryLine(report))}</p>
</header>`;
}

function controls(total: number): string {
  return `<div class="controls">
<label>Filter <input id="filter" type="search" data-testid="filter" placeholder="tenant, resource, path, manager, policy…" autocomplete="off"></label>
<label><input id="findings-only" type="checkbox" data-testid="findings-only"> findings only</label>
<span id="shown" class="shown" data-testid="shown-count">${plural(total, 'finding')}</span>
</div>`;
}

function legend(): string {
  const items = [...SEVERITY_OF_TYPE, 'clean' as const].map((t) => `<li class="worst-${t}">${t === 'clean' ? 'no findings' : t}</li>`);
  items.push('<li class="cluster-error-legend">grey row: unreachable; red row: error</li>');
  return `<ul class="legend" aria-label="legend, worst first">${items.join('')}</ul>`;
}

function overviewCell(c: ClusterReport, tenant: string, findings: readonly AuditFinding[], ids: Ids): string {
  const worst = worstType(findings) ?? 'clean';
  const attrs = `data-cluster="${h(c.name)}" data-tenant="${h(tenant)}" data-worst="${worst}" data-findings="${findings.length}"`;
  if (!findings.length) {
    const target = ids.cluster(c.name);
    return `<td class="cell worst-clean" data-testid="overview-cell" ${attrs} data-target="${target}" title="no findings"><a href="#${target}">✓</a></td>`;
  }
  const target = ids.tenant(c.name, tenant);
  // One line per finding type, worst first: `1 missing`, `13 policy`; never the total under the worst type's name.
  const counts = SEVERITY_OF_TYPE.map((t) => [t, findings.filter((f) => f.type === t).length] as const).filter(([, n]) => n > 0)
    .map(([t, n]) => `<span class="count t-${t}" data-type="${t}" data-count="${n}"><span class="n">${n}</span> <span class="w">${t}</span></span>`).join('');
  return `<td class="cell worst-${worst}" data-testid="overview-cell" ${attrs} data-target="${target}" title="${h(countsText(findings))}"><a href="#${target}">${counts}</a></td>`;
}

function overview(report: AuditReport, ids: Ids): string {
  const tenants = tenantsOf(report);
  const head = tenants.map((t) => `<th scope="col" data-tenant="${h(t)}">${h(t)}</th>`).join('');
  const rows = report.clusters.map((c) => {
    const target = ids.cluster(c.name);
    const row = `data-testid="overview-row" data-cluster="${h(c.name)}" data-status="${c.status}" data-findings="${c.findings.length}" data-target="${target}"`;
    const name = `<th scope="row" class="cluster"><a href="#${target}">${h(c.name)}</a></th><td class="status">${c.status}</td>${recoverabilityCell(c, ids)}`;
    if (c.status !== 'ok') {
      const reason = c.errorDetail ? `${c.errorDetail.message} (fix: ${c.errorDetail.fix})` : (c.error ?? `cluster is ${c.status}`);
      const span = Math.max(1, tenants.length);
      return `<tr class="status-${c.status}" ${row}>${name}<td class="cluster-error" colspan="${span}" data-testid="overview-error" data-cluster="${h(c.name)}">${h(reason)}</td></tr>`;
    }
    const byTenant = new Map(findingsByTenant(c));
    const cells = tenants
      .map((t) => {
        const found = byTenant.get(t) ?? [];
        // A tenant the cluster does not host: an empty cell, not a green one.
        if (!found.length && c.tenants && t !== CLUSTER_SCOPE && !c.tenants.includes(t)) {
          return `<td class="cell not-placed" data-testid="overview-cell" data-cluster="${h(c.name)}" data-tenant="${h(t)}" data-worst="none" title="not on this cluster"></td>`;
        }
        return overviewCell(c, t, found, ids);
      })
      .join('');
    return `<tr class="status-ok" ${row}>${name}${cells || '<td class="clean">no findings</td>'}</tr>`;
  });
  return `<section id="overview" aria-labelledby="overview-title">
<h2 id="overview-title">Fleet overview</h2>
${legend()}
<div class="overview-wrap"><table class="overview" data-testid="overview">
<thead><tr><th scope="col" class="cluster">cluster</th><th scope="col">status</th><th scope="col">recoverability</th>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
</section>`;
}

function valueCell(side: 'desired' | 'live', value: unknown): string {
  const body = isAbsentValue(value) ? `<span class="absent">${h(formatValue(value))}</span>` : `<pre>${h(formatValueBlock(value))}</pre>`;
  return `<td class="${side}" data-testid="diff-${side}">${body}</td>`;
}

function diffTable(changes: readonly Change[], derived: boolean): string {
  const bodies = changes.map((ch) => {
    const by = ch.changedBy ? `<span class="by" data-testid="changed-by">changed by ${h(describeManager(ch.changedBy))}</span>` : '';
    return `<tbody data-testid="diff-change" data-path="${h(ch.path)}">
<tr><th colspan="2" scope="rowgroup" class="path"><code>${h(ch.path)}</code>${by}</th></tr>
<tr data-testid="diff-row" data-path="${h(ch.path)}">${derived ? `<td class="desired" data-testid="diff-desired"><span class="absent">${h(CONTROLLER_OUTPUT)}</span></td>` : valueCell('desired', ch.desired)}${valueCell('live', ch.live)}</tr>
</tbody>`;
  });
  return `<table class="diff" data-testid="diff">
<thead><tr><th scope="col">desired (generated/)</th><th scope="col">live (cluster)</th></tr></thead>
${bodies.join('\n')}
</table>`;
}

function policyList(f: AuditFinding): string {
  const p = f.policy;
  if (!p) return '';
  const rows = [
    ['policy', `<code>${h(p.id)}</code>`],
    ['severity', `<span class="sev-${p.severity === 'error' ? 'error' : 'warning'}">${h(p.severity)}</span>`],
    ['message', h(p.message)],
    ...(p.path ? [['at', `<code>${h(p.path)}</code>`]] : []),
    ...(p.fix ? [['fix', h(p.fix)]] : []),
  ];
  return `<dl class="policy" data-testid="policy">${rows.map(([k, v]) => `<dt>${k}</dt><dd data-field="${k}">${v}</dd>`).join('')}</dl>`;
}

function searchText(cluster: string, f: AuditFinding): string {
  const parts = [cluster, f.tenant ?? CLUSTER_SCOPE, f.environment, f.type, resourceId(f.resource), f.resource.apiVersion];
  for (const ch of f.changes ?? []) parts.push(ch.path, ch.changedBy?.manager);
  if (f.createdBy) parts.push(f.createdBy.manager);
  if (f.policy) parts.push(f.policy.id, f.policy.severity, f.policy.message);
  if (f.evidence) parts.push(`evidence/${f.evidence.check}`, f.evidence.message);
  return parts.filter(Boolean).join(' ').toLowerCase();
}

function finding(cluster: string, f: AuditFinding): string {
  const verdict = f.confirmError ? `<span class="verdict">dry-run refused: ${h(f.confirmError.split('\n')[0])}</span>` : f.confirmed === undefined ? '' : `<span class="verdict">${f.confirmed ? 'confirmed: a sync reverts it' : 'a sync does not revert it (Git leaves the field unset)'}</span>`;
  const created = f.createdBy ? `<p class="by">created by ${h(describeManager(f.createdBy))}</p>` : '';
  const env = f.environment ? `<span class="env" data-testid="environment">${h(f.environment)}</span>` : '';
  return `<article class="finding" data-testid="finding" data-type="${f.type}" data-resource="${h(resourceId(f.resource))}" data-search="${h(searchText(cluster, f))}">
<div class="finding-head"><span class="badge type-${f.type}" data-testid="type-badge">${f.type}</span><code class="resource" data-testid="resource">${h(resourceId(f.resource))}</code>${env}<span class="api">${h(f.resource.apiVersion)}</span>${verdict}</div>
<p class="explain">${f.derivedFrom ? `Made by a controller from ${h(f.derivedFrom.kind)}/${h(f.derivedFrom.name)}; a person changed these fields.` : EXPLAIN[f.type]}</p>${created}
${f.changes?.length ? diffTable(f.changes, Boolean(f.derivedFrom)) : ''}${policyList(f)}${evidenceDetails(f)}
</article>`;
}

function clusterSection(c: ClusterReport, ids: Ids): string {
  const facts = [c.context && `context ${c.context}`, c.server, c.objects && `${plural(c.objects.desired, 'desired object')}, ${c.objects.live} live`, c.status === 'ok' && plural(c.findings.length, 'finding')].filter(Boolean) as string[];
  const parts = [`<h2>${h(c.name)} <span class="badge status-${c.status}">${c.status}</span></h2>`, `<p class="meta">${facts.map(h).join(' · ')}</p>`];
  if (c.status !== 'ok') {
    const d = c.errorDetail;
    const message = d ? `${d.code}: ${d.message}` : (c.error ?? `cluster is ${c.status}`);
    parts.push(`<div class="error-box" data-testid="cluster-error"><p>${h(message)}</p>${d ? `<p>fix: ${h(d.fix)}</p>` : ''}</div>`);
  } else if (!c.findings.length) {
    parts.push('<p class="clean">No findings: the cluster matches generated/.</p>');
  }
  for (const [tenant, findings] of findingsByTenant(c)) {
    const worst = worstType(findings) ?? 'clean';
    parts.push(`<section class="tenant" id="${ids.tenant(c.name, tenant)}" data-testid="tenant-section" data-cluster="${h(c.name)}" data-tenant="${h(tenant)}" data-worst="${worst}">
<h3>${h(tenant)} <span class="counts">${h(countsText(findings))}</span></h3>
${findings.map((f) => finding(c.name, f)).join('\n')}
</section>`);
  }
  parts.push(recoverabilitySection(c, ids));
  const search = `${c.name} ${c.error ?? ''}`.toLowerCase();
  return `<section class="cluster status-${c.status}" id="${ids.cluster(c.name)}" data-testid="cluster-section" data-cluster="${h(c.name)}" data-status="${c.status}" data-findings="${c.findings.length}" data-search="${h(search)}">
${parts.join('\n')}
</section>`;
}

/** The whole report as one HTML page: same report, same bytes. */
export function renderAuditHtml(report: AuditReport): string {
  const ids = new Ids();
  const total = report.clusters.reduce((n, c) => n + c.findings.length, 0);
  // Only constants and base64 hashes: safe in a double-quoted attribute as is.
  const csp = `default-src 'none'; style-src ${hash(AUDIT_HTML_STYLE)}; script-src ${hash(AUDIT_HTML_SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const title = `tenantctl audit: ${report.gitRef}${report.gitCommit ? ` @ ${report.gitCommit.slice(0, 12)}` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<link rel="icon" href="data:,">
<style>${AUDIT_HTML_STYLE}</style>
</head>
<body>
${header(report)}
<main>
${controls(total)}
${overview(report, ids)}
<section id="details" aria-label="details per cluster and tenant">
${report.clusters.map((c) => clusterSection(c, ids)).join('\n')}
</section>
</main>
<script>${AUDIT_HTML_SCRIPT}</script>
</body>
</html>
`;
}
