import { describe, expect, it } from 'vitest';
import { diffObjects, type DiffOptions } from '../../lib/drift/diff.ts';
import { compilePathPattern, formatPath, tokenizePath, valueAt } from '../../lib/drift/path.ts';

/** Changes as `path: desired -> live`. */
function diff(desired: unknown, live: unknown, options: DiffOptions = { kind: 'Deployment' }): string[] {
  return diffObjects(desired, live, options).map((c) => `${formatPath(c.path)}: ${JSON.stringify(c.desired)} -> ${JSON.stringify(c.live)}`);
}

const pod = (containers: object[]) => ({ spec: { template: { spec: { containers } } } });

describe('diffObjects', () => {
  it('finds nothing in equal objects and treats null, {} and [] as absent', () => {
    expect(diff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toEqual([]);
    expect(diff({ a: {}, b: [], c: null }, { d: {} })).toEqual([]);
  });

  it('selects list items by key and reports additions and removals at their leaves', () => {
    const desired = pod([{ name: 'odoo', env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'GONE', value: 'x' }] }]);
    const live = pod([{ name: 'odoo', env: [{ name: 'DEBUG', value: '1' }, { name: 'LOG_LEVEL', value: 'debug' }] }]);
    expect(diff(desired, live)).toEqual([
      'spec.template.spec.containers[name=odoo].env[name=LOG_LEVEL].value: "info" -> "debug"',
      'spec.template.spec.containers[name=odoo].env[name=GONE].value: "x" -> undefined',
      'spec.template.spec.containers[name=odoo].env[name=DEBUG].value: undefined -> "1"',
    ]);
  });

  it('does not care about the order of keyed items', () => {
    const a = pod([{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }]);
    const b = pod([{ name: 'b', image: 'y' }, { name: 'a', image: 'x' }]);
    expect(diff(a, b)).toEqual([]);
  });

  it('reports an item holding only its key fields as the item itself', () => {
    expect(diff({ spec: { imagePullSecrets: [] } }, { spec: { imagePullSecrets: [{ name: 'regcred' }] } })).toEqual([
      'spec.imagePullSecrets[name=regcred]: undefined -> {"name":"regcred"}',
    ]);
  });

  it('keys volumeMounts by mountPath and quotes key values that need it', () => {
    const desired = pod([{ name: 'odoo', volumeMounts: [{ name: 'data', mountPath: '/var/lib/odoo' }] }]);
    const live = pod([{ name: 'odoo', volumeMounts: [{ name: 'data', mountPath: '/var/lib/odoo', readOnly: true }, { name: 'x', mountPath: '/a b' }] }]);
    expect(diff(desired, live)).toEqual([
      'spec.template.spec.containers[name=odoo].volumeMounts[mountPath=/var/lib/odoo].readOnly: undefined -> true',
      'spec.template.spec.containers[name=odoo].volumeMounts[mountPath="/a b"].name: undefined -> "x"',
    ]);
  });

  it('keys ports by name when every port has one, else by port and protocol (TCP when absent)', () => {
    const named = pod([{ name: 'odoo', ports: [{ name: 'http', containerPort: 8069 }] }]);
    const renumbered = pod([{ name: 'odoo', ports: [{ name: 'http', containerPort: 8070, protocol: 'TCP' }] }]);
    expect(diff(named, renumbered)).toEqual([
      'spec.template.spec.containers[name=odoo].ports[name=http].containerPort: 8069 -> 8070',
      'spec.template.spec.containers[name=odoo].ports[name=http].protocol: undefined -> "TCP"',
    ]);
    const service = (ports: object[]) => ({ spec: { ports } });
    // protocol is a key field here: part of the path, TCP when absent, never a change of its own.
    expect(diff(service([{ port: 80 }]), service([{ port: 80, protocol: 'TCP', targetPort: 8080 }]), { kind: 'Service' })).toEqual([
      'spec.ports[port=80,protocol=TCP].targetPort: undefined -> 8080',
    ]);
  });

  it('compares lists without keys by index, and lists of scalars as a whole', () => {
    const np = (ports: number[]) => ({ spec: { egress: [{ ports: ports.map((port) => ({ port })) }] } });
    expect(diff(np([53]), np([53, 443]), { kind: 'NetworkPolicy' })).toEqual(['spec.egress[0].ports[1].port: undefined -> 443']);
    expect(diff({ spec: { args: ['a', 'b'] } }, { spec: { args: ['b', 'a'] } })).toEqual(['spec.args: ["a","b"] -> ["b","a"]']);
  });

  it('treats finalizers as a set', () => {
    expect(diff({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['b', 'a'] } })).toEqual([]);
  });

  it('compares custom resources by the list keys of their CRD schema, atomically otherwise', () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', properties: {
      groups: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
      containers: { type: 'array', items: { type: 'object' } },
    } } } };
    const desired = { spec: { groups: [{ name: 'a', interval: '1m' }], containers: [{ name: 'x', image: '1' }] } };
    const live = { spec: { groups: [{ name: 'a', interval: '5m' }], containers: [{ name: 'x', image: '2' }] } };
    expect(diff(desired, live, { kind: 'PrometheusRule', schema, custom: true })).toEqual([
      'spec.containers[0].image: "1" -> "2"',
      'spec.groups[name=a].interval: "1m" -> "5m"',
    ]);
  });

  it('compares quantities by value where quantities belong, and nowhere else', () => {
    const desired = pod([{ name: 'odoo', resources: { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: 0.5 } }, env: [{ name: 'CPU', value: '1000m' }] }]);
    const live = pod([{ name: 'odoo', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }, env: [{ name: 'CPU', value: '1' }] }]);
    expect(diff(desired, live)).toEqual(['spec.template.spec.containers[name=odoo].env[name=CPU].value: "1000m" -> "1"']);
    expect(diff({ spec: { hard: { 'limits.cpu': '30000m' } } }, { spec: { hard: { 'limits.cpu': '30' } } }, { kind: 'ResourceQuota' })).toEqual([]);
    expect(diff({ spec: { hard: { 'limits.cpu': '30' } } }, { spec: { hard: { 'limits.cpu': '31' } } }, { kind: 'ResourceQuota' })).toEqual([
      'spec.hard["limits.cpu"]: "30" -> "31"',
    ]);
  });

  it('treats an int-or-string number and its string as the same', () => {
    expect(diff({ spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } }, { spec: { strategy: { rollingUpdate: { maxSurge: '1' } } } })).toEqual([]);
    expect(diff({ spec: { replicas: 1 } }, { spec: { replicas: '1' } })).toEqual(['spec.replicas: 1 -> "1"']);
  });

  it('reports a type change at the field', () => {
    expect(diff({ spec: { x: { a: 1 } } }, { spec: { x: 'a' } })).toEqual(['spec.x: {"a":1} -> "a"']);
  });
});

