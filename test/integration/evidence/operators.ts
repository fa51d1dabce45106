/**
 * Status written as the operators write it, through the real API server: CloudNativePG and the
 * Barman Cloud plugin (status subresource of Cluster and ObjectStore), the Job and CronJob
 * controllers (a Job owned by its CronJob, then its status subresource), the deployment
 * controller, cert-manager (Certificate status subresource), and Velero, whose Schedule CRD has
 * no status subresource (vendor/crds/velero.yaml), so the server writes the whole object.
 */
import { expect } from 'vitest';
import type { KubeClient } from '../../../lib/live/kube-client.ts';

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

async function patch(client: KubeClient, path: string, body: unknown, manager: string): Promise<void> {
  const res = await client.request('PATCH', path, { query: { fieldManager: manager }, contentType: 'application/merge-patch+json', body: JSON.stringify(body) });
  expect(res.status, `${path}: ${res.body}`).toBe(200);
}

const condition = (type: string, status: 'True' | 'False', at: string, reason?: string, message?: string) => ({ type, status, lastTransitionTime: at, reason: reason ?? type, message: message ?? '' });

/** CloudNativePG on a Cluster: ready instances, and the ContinuousArchiving condition. */
export async function cnpgCluster(client: KubeClient, ns: string, name: string, s: { ready: number; instances: number; archiving?: { ok: boolean; since: number; message?: string } }): Promise<void> {
  const conditions = s.archiving
    ? [condition('ContinuousArchiving', s.archiving.ok ? 'True' : 'False', iso(s.archiving.since), s.archiving.ok ? 'ContinuousArchivingSuccess' : 'ContinuousArchivingFailing', s.archiving.message)]
    : [];
  await patch(client, `/apis/postgresql.cnpg.io/v1/namespaces/${ns}/clusters/${name}/status`, {
    status: { instances: s.instances, readyInstances: s.ready, phase: s.ready === s.instances ? 'Cluster in healthy state' : 'Waiting for the instances to become active', conditions },
  }, 'cnpg-operator');
}

/** The Barman Cloud plugin's recovery window of one server in an ObjectStore. */
export async function barmanWindow(client: KubeClient, ns: string, store: string, server: string, w: { first?: number; lastSuccess?: number; lastFailed?: number }): Promise<void> {
  await patch(client, `/apis/barmancloud.cnpg.io/v1/namespaces/${ns}/objectstores/${store}/status`, {
    status: {
      serverRecoveryWindow: {
        [server]: {
          ...(w.first !== undefined ? { firstRecoverabilityPoint: iso(w.first) } : {}),
          ...(w.lastSuccess !== undefined ? { lastSuccessfulBackupTime: iso(w.lastSuccess) } : {}),
          ...(w.lastFailed !== undefined ? { lastFailedBackupTime: iso(w.lastFailed) } : {}),
        },
      },
    },
  }, 'plugin-barman-cloud');
}

/** The CronJob controller's record of the last successful run. */
export async function cronJobStatus(client: KubeClient, ns: string, name: string, s: { lastSchedule: number; lastSuccess?: number }): Promise<void> {
  await patch(client, `/apis/batch/v1/namespaces/${ns}/cronjobs/${name}/status`, {
    status: { lastScheduleTime: iso(s.lastSchedule), ...(s.lastSuccess !== undefined ? { lastSuccessfulTime: iso(s.lastSuccess) } : {}) },
  }, 'kube-controller-manager');
}

/**
 * A Job the CronJob made (owned by it, as the controller creates it), finished as the Job
 * controller records it: `succeeded` with Complete, or `failed` with Failed and its reason.
 */
export async function finishedJob(client: KubeClient, ns: string, cronJob: string, j: { name: string; start: number; end: number; outcome: 'succeeded' | 'failed'; reason?: string }): Promise<void> {
  const owner = await client.get('batch/v1', 'CronJob', cronJob, ns);
  expect(owner, `CronJob ${ns}/${cronJob}`).toBeDefined();
  const created = await client.request('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, {
    query: { fieldManager: 'kube-controller-manager' },
    body: JSON.stringify({
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: j.name, namespace: ns, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob, uid: owner!.metadata.uid, controller: true, blockOwnerDeletion: true }] },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: cronJob, image: 'registry.odoo-hosting.example/tools:1' }] } } },
    }),
  });
  expect(created.status, created.body).toBe(201);
  const start = iso(j.start);
  const end = iso(j.end);
  const status = j.outcome === 'succeeded'
    ? { startTime: start, completionTime: end, succeeded: 1, conditions: [condition('SuccessCriteriaMet', 'True', end, 'CompletionsReached'), condition('Complete', 'True', end, 'CompletionsReached')] }
    : { startTime: start, failed: 1, conditions: [condition('FailureTarget', 'True', end, j.reason ?? 'BackoffLimitExceeded'), condition('Failed', 'True', end, j.reason ?? 'BackoffLimitExceeded', j.reason === 'DeadlineExceeded' ? 'Job was active longer than specified deadline' : 'Job has reached the specified backoff limit')] };
  await patch(client, `/apis/batch/v1/namespaces/${ns}/jobs/${j.name}/status`, { status: { ...status, ready: 0, terminating: 0, uncountedTerminatedPods: {} } }, 'kube-controller-manager');
}

/** Velero's record of the Schedule's last backup (no status subresource: the object itself). */
export async function veleroSchedule(client: KubeClient, name: string, lastBackup: number): Promise<void> {
  await patch(client, `/apis/velero.io/v1/namespaces/velero/schedules/${name}`, { status: { phase: 'Enabled', lastBackup: iso(lastBackup) } }, 'velero-server');
}

/** cert-manager's Ready condition and validity. */
export async function certificate(client: KubeClient, ns: string, c: { ready: boolean; notAfter: number; at: number; reason?: string; message?: string }): Promise<void> {
  await patch(client, `/apis/cert-manager.io/v1/namespaces/${ns}/certificates/odoo-tls/status`, {
    status: {
      conditions: [condition('Ready', c.ready ? 'True' : 'False', iso(c.at), c.reason ?? (c.ready ? 'Ready' : 'Issuing'), c.message ?? (c.ready ? 'Certificate is up to date and has not expired' : 'Issuing certificate as Secret does not exist'))],
      notBefore: iso(c.notAfter - 90 * DAY), notAfter: iso(c.notAfter), renewalTime: iso(c.notAfter - 15 * DAY), revision: 1,
    },
  }, 'cert-manager-certificates-readiness');
}

/** The deployment controller's replica counts. */
export async function deployment(client: KubeClient, ns: string, name: string, d: { replicas: number; available: number }): Promise<void> {
  await patch(client, `/apis/apps/v1/namespaces/${ns}/deployments/${name}/status`, {
    status: { observedGeneration: 1, replicas: d.replicas, updatedReplicas: d.replicas, readyReplicas: d.available, availableReplicas: d.available, ...(d.available < d.replicas ? { unavailableReplicas: d.replicas - d.available } : {}) },
  }, 'kube-controller-manager');
}
