import { describe, expect, it } from 'vitest';
import { compareDriftFindings } from '../../lib/drift/order.ts';
import type { DriftFinding } from '../../lib/drift/types.ts';
import { compareFindingPlaces, type FindingPlace } from '../../lib/model/finding-order.ts';

const deploy = (namespace: string | undefined, name = 'odoo-web', kind = 'Deployment', apiVersion = 'apps/v1') => ({ apiVersion, kind, namespace, name });

describe('the one finding order', () => {
  it('orders by severity, cluster, tenant, environment, namespace, kind, name, group, type, rule, path, message', () => {
    const ordered: FindingPlace[] = [
      { severity: 'error', cluster: 'b', resource: deploy('z') },
      { severity: 'warning', cluster: 'a', resource: deploy('a') },
      { cluster: 'a', resource: deploy('a') },
      { cluster: 'a', tenant: 'acme', environment: 'production', resource: deploy('a') },
      { cluster: 'a', tenant: 'acme', environment: 'staging', resource: deploy('a') },
      { cluster: 'a', tenant: 'beta', resource: deploy(undefined, 'x', 'Namespace', 'v1') },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta', 'odoo-web', 'ConfigMap', 'v1') },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta', 'odoo-cron') },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta', 'odoo-web', 'Deployment', 'v1') },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta', 'odoo-web', 'Deployment', 'apps/v1') },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta'), type: 0 },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta'), type: 4, rule: 'labels/owner' },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta'), type: 4, rule: 'security/run-as-non-root', path: 'spec.a' },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta'), type: 4, rule: 'security/run-as-non-root', path: 'spec.b', message: 'A' },
      { cluster: 'a', tenant: 'beta', resource: deploy('t-beta'), type: 4, rule: 'security/run-as-non-root', path: 'spec.b', message: 'B' },
    ];
    const shuffled = [...ordered].reverse();
    shuffled.push(shuffled.splice(3, 1)[0], shuffled.splice(7, 1)[0]);
    expect(shuffled.sort(compareFindingPlaces)).toEqual(ordered);
  });

  it('compares by code unit, not by locale: upper case before lower case, on every machine', () => {
    const places = ['b', 'B', 'a', 'A'].map((name): FindingPlace => ({ resource: deploy('ns', name) }));
    expect(places.sort(compareFindingPlaces).map((p) => p.resource.name)).toEqual(['A', 'B', 'a', 'b']);
  });

  it('drift and audit findings: tenant first, then the object, then the type (modified before missing before policy)', () => {
    const f = (tenant: string | undefined, name: string, type: DriftFinding['type']): DriftFinding => ({ type, tenant, resource: { ...deploy(tenant ? `t-${tenant}` : 'kube-system', name), apiVersion: 'apps/v1' } });
    const ordered = [f(undefined, 'coredns', 'unmanaged'), f('acme', 'odoo-cron', 'missing'), f('acme', 'odoo-web', 'modified'), f('acme', 'odoo-web', 'policy'), f('beta', 'odoo-web', 'orphaned')];
    expect([...ordered].reverse().sort(compareDriftFindings)).toEqual(ordered);
  });
});
