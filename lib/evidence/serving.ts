/**
 * Serving evidence: the TLS certificate is Ready and not about to expire (cert-manager Certificate
 * `status.conditions[type=Ready]`, `status.notAfter`), the web Deployment has its floor of
 * available replicas (`status.availableReplicas`), and every PostgreSQL instance is ready
 * (CloudNativePG Cluster `status.readyInstances` against `spec.instances`).
 *
 * Replication lag is not in the CloudNativePG Cluster status (only in its metrics), so it is left
 * to the generated PrometheusRule; what the status does show, replicas not ready, is checked here.
 */
import { condition, formatDuration, ok, resourceOf, status, str, timed, violated, withoutEvidence, type CheckContext } from './context.ts';
import { postgresOf } from './backups.ts';
import type { EvidenceCheck } from './types.ts';

export function certificate(ctx: CheckContext): EvidenceCheck {
  const ns = ctx.target.namespace;
  const min = ctx.target.thresholds.certificateMinDays;
  const cert = ctx.live.get('Certificate', ns, 'odoo-tls');
  const promise = `Ready, valid for ≥ ${min} d more`;
  const source = { resource: resourceOf('cert-manager.io/v1', 'Certificate', ns, 'odoo-tls'), field: 'status.notAfter' };
  const ready = condition(cert, 'Ready');
  const notAfter = str(status(cert).notAfter);
  if (!ready) return withoutEvidence(ctx, 'certificate', cert, ctx.target.thresholds.firstStatusGraceMinutes, { promise, observed: 'not issued yet', source: { ...source, field: 'status.conditions[type=Ready]' }, fix: 'check cert-manager and the ClusterIssuer' });
  if (ready.status !== 'True') {
    return violated('certificate', {
      promise, observed: `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}`, source: { ...source, field: 'status.conditions[type=Ready]' },
      ...(ready.lastTransitionTime ? timed(ready.lastTransitionTime, ctx.now) : {}),
      message: `the certificate is not ready${ready.message ? `: ${ready.message}` : ''}`,
      fix: `kubectl describe certificate -n ${ns} odoo-tls, and check the DNS of its names and the ClusterIssuer`,
    });
  }
  if (!notAfter) return ok('certificate', { promise, observed: 'Ready=True (no notAfter)', source: { ...source, field: 'status.conditions[type=Ready]' } });
  const left = -timed(notAfter, ctx.now).ageSeconds;
  const observed = `expires ${notAfter}`;
  if (left < min * 86400) {
    return violated('certificate', {
      promise, observed, source, ...timed(notAfter, ctx.now),
      message: left <= 0 ? `the certificate expired ${formatDuration(-left)} ago` : `the certificate expires in ${formatDuration(left)}, within ${min} days, and was not renewed`,
      fix: `cert-manager should have renewed it (renewBefore): kubectl describe certificate -n ${ns} odoo-tls; check the CertificateRequests and the issuer`,
    });
  }
  return ok('certificate', { promise, observed, source, ...timed(notAfter, ctx.now) });
}

export function webAvailable(ctx: CheckContext): EvidenceCheck {
  const ns = ctx.target.namespace;
  const floor = ctx.target.webReplicas;
  const deployment = ctx.live.get('Deployment', ns, 'odoo-web');
  const promise = `≥ ${floor} available web replica${floor === 1 ? '' : 's'}`;
  const source = { resource: resourceOf('apps/v1', 'Deployment', ns, 'odoo-web'), field: 'status.availableReplicas' };
  const s = status(deployment);
  if (s.observedGeneration === undefined && s.replicas === undefined && s.availableReplicas === undefined) {
    return withoutEvidence(ctx, 'web-available', deployment, ctx.target.thresholds.firstStatusGraceMinutes, { promise, observed: 'no status yet', source, fix: 'check the kube-controller-manager and the Deployment\'s events' });
  }
  const available = typeof s.availableReplicas === 'number' ? s.availableReplicas : 0;
  const observed = `${available} available${typeof s.replicas === 'number' ? ` of ${s.replicas}` : ''}`;
  if (available < floor) {
    return violated('web-available', {
      promise, observed, source,
      message: `only ${available} web replica${available === 1 ? '' : 's'} available, below the floor of ${floor}`,
      fix: `kubectl describe deployment -n ${ns} odoo-web: pods not ready, not schedulable, or crashing`,
    });
  }
  return ok('web-available', { promise, observed, source });
}

export function postgresReady(ctx: CheckContext): EvidenceCheck {
  const pg = postgresOf(ctx);
  const cluster = ctx.live.get('Cluster', pg.namespace, pg.cluster);
  const wanted = typeof (cluster?.spec as { instances?: unknown } | undefined)?.instances === 'number' ? ((cluster!.spec as { instances: number }).instances) : undefined;
  const promise = wanted !== undefined ? `all ${wanted} PostgreSQL instances ready` : 'every PostgreSQL instance ready';
  const source = { resource: resourceOf('postgresql.cnpg.io/v1', 'Cluster', pg.namespace, pg.cluster), field: 'status.readyInstances' };
  const s = status(cluster);
  if (s.readyInstances === undefined && s.instances === undefined) {
    return withoutEvidence(ctx, 'postgres-ready', cluster, ctx.target.thresholds.firstStatusGraceMinutes, { promise, observed: 'no status yet', source, fix: 'check the CloudNativePG operator' });
  }
  const ready = typeof s.readyInstances === 'number' ? s.readyInstances : 0;
  const want = wanted ?? (typeof s.instances === 'number' ? s.instances : ready);
  const observed = `${ready} of ${want} ready${str(s.phase) ? ` (${str(s.phase)})` : ''}`;
  if (ready < want) {
    return violated('postgres-ready', {
      promise, observed, source,
      message: `${want - ready} of ${want} PostgreSQL instances not ready${str(s.phase) ? ` (phase: ${str(s.phase)})` : ''}; a failover would find no replica`,
      fix: `kubectl cnpg status -n ${pg.namespace} ${pg.cluster}`,
    });
  }
  return ok('postgres-ready', { promise, observed, source });
}
