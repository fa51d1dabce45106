import { describe, expect, it } from 'vitest';
import { applyCrdDefaults, applySchemaDefaults, indexCrds } from '../../lib/drift/normalize/crd-defaults.ts';
import { applyBuiltinDefaults, defaultPullPolicy } from '../../lib/drift/normalize/defaults.ts';
import { stripServerFields } from '../../lib/drift/normalize/metadata.ts';
import { sameQuantity, sameScalar } from '../../lib/drift/normalize/quantities.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { deployment, fixture, NS, vendorCrds } from './helpers.ts';

describe('built-in defaults', () => {
  it.each([
    ['registry.example.com/odoo:18.0', 'IfNotPresent'],
    ['registry.example.com:5000/odoo', 'Always'],
    ['odoo:latest', 'Always'],
    ['odoo@sha256:abc', 'IfNotPresent'],
  ])('pull policy of %s is %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });

  it('fill what the server fills into a Deployment', () => {
    const d = applyBuiltinDefaults(deployment()) as any;
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30 });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', ports: [{ protocol: 'TCP' }] });
  });

  it('leave declared values alone', () => {
    const d = deployment({ replicas: 4 });
    (d.spec as any).strategy = { type: 'Recreate' };
    expect((applyBuiltinDefaults(d) as any).spec).toMatchObject({ replicas: 4, strategy: { type: 'Recreate' } });
    expect((applyBuiltinDefaults(d) as any).spec.strategy.rollingUpdate).toBeUndefined();
  });

  it('take server-allocated Service fields from the live object', () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'odoo', namespace: NS }, spec: { type: 'NodePort', ports: [{ port: 80 }] } };
    const live = { ...svc, spec: { type: 'NodePort', clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP', nodePort: 31001, targetPort: 80 }] } };
    expect((applyBuiltinDefaults(svc, live) as any).spec).toEqual({
      type: 'NodePort', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster',
      clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 31001 }],
    });
  });

  it('fold Secret stringData into base64 data', () => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: NS }, stringData: { password: 'hunter2' } };
    expect(applyBuiltinDefaults(secret)).toMatchObject({ type: 'Opaque', data: { password: 'aHVudGVyMg==' } });
    expect(applyBuiltinDefaults(secret).stringData).toBeUndefined();
  });

  it('default Job, CronJob, HPA, NetworkPolicy and Namespace fields', () => {
    const job = applyBuiltinDefaults({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } }) as any;
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
    const cron = applyBuiltinDefaults({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: {} } } } } }) as any;
    expect(cron.spec).toMatchObject({ suspend: false, concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(cron.spec.jobTemplate.spec.backoffLimit).toBeUndefined();
    const hpa = applyBuiltinDefaults({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } }) as any;
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.behavior.scaleDown).toEqual({ stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
    expect(hpa.spec.behavior.scaleUp.policies).toHaveLength(2);
    const np = applyBuiltinDefaults({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } }) as any;
    expect(np.spec).toMatchObject({ policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }] });
    const ns = applyBuiltinDefaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-x' } }) as any;
    expect(ns).toMatchObject({ metadata: { labels: { 'kubernetes.io/metadata.name': 'tenant-x' } }, spec: { finalizers: ['kubernetes'] } });
  });
});

describe('CRD defaults', () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', properties: {
    logLevel: { type: 'string', default: 'info' },
    backup: { type: 'object', default: {}, properties: { target: { type: 'string', default: 'prefer-standby' } } },
    plugins: { type: 'array', items: { type: 'object', properties: { enabled: { type: 'boolean', default: true } } } },
    labels: { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'integer', default: 1 } } } },
    level: { type: 'string', default: 'a' },
  } } } };

  it('fill absent properties, inside defaulted objects, list items and additionalProperties', () => {
    const value = { logLevel: 'debug', plugins: [{ name: 'p' }], labels: { a: {} }, level: null };
    applySchemaDefaults(value, schema.properties.spec);
    expect(value).toEqual({ logLevel: 'debug', backup: { target: 'prefer-standby' }, plugins: [{ name: 'p', enabled: true }], labels: { a: { x: 1 } }, level: 'a' });
  });

  it('apply to custom resources of a known kind and version only', () => {
    const crds = indexCrds([{ group: 'postgresql.cnpg.io', version: 'v1', kind: 'Cluster', schema }]);
    const obj = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'pg' }, spec: {} };
    expect(applyCrdDefaults(obj, crds)).toMatchObject({ spec: { logLevel: 'info', backup: { target: 'prefer-standby' } } });
    expect(obj.spec).toEqual({});
    const other = { apiVersion: 'example.com/v1', kind: 'Cluster', metadata: { name: 'pg' }, spec: {} };
    expect(applyCrdDefaults(other, crds)).toBe(other);
  });

  it('reproduce what the server filled into the recorded CNPG Cluster and ExternalSecret', () => {
    const { desired, live } = fixture('crd-defaults');
    const crds = indexCrds(vendorCrds());
    for (const kind of ['Cluster', 'ExternalSecret']) {
      const d = applyCrdDefaults(stripServerFields(desired.find((o) => o.kind === kind)!), crds);
      const l = stripServerFields(live.find((o) => o.kind === kind)!);
      expect(d.spec, kind).toEqual(l.spec);
    }
  });
});

describe('metadata', () => {
  it('strips server fields, status and tool annotations, keeps labels and annotations we set', () => {
    const live = fixture('controller-annotations').live.find((o) => o.kind === 'Deployment')!;
    const stripped = stripServerFields(live) as any;
    expect(Object.keys(stripped.metadata).sort()).toEqual(['labels', 'name', 'namespace']);
    expect(stripped.status).toBeUndefined();
    expect(stripped.spec.template.metadata.annotations).toEqual({ 'tenantctl.io/config-hash': '7f68b34123f3d08d' });
    expect(live.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
  });

  it('keeps finalizers only when desired declares them', () => {
    const live: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p', finalizers: ['kubernetes.io/pvc-protection'] } };
    expect(stripServerFields(live, { ...live, metadata: { name: 'p' } }).metadata.finalizers).toBeUndefined();
    expect(stripServerFields(live, live).metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  });
});

describe('quantities', () => {
  it.each([['1000m', '1'], ['1024Mi', '1Gi'], [2, '2'], ['0.5', '500m'], ['1e3', '1k']] as const)('%s equals %s', (a, b) => {
    expect(sameQuantity(a, b)).toBe(true);
  });

  it('are only compared as quantities where quantities belong', () => {
    expect(sameScalar('1000m', '1', ['resources', 'limits', 'cpu'])).toBe(true);
    expect(sameScalar('1000m', '1', ['env', 'value'])).toBe(false);
    expect(sameScalar('1Gi', '1G', ['resources', 'requests', 'memory'])).toBe(false);
  });
});
