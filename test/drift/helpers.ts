/**
 * Fixtures and builders for the drift tests.
 *
 * `fixtures/<case>.desired.yaml` are copies of generated/eu-west-dedicated-1/tenants/acme-production
 * objects; `fixtures/<case>.live.yaml` were recorded from a real kube-apiserver by
 * fixtures/record.ts (managedFields, defaults, status and controller-made objects as the server
 * returns them).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { readSchemaSource } from '../../lib/io/read-schemas.ts';
import type { CrdSchema } from '../../lib/drift/types.ts';
import type { KubeObject } from '../../lib/model/resource.ts';

export const NS = 'tenant-acme-production';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(FIXTURES, file), 'utf8')).map((d) => d.toJS() as KubeObject).filter(Boolean);
}

export interface Fixture {
  readonly desired: KubeObject[];
  readonly live: KubeObject[];
}

export function fixture(name: string): Fixture {
  return { desired: readObjects(`${name}.desired.yaml`), live: readObjects(`${name}.live.yaml`) };
}

let crdCache: readonly CrdSchema[] | undefined;

/** The vendored CRDs (vendor/crds), parsed once per test file. */
export function vendorCrds(): readonly CrdSchema[] {
  crdCache ??= readSchemaSource().crds;
  return crdCache;
}

/** A managedFields entry. */
export function managed(manager: string, fieldsV1: object, operation = 'Update', time = '2026-11-20T09:00:00Z', subresource?: string): object {
  return { apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1, manager, operation, time, ...(subresource ? { subresource } : {}) };
}

export const OURS = { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': 'acme', 'tenantctl.io/environment': 'production' };

/** A small Deployment as tenantctl generates them. */
export function deployment(overrides: { replicas?: number; env?: Array<{ name: string; value: string }> } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'odoo-web', namespace: NS, labels: { ...OURS } },
    spec: {
      ...(overrides.replicas !== undefined ? { replicas: overrides.replicas } : {}),
      selector: { matchLabels: { app: 'odoo' } },
      template: {
        metadata: { labels: { app: 'odoo' } },
        spec: {
          containers: [{
            name: 'odoo',
            image: 'registry.example.com/odoo:18.0',
            env: overrides.env ?? [{ name: 'ODOO_RC', value: '/etc/odoo/odoo.conf' }],
            ports: [{ name: 'http', containerPort: 8069 }],
            resources: { requests: { cpu: '1000m', memory: '1024Mi' } },
          }],
        },
      },
    },
  };
}

/** `obj` as the server would return it: defaults, server metadata, status and managedFields. */
export function asLive(obj: KubeObject, managedFields: object[], mutate?: (o: Record<string, any>) => void): KubeObject {
  const live = structuredClone(obj) as KubeObject & Record<string, any>;
  live.metadata = { ...live.metadata, uid: '3f1c2a9e-0000-4000-8000-000000000001', resourceVersion: '4711', generation: 2, creationTimestamp: '2026-11-20T09:00:00Z', managedFields };
  if (live.kind === 'Deployment') {
    const spec = live.spec;
    spec.replicas ??= 1;
    spec.revisionHistoryLimit = 10;
    spec.progressDeadlineSeconds = 600;
    spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    const pod = spec.template.spec;
    Object.assign(pod, { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler' });
    for (const c of pod.containers) {
      Object.assign(c, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' });
      for (const p of c.ports ?? []) p.protocol ??= 'TCP';
      if (c.resources?.requests) c.resources.requests = { cpu: '1', memory: '1Gi' };
    }
    live.status = { observedGeneration: 2, replicas: spec.replicas, readyReplicas: spec.replicas };
  }
  mutate?.(live);
  return live;
}

/** The Apply entry tenantctl leaves on the small deployment(). */
export const TENANTCTL_APPLY = managed('tenantctl', {
  'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {}, 'f:tenantctl.io/environment': {}, 'f:tenantctl.io/tenant': {} } },
  'f:spec': {
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"odoo"}': {
            '.': {}, 'f:name': {}, 'f:image': {},
            'f:env': { 'k:{"name":"ODOO_RC"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
            'f:ports': { 'k:{"containerPort":8069,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {} } },
            'f:resources': { 'f:requests': { 'f:cpu': {}, 'f:memory': {} } },
          },
        },
      },
    },
  },
}, 'Apply');
