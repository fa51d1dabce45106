import { describe, expect, it } from 'vitest';
import { formatKey, keyOf } from '../../lib/model/resource.ts';
import { resourceId } from '../../lib/report/audit-values.ts';
import { formatResource } from '../../lib/report/rules.ts';
import { resourceLabel } from '../../lib/validate/validate.ts';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'odoo-web', namespace: 't-acme-production' } };
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 't-acme-production' } };

describe('one identity for a resource', () => {
  it('names a namespaced object Kind/namespace/name and a cluster-scoped one Kind/name', () => {
    expect(formatKey(keyOf(deployment))).toBe('Deployment/t-acme-production/odoo-web');
    expect(formatKey(keyOf(namespace))).toBe('Namespace/t-acme-production');
    expect(formatKey(keyOf({ ...namespace, metadata: { ...namespace.metadata, namespace: '' } }))).toBe('Namespace/t-acme-production');
  });

  it('names an object the same way in validate, policy findings and the audit report', () => {
    for (const object of [deployment, namespace]) {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: (object.metadata as { namespace?: string }).namespace };
      const expected = formatKey(keyOf(object));
      expect([resourceLabel(object), formatResource(ref), resourceId(ref)]).toEqual([expected, expected, expected]);
    }
  });
});
