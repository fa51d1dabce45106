/**
 * Policies for the changes people make by hand that quietly break a promise the tiers make:
 * a suspended backup (the RPO is no longer met), egress opened to the whole internet (tenant
 * isolation broken), a Service exposed past Traefik (exposure), a lowered Pod Security level, a
 * PostgreSQL cluster with fewer instances than promised (no failover). The drift engine already
 * says *that* a field changed; these say why it matters, with a severity. They run on generated/
 * too, where they never fire: the tiers render none of it.
 */
import { LABELS, type KubeObject } from '../model/resource.ts';
import { isDumpCronJob } from './backups.ts';
import { asArray, get, isObject, labelsOf, ofKind, tenancyOf, tenantOf } from './objects.ts';
import type { Policy, PolicyContext, Violation } from './types.ts';

/** In a tenant's namespace: by labels, the environments, or the `tenant-` naming convention. */
function inTenantNamespace(ctx: PolicyContext, obj: KubeObject): boolean {
  return !!tenantOf(ctx, obj) || (obj.metadata.namespace ?? '').startsWith('tenant-');
}

function rpoText(ctx: PolicyContext, obj: KubeObject): string {
  const rpo = tenancyOf(ctx, obj).env?.backup.rpoMinutes;
  return rpo === undefined ? 'the RPO is no longer met' : `the RPO of ${rpo} minutes is no longer met`;
}

export const backupsNotSuspended: Policy = {
  id: 'backups/not-suspended',
  severity: 'error',
  description: 'No backup schedule is suspended: a suspended CNPG ScheduledBackup, dump CronJob or paused Velero Schedule takes no new backups, so the RPO is no longer met.',
  fix: 'resume it (`spec.suspend: false`, Velero `spec.paused: false`) or let the GitOps sync restore it; a sync does not undo a suspend Git leaves unset',
  check(ctx) {
    const out: Violation[] = [];
    for (const sb of ofKind(ctx.objects, 'ScheduledBackup', 'postgresql.cnpg.io')) {
      if (get(sb, 'spec', 'suspend') === true) out.push({ object: sb, path: 'spec.suspend', message: `ScheduledBackup "${sb.metadata.name}" is suspended: no new base backups, ${rpoText(ctx, sb)}` });
    }
    for (const cj of ofKind(ctx.objects, 'CronJob', 'batch')) {
      if (isDumpCronJob(cj) && get(cj, 'spec', 'suspend') === true) out.push({ object: cj, path: 'spec.suspend', message: `backup CronJob "${cj.metadata.name}" is suspended: no new dumps, ${rpoText(ctx, cj)}` });
    }
    for (const schedule of ofKind(ctx.objects, 'Schedule', 'velero.io')) {
      if (get(schedule, 'spec', 'paused') === true) out.push({ object: schedule, path: 'spec.paused', message: `Velero Schedule "${schedule.metadata.name}" is paused: no new volume backups, ${rpoText(ctx, schedule)}` });
    }
    return out;
  },
};

const WHOLE_INTERNET = /\/0$/;
/** The only egress to anywhere the tiers render: PostgreSQL pods reaching object storage and the API server. */
const DATABASE_EGRESS_PORTS = new Set([443, 6443]);

/** An egress rule's destinations cover every address: no `to`, an empty peer, or an ipBlock `/0` with no exceptions. */
function reachesAnywhere(rule: Record<string, unknown>): boolean {
  const to = asArray(rule.to);
  if (to.length === 0) return true;
  return to.some((peer) => isObject(peer) && (Object.keys(peer).length === 0
    || (isObject(peer.ipBlock) && WHOLE_INTERNET.test(String(peer.ipBlock.cidr)) && asArray(peer.ipBlock.except).length === 0)));
}

export const egressNotOpen: Policy = {
  id: 'isolation/egress-not-open',
  severity: 'error',
  description: 'No NetworkPolicy in a tenant namespace allows egress to every address (0.0.0.0/0, ::/0, or no destination), except PostgreSQL pods on 443/6443 for object storage and the API server: otherwise tenant isolation is broken.',
  fix: 'allow only the destinations the tenant needs (tenant file `egress`), or let the GitOps sync restore the NetworkPolicy',
  check(ctx) {
    const out: Violation[] = [];
    for (const np of ofKind(ctx.objects, 'NetworkPolicy', 'networking.k8s.io')) {
      if (!inTenantNamespace(ctx, np)) continue;
      const database = !!get(np, 'spec', 'podSelector', 'matchLabels', 'cnpg.io/cluster');
      asArray(get(np, 'spec', 'egress')).forEach((rule, i) => {
        if (!isObject(rule) || !reachesAnywhere(rule)) return;
        const ports = asArray(rule.ports).map((p) => (isObject(p) ? Number(p.port) : NaN));
        if (database && ports.length > 0 && ports.every((p) => DATABASE_EGRESS_PORTS.has(p))) return;
        const on = ports.length ? `port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}` : 'every port';
        out.push({ object: np, path: `spec.egress[${i}]`, message: `NetworkPolicy "${np.metadata.name}" allows egress to any address on ${on}: tenant isolation is broken (data can leave for anywhere)` });
      });
    }
    return out;
  },
};

