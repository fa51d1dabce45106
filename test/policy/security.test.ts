import { describe, expect, it } from 'vitest';
import { compliantObjects, withChange } from './fixtures.ts';
import { of, run } from './helpers.ts';

const odoo = (change: (d: any) => void) => withChange('Deployment', 'odoo', change);
const container = (d: any) => d.spec.template.spec.containers[0];

describe('security policies', () => {
  it('a compliant tenant environment has no security findings', () => {
    expect(run(compliantObjects()).filter((f) => f.policy.startsWith('security/'))).toEqual([]);
  });

  it('a container without a numeric runAsUser violates security/run-as-non-root', () => {
    const findings = of('security/run-as-non-root', run(odoo((d) => delete d.spec.template.spec.securityContext.runAsUser)));
    expect(findings).toHaveLength(2); // the init container and the container
    expect(findings[0]).toMatchObject({ severity: 'error', resource: { kind: 'Deployment', name: 'odoo' }, tenant: 'acme', environment: 'production', tenantFile: 'tenants/acme.ts' });
    expect(findings.map((f) => f.path)).toContain('spec.template.spec.containers[0].securityContext');
  });

  it('a container running as UID 0 violates security/run-as-non-root even with runAsNonRoot set', () => {
    expect(of('security/run-as-non-root', run(odoo((d) => (container(d).securityContext.runAsUser = 0))))).toHaveLength(1);
  });

  it('a container that may escalate privileges violates security/no-privilege-escalation', () => {
    const findings = of('security/no-privilege-escalation', run(odoo((d) => delete container(d).securityContext.allowPrivilegeEscalation)));
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation' })]);
  });

  it('a container that keeps capabilities violates security/drop-all-capabilities', () => {
    expect(of('security/drop-all-capabilities', run(odoo((d) => (container(d).securityContext.capabilities = { drop: ['NET_RAW'] }))))).toHaveLength(1);
    expect(of('security/drop-all-capabilities', run(odoo((d) => (container(d).securityContext.capabilities.add = ['SYS_ADMIN']))))).toHaveLength(1);
  });

  it('a pod without the RuntimeDefault seccomp profile violates security/seccomp-runtime-default', () => {
    expect(of('security/seccomp-runtime-default', run(odoo((d) => delete d.spec.template.spec.securityContext.seccompProfile)))).toHaveLength(2);
  });

  it('a privileged container, hostPath volume or host namespace violates security/no-host-access', () => {
    const findings = of(
      'security/no-host-access',
      run(
        odoo((d) => {
          container(d).securityContext.privileged = true;
          d.spec.template.spec.hostNetwork = true;
          d.spec.template.spec.hostPID = true;
          d.spec.template.spec.volumes = [{ name: 'host', hostPath: { path: '/var/run' } }];
        }),
      ),
    );
    expect(findings.map((f) => f.path).sort()).toEqual([
      'spec.template.spec.containers[0].securityContext.privileged',
      'spec.template.spec.hostNetwork',
      'spec.template.spec.hostPID',
      'spec.template.spec.volumes[0].hostPath',
    ]);
  });

  it('an image tagged latest or untagged violates security/pinned-image', () => {
    expect(of('security/pinned-image', run(odoo((d) => (container(d).image = 'registry.example.com/odoo/odoo:latest'))))).toHaveLength(1);
    expect(of('security/pinned-image', run(odoo((d) => (container(d).image = 'registry.example.com:5000/odoo/odoo'))))).toHaveLength(1);
  });

  it('an image pinned by digest satisfies security/pinned-image', () => {
    expect(of('security/pinned-image', run(odoo((d) => (container(d).image = `registry.example.com/odoo/odoo@sha256:${'a'.repeat(64)}`))))).toEqual([]);
  });

  it('an image from a registry outside fleet.allowedRegistries violates security/allowed-registries', () => {
    const findings = of('security/allowed-registries', run(odoo((d) => (container(d).image = 'docker.io/odoo:18.0'))));
    expect(findings).toEqual([expect.objectContaining({ path: 'spec.template.spec.containers[0].image', message: expect.stringContaining('docker.io/odoo:18.0') })]);
  });

  it('a Secret with data in the manifests violates security/no-secret-data', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'tenant-acme-production' }, stringData: { password: 'hunter2' } };
    expect(of('security/no-secret-data', run([...compliantObjects(), secret]))).toEqual([expect.objectContaining({ path: 'stringData' })]);
  });

  it('a live Secret not managed by tenantctl does not violate security/no-secret-data', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'tenant-acme-production' }, data: { password: 'aHVudGVyMg==' } };
    expect(of('security/no-secret-data', run([...compliantObjects(), secret], undefined, { source: 'live' }))).toEqual([]);
  });

  it('a pod that mounts its service-account token violates security/no-service-account-token', () => {
    expect(of('security/no-service-account-token', run(odoo((d) => (d.spec.template.spec.automountServiceAccountToken = true))))).toHaveLength(1);
  });

  it('a pod whose ServiceAccount turns automount off satisfies security/no-service-account-token', () => {
    expect(of('security/no-service-account-token', run(odoo((d) => delete d.spec.template.spec.automountServiceAccountToken)))).toEqual([]);
  });
});
