/**
 * Risk flags of one object change, as data. Each rule reads concrete fields of concrete kinds;
 * anything it cannot read raises nothing rather than a guess. Pure.
 */
import { groupOf, type KubeObject } from '../model/resource.ts';
import { deniedDirections, formatGrant, grantsOf, uncoveredRanges, widenedGrants } from './network.ts';
import { canonicalJson } from './objects.ts';
import type { ChangeAction, GroupStatus, Risk, RiskFlag } from './types.ts';
import { cronLongestGapMinutes, formatMinutes, goDurationMinutes, postgresDurationMinutes, retentionDays } from '../time/schedule.ts';

export interface RiskSubject {
  readonly action: ChangeAction;
  readonly base?: KubeObject;
  readonly head?: KubeObject;
  /** `Kind/namespace/name`. */
  readonly resource: string;
  /** Group id (`acme/production`). */
  readonly group: string;
  readonly groupStatus: GroupStatus;
}

type Emit = (flag: RiskFlag, message: string) => void;
type Rule = (s: RiskSubject, emit: Emit) => void;

const CNPG = 'postgresql.cnpg.io';
const BARMAN_CLOUD = 'barmancloud.cnpg.io';
const VELERO = 'velero.io';
const TRAEFIK = ['traefik.io', 'traefik.containo.us'];
/** Velero's default backup TTL when a Schedule sets none. */
const VELERO_DEFAULT_TTL = '720h';

function is(obj: KubeObject | undefined, group: string | readonly string[], kind: string): boolean {
  if (!obj || obj.kind !== kind) return false;
  const g = groupOf(obj.apiVersion);
  return typeof group === 'string' ? g === group : group.includes(g);
}

/** Reads a dotted path; undefined when any step is missing. */
function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function isPgDump(obj: KubeObject | undefined): boolean {
  return !!obj && is(obj, 'batch', 'CronJob') && (obj.metadata.name === 'pg-dump' || obj.metadata.labels?.['app.kubernetes.io/component'] === 'pg-dump');
}

const deletions: Rule = ({ action, base, head }, emit) => {
  if (!base) return;
  if (action === 'removed') {
    if (is(base, CNPG, 'Cluster')) {
      const size = at(base, 'spec.storage.size');
      emit('database-deleted', `PostgreSQL cluster removed: CloudNativePG deletes its instances and volumes${size ? ` (${String(size)})` : ''}; only backups remain`);
    } else if (is(base, CNPG, 'Database')) {
      const db = String(at(base, 'spec.name') ?? base.metadata.name);
      const retain = at(base, 'spec.databaseReclaimPolicy') !== 'delete';
      emit('database-deleted', retain ? `Database ${db} no longer managed (reclaim policy retain: it stays on the server, orphaned, until dropped by hand)` : `Database ${db} removed with reclaim policy delete: CloudNativePG drops it`);
    } else if (is(base, '', 'PersistentVolumeClaim')) {
      emit('volume-deleted', `volume claim removed${at(base, 'spec.resources.requests.storage') ? ` (${String(at(base, 'spec.resources.requests.storage'))})` : ''}: its data is deleted unless the volume's reclaim policy is Retain`);
    } else if (is(base, '', 'Namespace')) {
      emit('namespace-deleted', `namespace removed: Kubernetes deletes everything in it, volumes and secrets included`);
    }
  } else if (action === 'changed' && is(base, CNPG, 'Database') && head) {
    if (at(base, 'spec.ensure') !== 'absent' && at(head, 'spec.ensure') === 'absent') {
      emit('database-deleted', `Database ${String(at(head, 'spec.name') ?? head.metadata.name)} set to ensure: absent: CloudNativePG drops it`);
    }
  }
};

const backupRemoved: Rule = ({ action, base, groupStatus }, emit) => {
  if (action !== 'removed' || groupStatus === 'removed') return;
  const what = is(base, BARMAN_CLOUD, 'ObjectStore')
    ? 'WAL archive and base backup store'
    : is(base, CNPG, 'ScheduledBackup')
      ? 'scheduled base backup'
      : is(base, VELERO, 'Schedule')
        ? 'Velero filestore backup schedule'
        : isPgDump(base)
          ? 'logical pg_dump backup'
          : undefined;
  if (what) emit('backup-removed', `${what} removed while the environment stays`);
};