describe('paths', () => {
  it('quote map keys that are not identifiers', () => {
    expect(formatPath([{ kind: 'field', name: 'metadata' }, { kind: 'field', name: 'labels' }, { kind: 'field', name: 'app.kubernetes.io/name' }]))
      .toBe('metadata.labels["app.kubernetes.io/name"]');
  });

  it('tokenize back what they format', () => {
    expect(tokenizePath('spec.containers[name=odoo].env[name="a]b"].value')).toEqual(['f:spec', 'f:containers', '[name=odoo]', 'f:env', '[name="a]b"]', 'f:value']);
    expect(tokenizePath('data["tls.crt"]')).toEqual(['f:data', 'f:tls.crt']);
    expect(() => tokenizePath('spec.[')).toThrow(/never closed/);
  });

  it('match patterns with wildcards, for the path and everything under it', () => {
    const m = compilePathPattern('spec.template.spec.containers[*].env');
    expect(m('spec.template.spec.containers[name=odoo].env[name=DEBUG].value')).toBe(true);
    expect(m('spec.template.spec.containers[name=odoo].image')).toBe(false);
    expect(compilePathPattern('metadata.annotations.*')('metadata.annotations["a.b/c"]')).toBe(true);
  });

  it('look values up by key, with key defaults', () => {
    const obj = { ports: [{ containerPort: 80, name: 'http' }] };
    expect(valueAt(obj, [{ kind: 'field', name: 'ports' }, { kind: 'key', keys: [['containerPort', 80], ['protocol', 'TCP']], item: {}, defaults: { protocol: 'TCP' } }, { kind: 'field', name: 'name' }]))
      .toBe('http');
  });
});