const EXPOSING = new Set(['LoadBalancer', 'NodePort']);

export const noDirectExposure: Policy = {
  id: 'ingress/no-direct-exposure',
  severity: 'error',
  description: 'No Service in a tenant namespace is a LoadBalancer or NodePort or has externalIPs: tenant traffic enters only through Traefik, with TLS, rate limits and the admin allow-list.',
  fix: 'delete the Service (or make it ClusterIP) and route through the tenant\'s IngressRoute',
  check(ctx) {
    const out: Violation[] = [];
    for (const svc of ofKind(ctx.objects, 'Service', '')) {
      if (!inTenantNamespace(ctx, svc)) continue;
      const type = String(get(svc, 'spec', 'type') ?? 'ClusterIP');
      const ports = asArray(get(svc, 'spec', 'ports')).map((p) => (isObject(p) ? String(p.port) : '?')).join(', ');
      if (EXPOSING.has(type)) out.push({ object: svc, path: 'spec.type', message: `Service "${svc.metadata.name}" is a ${type} exposing port ${ports} past Traefik: no TLS, rate limit or allow-list in front of it` });
      else if (asArray(get(svc, 'spec', 'externalIPs')).length) out.push({ object: svc, path: 'spec.externalIPs', message: `Service "${svc.metadata.name}" has externalIPs, exposing port ${ports} past Traefik` });
    }
    return out;
  },
};

const POD_SECURITY = 'pod-security.kubernetes.io/enforce';
const LEVELS = ['privileged', 'baseline', 'restricted'];

export const podSecurityRestricted: Policy = {
  id: 'security/pod-security-restricted',
  severity: 'error',
  description: 'Every tenant namespace enforces the `restricted` Pod Security level, as the tiers render it: a lower level lets a Pod run as root or mount the host.',
  fix: 'set the label pod-security.kubernetes.io/enforce=restricted on the namespace (or let the GitOps sync restore it)',
  check(ctx) {
    const out: Violation[] = [];
    for (const ns of ofKind(ctx.objects, 'Namespace', '')) {
      if (!labelsOf(ns)[LABELS.tenant] && !ns.metadata.name.startsWith('tenant-')) continue;
      const level = labelsOf(ns)[POD_SECURITY];
      if (LEVELS.indexOf(level ?? '') >= LEVELS.indexOf('restricted')) continue;
      out.push({ object: ns, path: `metadata.labels["${POD_SECURITY}"]`, message: `namespace "${ns.metadata.name}" enforces ${level ? `Pod Security level "${level}"` : 'no Pod Security level'} instead of "restricted": its Pods may run privileged` });
    }
    return out;
  },
};

export const databaseInstances: Policy = {
  id: 'resilience/database-instances',
  severity: 'error',
  description: "A tenant's PostgreSQL cluster runs at least the instances its tier (or tenant file) promises: fewer means no standby to fail over to.",
  fix: 'set spec.instances back to the promised count (or let the GitOps sync restore it); to change it, change database.instances in the tenant file',
  check(ctx) {
    const out: Violation[] = [];
    for (const cluster of ofKind(ctx.objects, 'Cluster', 'postgresql.cnpg.io')) {
      const { env, tier } = tenancyOf(ctx, cluster);
      const floor = env?.database.instances ?? (tier ? ctx.tiers?.[tier]?.defaults.database.instances : undefined);
      const instances = get(cluster, 'spec', 'instances');
      if (floor === undefined || typeof instances !== 'number' || instances >= floor) continue;
      out.push({ object: cluster, path: 'spec.instances', message: `PostgreSQL cluster "${cluster.metadata.name}" runs ${instances} instance${instances === 1 ? '' : 's'}, below the ${floor} of its ${tier ?? 'tenant'} tier: ${floor - instances} fewer standby${floor - instances === 1 ? '' : 's'} to fail over to` });
    }
    return out;
  },
};

export const riskyChangePolicies: readonly Policy[] = [backupsNotSuspended, egressNotOpen, noDirectExposure, podSecurityRestricted, databaseInstances];