function lowered(emit: Emit, what: string, from: number | undefined, to: number | undefined, raw: [unknown, unknown]): void {
  if (from !== undefined && to !== undefined && to < from) emit('backup-retention-lowered', `${what} lowered from ${String(raw[0])} to ${String(raw[1])}`);
}

const retention: Rule = ({ action, base, head }, emit) => {
  if (action !== 'changed' || !base || !head) return;
  if (is(base, BARMAN_CLOUD, 'ObjectStore') || is(base, CNPG, 'Cluster')) {
    const path = is(base, CNPG, 'Cluster') ? 'spec.backup.retentionPolicy' : 'spec.retentionPolicy';
    const [b, h] = [at(base, path), at(head, path)];
    if (b !== undefined) {
      if (h === undefined) return; // no policy: barman keeps everything
      lowered(emit, 'backup retention', retentionDays(b), retentionDays(h), [b, h]);
    }
  } else if (is(base, VELERO, 'Schedule')) {
    const [b, h] = [at(base, 'spec.template.ttl') ?? VELERO_DEFAULT_TTL, at(head, 'spec.template.ttl') ?? VELERO_DEFAULT_TTL];
    lowered(emit, 'Velero backup ttl', goDurationMinutes(b), goDurationMinutes(h), [b, h]);
  }
};

function scheduleRaised(emit: Emit, what: string, base: KubeObject, head: KubeObject, pause: string): void {
  if (at(base, pause) !== true && at(head, pause) === true) {
    emit('rpo-raised', `${what} ${pause.endsWith('paused') ? 'paused' : 'suspended'}: no new backups until resumed`);
    return;
  }
  const [b, h] = [cronLongestGapMinutes(at(base, 'spec.schedule')), cronLongestGapMinutes(at(head, 'spec.schedule'))];
  if (b !== undefined && h !== undefined && h > b) {
    emit('rpo-raised', `${what} leaves up to ${formatMinutes(h)} between backups instead of ${formatMinutes(b)} ("${String(at(base, 'spec.schedule'))}" → "${String(at(head, 'spec.schedule'))}")`);
  }
}

/** The alert tiers/constructs/monitoring.ts raises when the newest backup is older than the RPO. */
const RPO_ALERT = 'TenantBackupOlderThanRpo';

/** Seconds in `expr: ... > N` of the RPO alert, if the rule has one. */
function rpoAlertSeconds(rule: KubeObject): number | undefined {
  const groups = (at(rule, 'spec.groups') ?? []) as Array<{ rules?: Array<{ alert?: string; expr?: unknown }> }>;
  for (const g of Array.isArray(groups) ? groups : []) {
    for (const r of g.rules ?? []) {
      const m = r.alert === RPO_ALERT ? />\s*(\d+(?:\.\d+)?)\s*$/.exec(String(r.expr ?? '')) : null;
      if (m) return Number(m[1]);
    }
  }
  return undefined;
}

const rpo: Rule = ({ action, base, head }, emit) => {
  if (action !== 'changed' || !head || !base) return;
  if (is(base, CNPG, 'Cluster')) {
    const path = 'spec.postgresql.parameters.archive_timeout';
    const [b, h] = [at(base, path), at(head, path)];
    if (b === undefined) return;
    const [bm, hm] = [postgresDurationMinutes(b), h === undefined ? Infinity : postgresDurationMinutes(h)];
    if (bm !== undefined && hm !== undefined && hm > bm) {
      emit('rpo-raised', h === undefined || hm === Infinity ? `WAL archive_timeout ${String(b)} removed: a quiet database may not archive WAL for hours` : `WAL archive_timeout raised from ${String(b)} to ${String(h)}`);
    }
  } else if (is(base, 'monitoring.coreos.com', 'PrometheusRule')) {
    // The declared RPO itself: on dedicated data WAL archiving keeps its pace, and only the
    // alert that says the newest backup is too old moves with it.
    const [b, h] = [rpoAlertSeconds(base), rpoAlertSeconds(head)];
    if (b !== undefined && h !== undefined && h > b) emit('rpo-raised', `RPO raised from ${formatMinutes(b / 60)} to ${formatMinutes(h / 60)} (alert ${RPO_ALERT} fires only after ${formatMinutes(h / 60)} without a backup)`);
  } else if (isPgDump(base)) {
    scheduleRaised(emit, 'pg_dump CronJob', base, head, 'spec.suspend');
  } else if (is(base, VELERO, 'Schedule')) {
    scheduleRaised(emit, 'Velero filestore backup', base, head, 'spec.paused');
  }
};

