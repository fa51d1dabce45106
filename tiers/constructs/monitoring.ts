/**
 * Alerts that matter to a tenant's contract: the newest backup is older than the RPO, a restore
 * test failed, PostgreSQL replication lags. Scraping of the tenant's own PostgreSQL is declared
 * beside it (the shared cluster is scraped once per cluster).
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import * as monitoring from '../../vendor/imports/monitoring-monitoring.coreos.com.ts';
import type { TenantEnvironment } from '../../lib/model/environment.ts';
import { TENANT_PG_CLUSTER } from './names.ts';

export class TenantMonitoring extends Construct {
  constructor(scope: Construct, env: TenantEnvironment, props: { readonly dedicatedData: boolean }) {
    super(scope, 'monitoring');
    const namespace = env.namespace;
    const rpoSeconds = env.backup.rpoMinutes * 60;
    const labels = { namespace, tenant: env.tenant.name, environment: env.name };
    const rules: monitoring.PrometheusRuleSpecGroupsRules[] = [
      {
        alert: 'TenantBackupOlderThanRpo',
        expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(
          props.dedicatedData
            ? `time() - cnpg_pg_stat_archiver_last_archived_time{namespace="${namespace}"} > ${rpoSeconds}`
            : `time() - kube_cronjob_status_last_successful_time{namespace="${namespace}",cronjob="pg-dump"} > ${rpoSeconds}`,
        ),
        for: '5m',
        labels: { severity: 'critical', ...labels },
        annotations: { summary: `Newest backup of ${env.tenant.name} (${env.name}) is older than its RPO of ${env.backup.rpoMinutes} minutes` },
      },
      {
        alert: 'TenantRestoreTestFailed',
        expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(`kube_job_status_failed{namespace="${namespace}",job_name=~"restore-test-.*"} > 0`),
        labels: { severity: 'critical', ...labels },
        annotations: { summary: `Weekly restore test of ${env.tenant.name} (${env.name}) failed` },
      },
    ];
    if (props.dedicatedData && env.database.instances > 1) {
      rules.push({
        alert: 'TenantReplicationLag',
        expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(`max(cnpg_pg_replication_lag{namespace="${namespace}"}) > 30`),
        for: '5m',
        labels: { severity: 'warning', ...labels },
        annotations: { summary: `PostgreSQL replicas of ${env.tenant.name} (${env.name}) lag more than 30 seconds` },
      });
    }
    new monitoring.PrometheusRule(this, 'rules', {
      metadata: { name: 'tenant-alerts', namespace },
      spec: { groups: [{ name: `${env.tenant.name}-${env.name}`, rules }] },
    });

    if (props.dedicatedData) {
      const selector = { 'cnpg.io/cluster': TENANT_PG_CLUSTER };
      new k8s.KubeService(this, 'pg-metrics', {
        metadata: { name: 'pg-metrics', namespace, labels: { 'app.kubernetes.io/component': 'metrics' } },
        spec: { type: 'ClusterIP', clusterIp: 'None', selector, ports: [{ name: 'metrics', port: 9187, targetPort: k8s.IntOrString.fromNumber(9187), protocol: 'TCP' }] },
      });
      new monitoring.ServiceMonitor(this, 'pg', {
        metadata: { name: 'postgres', namespace },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/component': 'metrics' } },
          endpoints: [{ port: 'metrics', interval: '30s' }],
        },
      });
    }
  }
}
