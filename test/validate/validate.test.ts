import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lib/io/read-manifests.ts';
import { validateObjects } from '../../lib/validate/index.ts';

const fixture = (name: string) => {
  const file = `test/validate/fixtures/${name}.yaml`;
  return parseManifests(readFileSync(join(import.meta.dirname, 'fixtures', `${name}.yaml`), 'utf8'), file).docs;
};
const validate = (name: string) => validateObjects(fixture(name));

describe('validateObjects', () => {
  it('passes a valid Deployment', () => {
    expect(validate('deployment-valid')).toEqual([]);
  });

  it('rejects a Deployment with an unknown field and names its path', () => {
    const findings = validate('deployment-unknown-field');
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'schema.invalid',
        file: 'test/validate/fixtures/deployment-unknown-field.yaml',
        resource: 'Deployment/tenant-acme-production/odoo',
        path: 'spec.template.spec.restartPolicyy',
        message: 'unknown field "restartPolicyy"',
      }),
    ]);
  });

  it('rejects a containerPort written as a string', () => {
    const [finding, ...rest] = validate('deployment-string-port');
    expect(rest).toEqual([]);
    expect(finding.path).toBe('spec.template.spec.containers[0].ports[0].containerPort');
    expect(finding.message).toMatch(/must be integer, got string "8069"/);
  });

  it('rejects an int32 field out of range', () => {
    const [finding, ...rest] = validate('deployment-port-out-of-int32');
    expect(rest).toEqual([]);
    expect(finding.path).toBe('spec.template.spec.containers[0].ports[0].containerPort');
    expect(finding.message).toMatch(/32-bit integer/);
  });

  it('rejects an invalid quantity', () => {
    const [finding, ...rest] = validate('deployment-invalid-quantity');
    expect(rest).toEqual([]);
    expect(finding.path).toBe('spec.template.spec.containers[0].resources.requests.memory');
    expect(finding.message).toMatch(/must be a quantity.*"1\.5GB"/);
  });

  it('rejects a Traefik IngressRoute with an unknown field', () => {
    expect(validate('ingressroute-unknown-field')).toEqual([
      expect.objectContaining({ code: 'schema.invalid', path: 'spec.routes[0].services[0].weigth', message: 'unknown field "weigth"' }),
    ]);
  });

  it('passes a valid CloudNativePG Cluster', () => {
    expect(validate('cnpg-cluster-valid')).toEqual([]);
  });

  it('checks the metadata of a custom resource against ObjectMeta', () => {
    const [doc] = fixture('cnpg-cluster-valid');
    const object = { ...doc.object, metadata: { ...doc.object.metadata, lables: { a: 'b' } } };
    expect(validateObjects([{ file: 'x.yaml', object }])).toEqual([
      expect.objectContaining({ code: 'schema.invalid', path: 'metadata.lables', message: 'unknown field "lables"' }),
    ]);
  });

  it('reports an unknown kind by name', () => {
    expect(validate('unknown-kind')).toEqual([
      expect.objectContaining({ code: 'schema.unknown-kind', resource: 'Widget/w', message: expect.stringContaining('"Widget"') }),
    ]);
  });

  it('reports a known kind under an apiVersion that is not served', () => {
    const [doc] = fixture('deployment-valid');
    const findings = validateObjects([{ file: 'x.yaml', object: { ...doc.object, apiVersion: 'extensions/v1beta1' } }]);
    expect(findings).toEqual([expect.objectContaining({ code: 'schema.unknown-api-version', fix: 'use apiVersion apps/v1' })]);
  });

  it('skips kustomization files', () => {
    const { docs } = parseManifests('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n', 'kustomization.yaml');
    expect(docs).toEqual([]);
  });

  it('reports a duplicate key as an unreadable manifest', () => {
    const { problems } = parseManifests('apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n', 'dup.yaml');
    expect(problems).toEqual([expect.objectContaining({ code: 'manifest.unreadable', file: 'dup.yaml' })]);
  });

  it('accepts int-or-string and nullable fields of custom resources', () => {
    const object = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: { name: 'odoo', namespace: 'tenant-acme-production' },
      spec: { routes: [{ match: 'Host(`a.example.com`)', kind: 'Rule', services: [{ name: 'odoo', port: 'http' }, { name: 'odoo', port: 8069 }] }] },
    };
    expect(validateObjects([{ file: 'x.yaml', object }])).toEqual([]);
  });
});

describe('reading manifests the way Kubernetes does', () => {
  const redis = (value: string) => `apiVersion: v1
kind: Pod
metadata:
  name: redis
spec:
  containers:
    - name: redis
      image: registry.example.com/redis:7.4
      args: [--appendonly, ${value}]
`;

  it('an unquoted yes is a boolean (YAML 1.1) and fails a string field, with a hint to quote it', () => {
    const { docs } = parseManifests(redis('yes'), 'pod.yaml');
    expect(validateObjects(docs)).toEqual([
      expect.objectContaining({ path: 'spec.containers[0].args[1]', message: 'must be string, got boolean true', fix: expect.stringContaining('quote the value') }),
    ]);
  });

  it('a quoted "yes" is a string', () => {
    expect(validateObjects(parseManifests(redis('"yes"'), 'pod.yaml').docs)).toEqual([]);
  });

  it('keeps times like 02:00 and dates as strings, as go-yaml does', () => {
    const { docs } = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {start: 02:00, day: 2026-01-01}\n', 'cm.yaml');
    expect(docs[0].object.data).toEqual({ start: '02:00', day: '2026-01-01' });
    expect(validateObjects(docs)).toEqual([]);
  });

  it('reads YAML 1.2 when asked', () => {
    expect(validateObjects(parseManifests(redis('yes'), 'pod.yaml', { yaml: '1.2' }).docs)).toEqual([]);
  });
});