const network: Rule = ({ action, base, head, groupStatus }, emit) => {
  const isPolicy = (o: KubeObject | undefined): o is KubeObject => !!o && is(o, 'networking.k8s.io', 'NetworkPolicy');
  const specOf = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;
  const list = (grants: ReturnType<typeof grantsOf>) => grants.slice(0, 3).map(formatGrant).join('; ') + (grants.length > 3 ? `; and ${grants.length - 3} more` : '');
  if (action === 'added' && isPolicy(head)) {
    const grants = grantsOf(specOf(head));
    if (grants.length > 0) emit('network-policy-widened', `new NetworkPolicy allows ${list(grants)}`);
    return;
  }
  if (action === 'removed' && isPolicy(base) && groupStatus !== 'removed') {
    const denied = [...deniedDirections(specOf(base))];
    if (denied.length > 0) emit('default-deny-removed', `default-deny NetworkPolicy removed: ${denied.join(' and ')} no longer denied by default`);
    return;
  }
  if (action !== 'changed' || !isPolicy(base) || !isPolicy(head)) return;
  const [b, h] = [specOf(base), specOf(head)];
  const before = deniedDirections(b);
  const after = deniedDirections(h);
  const lost = [...before].filter((d) => !after.has(d));
  if (lost.length > 0) emit('default-deny-removed', `NetworkPolicy no longer denies ${lost.join(' and ')} by default`);
  const headGrants = grantsOf(h);
  const wider = widenedGrants(grantsOf(b), headGrants);
  if (wider.length > 0) emit('network-policy-widened', `NetworkPolicy now also allows ${list(wider)}`);
  else if (headGrants.length > 0 && canonicalJson(b.podSelector ?? {}) !== canonicalJson(h.podSelector ?? {})) {
    emit('network-policy-widened', `NetworkPolicy podSelector changed: its allow rules now apply to other pods (${canonicalJson(h.podSelector ?? {}).replace(/"/g, '')})`);
  }
};

const allowList: Rule = ({ action, base, head }, emit) => {
  if (action !== 'changed' || !base || !head || !is(base, TRAEFIK, 'Middleware')) return;
  const ranges = (o: KubeObject): string[] | undefined => {
    const list = at(o, 'spec.ipAllowList.sourceRange') ?? at(o, 'spec.ipWhiteList.sourceRange');
    return Array.isArray(list) ? list.map(String) : undefined;
  };
  const [b, h] = [ranges(base), ranges(head)];
  if (!b) return;
  if (!h) {
    emit('ip-allowlist-widened', `ipAllowList removed from the middleware: it no longer restricts source addresses (was ${b.join(', ')})`);
    return;
  }
  const extra = uncoveredRanges(b, h);
  if (extra.length > 0) emit('ip-allowlist-widened', `ipAllowList admits ${extra.join(', ')} (was ${b.join(', ') || 'nothing'})`);
};

/** Rules that apply, by what happens to the whole group: a new environment risks nothing yet. */
function rulesFor(status: GroupStatus): Rule[] {
  if (status === 'added') return [];
  if (status === 'removed') return [deletions];
  return [deletions, backupRemoved, retention, rpo, network, allowList];
}

export function objectRisks(subject: RiskSubject): Risk[] {
  const risks: Risk[] = [];
  const emit: Emit = (flag, message) => risks.push({ flag, group: subject.group, subject: subject.resource, message });
  for (const rule of rulesFor(subject.groupStatus)) rule(subject, emit);
  return risks;
}
