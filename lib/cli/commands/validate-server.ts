/**
 * `tenantctl validate-server`: server-side apply dry-run of everything in generated/ against the
 * cluster of a kubeconfig context (see lib/live/dry-run.ts for what is checked and how missing
 * namespaces are handled). Read-only unless `createNamespaces` is set.
 *
 * Exit codes (mapped by the CLI): `rejected > 0` → 1; `errors > 0` (objects that could not be
 * checked: missing namespace or CRD, no permission, server failures) → 3 (partial), so a run that
 * verified nothing never passes silently.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readManifests } from '../../io/read-manifests.ts';
import type { DryRunResult } from '../../live/dry-run.ts';
import { KubeApiError, KubeTransportError } from '../../live/errors.ts';
import { EXIT, UserError } from '../../model/user-error.ts';

export interface ValidateServerOptions {
  /** Repository root; manifests are read from `<root>/generated`. */
  readonly root: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Really create the Namespace objects missing on the cluster first. @default false */
  readonly createNamespaces?: boolean;
  readonly format: 'text' | 'json';
  /** @default 8 */
  readonly concurrency?: number;
}

export interface ValidateServerOutcome {
  readonly output: string;
  /** Objects the server refused (plus unreadable YAML documents). */
  readonly rejected: number;
  /** Objects that could not be checked. */
  readonly errors: number;
  readonly results: readonly DryRunResult[];
}

export async function validateServerCommand(options: ValidateServerOptions): Promise<ValidateServerOutcome> {
  const dir = join(options.root, 'generated');
  if (!existsSync(dir)) throw new UserError(`${dir} does not exist`, { fix: 'run `tenantctl synth` first' });
  const { docs, problems } = readManifests(dir, { base: options.root });
  // Loaded here, not at the top: the Kubernetes client takes ~0.7 s to import, and every other
  // command (synth on each edit) would pay for it at start-up.
  const [{ serverDryRun, summarize }, { KubeClient }] = await Promise.all([import('../../live/dry-run.ts'), import('../../live/kube-client.ts')]);
  const client = KubeClient.fromKubeconfig({ kubeconfig: options.kubeconfig, context: options.context });
  let results: DryRunResult[];
  try {
    results = await serverDryRun(client, docs, { concurrency: options.concurrency, createNamespaces: options.createNamespaces });
  } catch (error) {
    throw clusterAccessError(error, client) ?? error;
  } finally {
    client.close();
  }
  // A document that does not parse is as much a failure as one the server refuses.
  const unreadable: DryRunResult[] = problems.map((p) => ({ file: p.file, resource: p.resource, outcome: 'rejected', reason: 'malformed', message: p.message }));
  const all = [...unreadable, ...results];
  const counts = summarize(all);
  const target = { server: client.server, context: client.context };
  const output = options.format === 'json' ? renderJson(all, counts, target) : renderText(all, counts, target);
  return { output, rejected: counts.rejected, errors: counts.errors, results: all };
}

/**
 * A failure before any object was checked (discovery is the first request) that the user can
 * fix: no answer from the server, or credentials it does not accept. Exit 3: nothing was checked.
 */
function clusterAccessError(error: unknown, target: { server: string; context: string }): UserError | undefined {
  const where = `${target.server} (context ${target.context})`;
  if (error instanceof KubeTransportError) {
    return new UserError(`cannot reach the API server ${where}: ${error.message.split('\n')[0]}`, {
      fix: 'check that the server is up and reachable from here (VPN, firewall), and the server address and certificate in the kubeconfig',
      exitCode: EXIT.partial,
      cause: error,
    });
  }
  if (error instanceof KubeApiError && (error.status === 401 || error.status === 403)) {
    return new UserError(`the API server ${where} refused the credentials (HTTP ${error.status}): ${error.message.split('\n')[0]}`, {
      fix: 'renew the credentials of the kubeconfig, or use a context whose identity may read discovery and patch the objects',
      exitCode: EXIT.partial,
      cause: error,
    });
  }
  return undefined;
}

type Counts = ReturnType<typeof import('../../live/dry-run.ts').summarize>;

function renderJson(results: readonly DryRunResult[], counts: Counts, target: { server: string; context: string }): string {
  return JSON.stringify({ ...target, summary: counts, results }, null, 2);
}

function renderText(results: readonly DryRunResult[], counts: Counts, target: { server: string; context: string }): string {
  const lines: string[] = [];
  for (const r of results.filter((x) => x.outcome === 'rejected')) {
    lines.push(`REJECTED ${r.resource || '(document)'} in ${r.file}`, ...indent(r.message ?? ''));
    if (r.hint) lines.push(...indent(`hint: ${r.hint}`));
  }
  // Objects that could not be checked, grouped by cause so 200 objects in one missing namespace are one entry.
  const groups = new Map<string, DryRunResult[]>();
  for (const r of results.filter((x) => x.outcome === 'error')) {
    const key = `${r.reason}\0${r.message}\0${r.hint ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const [first] = group;
    lines.push(`NOT CHECKED ${group.length === 1 ? `${first.resource} in ${first.file}` : `${group.length} objects, e.g. ${first.resource} in ${first.file}`}`);
    lines.push(...indent(first.message ?? ''));
    if (first.hint) lines.push(...indent(`hint: ${first.hint}`));
  }
  for (const r of results.filter((x) => x.warnings?.length)) {
    for (const w of r.warnings!) lines.push(`WARNING ${r.resource} in ${r.file}: ${w}`);
  }
  const created = results.filter((r) => r.created).map((r) => r.resource.replace(/^Namespace\//, ''));
  if (created.length) lines.push(`created namespaces: ${created.join(', ')}`);
  const parts = [`${counts.accepted} accepted`, `${counts.rejected} rejected`];
  if (counts.errors) parts.push(`${counts.errors} not checked`);
  if (counts.warnings) parts.push(`${counts.warnings} warning${counts.warnings === 1 ? '' : 's'}`);
  lines.push(`server-side dry-run of ${counts.total} object${counts.total === 1 ? '' : 's'} against ${target.server} (context ${target.context}): ${parts.join(', ')}.`);
  return lines.join('\n');
}

function indent(text: string): string[] {
  return text.split('\n').map((l) => `    ${l}`);
}
