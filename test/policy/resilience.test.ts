import { describe, expect, it } from 'vitest';
import { compliantObjects, labels, NS, withChange, without } from './fixtures.ts';
import { of, run } from './helpers.ts';

describe('resilience policies', () => {
  it('a compliant tenant environment has no resilience findings', () => {
    expect(run(compliantObjects()).filter((f) => f.policy.startsWith('resilience/'))).toEqual([]);
  });

  it('an init container without a memory limit violates resilience/resources', () => {
    const findings = of('resilience/resources', run(withChange('Deployment', 'odoo', (d) => delete d.spec.template.spec.initContainers[0].resources.limits)));
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.template.spec.initContainers[0].resources', message: 'init container "migrate" has no limits.memory' })]);
  });

  it('a CronJob container without requests violates resilience/resources', () => {
    const findings = of('resilience/resources', run(withChange('CronJob', 'restore-test', (c) => delete c.spec.jobTemplate.spec.template.spec.containers[0].resources.requests)));
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.jobTemplate.spec.template.spec.containers[0].resources', message: expect.stringContaining('requests.cpu, requests.memory') })]);
  });

  it('a container exposing a port without probes violates resilience/probes', () => {
    const findings = of('resilience/probes', run(withChange('Deployment', 'odoo', (d) => delete d.spec.template.spec.containers[0].livenessProbe)));
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('livenessProbe') })]);
  });

  it('a Deployment with two replicas and no PodDisruptionBudget violates resilience/pod-disruption-budget', () => {
    expect(of('resilience/pod-disruption-budget', run(without('PodDisruptionBudget', 'odoo')))).toEqual([expect.objectContaining({ resource: expect.objectContaining({ kind: 'Deployment', name: 'odoo' }) })]);
  });

  it('a single-replica Deployment scaled by an HPA from 2 needs a PodDisruptionBudget', () => {
    const objects = withChange('Deployment', 'odoo', (d) => (d.spec.replicas = 1), without('PodDisruptionBudget', 'odoo'));
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'odoo', namespace: NS, labels: labels() }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'odoo' }, minReplicas: 2, maxReplicas: 4 } };
    expect(of('resilience/pod-disruption-budget', run([...objects, hpa]))).toHaveLength(1);
    expect(of('resilience/pod-disruption-budget', run(objects))).toEqual([]);
  });

  it('a dedicated-tier Deployment without a zone spread violates resilience/zone-spread', () => {
    expect(of('resilience/zone-spread', run(withChange('Deployment', 'odoo', (d) => delete d.spec.template.spec.topologySpreadConstraints)))).toHaveLength(1);
  });

  it('a shared-tier Deployment without a zone spread satisfies resilience/zone-spread', () => {
    const objects = withChange('Deployment', 'odoo', (d) => {
      delete d.spec.template.spec.topologySpreadConstraints;
      d.metadata.labels['tenantctl.io/tier'] = 'shared';
    });
    expect(of('resilience/zone-spread', run(objects, []))).toEqual([]);
  });
});
