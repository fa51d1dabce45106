import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/model/resource.ts';
import { compliantObjects, environment, labels, NS, withChange } from './fixtures.ts';
import { of, run } from './helpers.ts';

const meta = (name: string) => ({ name, namespace: NS, labels: labels() });

describe('policies on risky live changes', () => {
  it('a compliant tenant environment breaks none of them', () => {
    const ids = ['backups/not-suspended', 'isolation/egress-not-open', 'ingress/no-direct-exposure', 'security/pod-security-restricted', 'resilience/database-instances'];
    expect(run(compliantObjects()).filter((f) => ids.includes(f.policy))).toEqual([]);
  });

  it('a suspended ScheduledBackup breaks backups/not-suspended, saying the RPO is no longer met', () => {
    const found = of('backups/not-suspended', run(withChange('ScheduledBackup', 'pg-daily', (s) => (s.spec.suspend = true)), [environment({ rpoMinutes: 15 })]));
    expect(found).toEqual([expect.objectContaining({ severity: 'error', path: 'spec.suspend', message: expect.stringContaining('the RPO of 15 minutes is no longer met') })]);
  });

  it('a suspended dump CronJob and a paused Velero Schedule break it too; a suspended restore test does not', () => {
    const cronJob = (name: string, component: string): KubeObject => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { ...meta(name), labels: { ...labels(), 'app.kubernetes.io/component': component } }, spec: { suspend: true, schedule: '0 * * * *' } });
    const schedule: KubeObject = { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'volumes', namespace: 'velero', labels: labels() }, spec: { paused: true, schedule: '0 * * * *' } };
    const found = of('backups/not-suspended', run([...compliantObjects(), cronJob('pg-dump', 'backup'), cronJob('restore-test', 'restore-test'), schedule]));
    expect(found.map((f) => `${f.resource.kind}/${f.resource.name} ${f.path}`).sort()).toEqual(['CronJob/pg-dump spec.suspend', 'Schedule/volumes spec.paused']);
  });

  it('egress widened to 0.0.0.0/0 breaks isolation/egress-not-open; the database pods\' 443/6443 egress and narrow rules do not', () => {
    const widened: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('allow-integrations'),
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.51.100.10/32' } }], ports: [{ port: 443 }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } };
    const everywhere: KubeObject = { ...widened, metadata: meta('allow-all'), spec: { podSelector: {}, egress: [{}] } };
    const database: KubeObject = { ...widened, metadata: meta('allow-postgres'),
      spec: { podSelector: { matchLabels: { 'cnpg.io/cluster': 'pg' } }, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }, { port: 6443 }] }] } };
    const found = of('isolation/egress-not-open', run([...compliantObjects(), widened, everywhere, database]));
    expect(found.map((f) => `${f.resource.name} ${f.path}`).sort()).toEqual(['allow-all spec.egress[0]', 'allow-integrations spec.egress[1]']);
    expect(found[0].message).toContain('tenant isolation is broken');
  });

  it('a LoadBalancer, NodePort or externalIPs Service in a tenant namespace breaks ingress/no-direct-exposure', () => {
    const svc = (name: string, spec: object): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { ports: [{ port: 80 }], ...spec } });
    const elsewhere: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'traefik', namespace: 'traefik' }, spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } };
    const found = of('ingress/no-direct-exposure', run([...compliantObjects(), svc('debug-lb', { type: 'LoadBalancer' }), svc('np', { type: 'NodePort' }), svc('ext', { externalIPs: ['203.0.113.9'] }), svc('internal', {}), elsewhere]));
    expect(found.map((f) => f.resource.name).sort()).toEqual(['debug-lb', 'ext', 'np']);
    expect(found.find((f) => f.resource.name === 'debug-lb')).toMatchObject({ severity: 'error', message: expect.stringContaining('past Traefik') });
  });

  it('a tenant namespace whose Pod Security level was lowered, or removed, breaks security/pod-security-restricted', () => {
    const lowered = withChange('Namespace', NS, (n) => (n.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline'));
    expect(of('security/pod-security-restricted', run(lowered))).toEqual([expect.objectContaining({ message: expect.stringContaining('"baseline" instead of "restricted"') })]);
    const removed = withChange('Namespace', NS, (n) => delete n.metadata.labels['pod-security.kubernetes.io/enforce']);
    expect(of('security/pod-security-restricted', run(removed))).toHaveLength(1);
  });

  it('a CNPG Cluster with fewer instances than promised breaks resilience/database-instances', () => {
    const found = of('resilience/database-instances', run(withChange('Cluster', 'pg', (c) => (c.spec.instances = 1))));
    expect(found).toEqual([expect.objectContaining({ severity: 'error', path: 'spec.instances', message: expect.stringContaining('runs 1 instance, below the 2') })]);
  });
});
