import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests } from '../../lib/io/read-manifests.ts';
import { readSchemaSource } from '../../lib/io/read-schemas.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { SchemaRegistry } from '../../lib/validate/registry.ts';
import { shareRepeatedSubschemas } from '../../lib/validate/shared-subschemas.ts';
import { validateWith } from '../../lib/validate/validate.ts';

const big = (tag: string) => ({ type: 'object', properties: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${tag}${i}`, { type: 'string', pattern: '^[a-z]+$' }])), additionalProperties: false });

describe('shareRepeatedSubschemas', () => {
  it('moves a repeated subschema to definitions once and refers to it from each place', () => {
    const schema = { type: 'object', properties: { a: big('x'), b: { type: 'array', items: big('x') }, c: big('y') } };
    const shared = shareRepeatedSubschemas(schema);
    expect(shared.definitions).toEqual({ 'tenantctl.shared.0': big('x') });
    expect(shared.properties).toEqual({ a: { $ref: '#/definitions/tenantctl.shared.0' }, b: { type: 'array', items: { $ref: '#/definitions/tenantctl.shared.0' } }, c: big('y') });
    // The input is left as it was.
    expect(schema.properties.a).toEqual(big('x'));
  });

  it('leaves small subschemas, subschemas inside combinators and schemas without repeats alone', () => {
    const small = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } };
    expect(shareRepeatedSubschemas(small)).toBe(small);
    const inCombinators = { type: 'object', properties: { a: { anyOf: [big('x'), { type: 'null' }] }, b: { oneOf: [big('x'), { type: 'integer' }] } } };
    expect(shareRepeatedSubschemas(inCombinators)).toBe(inCombinators);
    const withDefinitions = { definitions: {}, properties: { a: big('x'), b: big('x') } };
    expect(shareRepeatedSubschemas(withDefinitions)).toBe(withDefinitions);
  });

  it('shares subschemas inside shared ones', () => {
    const outer = { type: 'object', properties: { inner: big('x'), other: { type: 'string' }, more: big('z') } };
    const shared = shareRepeatedSubschemas({ type: 'object', properties: { a: outer, b: outer, c: big('x') } });
    expect(Object.keys(shared.definitions as object)).toHaveLength(2);
    expect(JSON.stringify(shared).match(/\$ref/g)).toHaveLength(4);
  });
});

describe('a registry that shares subschemas', () => {
  it('finds exactly what a registry without sharing finds, on mutations of real objects', () => {
    const source = readSchemaSource({});
    const shared = new SchemaRegistry(source);
    const plain = new SchemaRegistry(source, { shareSubschemas: false });
    const { docs } = readManifests(join(import.meta.dirname, '..', '..', 'generated'));
    const byKind = new Map<string, KubeObject>();
    for (const d of docs) byKind.set(`${d.object.apiVersion}/${d.object.kind}`, d.object);
    expect(byKind.has('argoproj.io/v1alpha1/ApplicationSet')).toBe(true);

    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const junk: unknown[] = ['x', 1, true, null, [], {}, { zz: 1 }, -1, 1.5, 'yes', 2 ** 40];
    const mutate = (object: KubeObject): KubeObject => {
      const copy = structuredClone(object) as unknown as Record<string, unknown>;
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        let parent: Record<string, unknown> = copy;
        let key: string | undefined;
        for (let depth = 0; depth < 12; depth++) {
          const keys = Object.keys(parent);
          if (keys.length === 0) break;
          key = keys[Math.floor(random() * keys.length)];
          const next = parent[key];
          if (typeof next !== 'object' || next === null || random() < 0.15) break;
          parent = next as Record<string, unknown>;
        }
        if (key === undefined) continue;
        const r = random();
        if (r < 0.4) parent[key] = junk[Math.floor(random() * junk.length)];
        else if (r < 0.7 && typeof parent[key] === 'object' && parent[key] !== null && !Array.isArray(parent[key])) (parent[key] as Record<string, unknown>).unknownField = 1;
        else if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      }
      return copy as unknown as KubeObject;
    };
    const variants = [...byKind.values()].flatMap((object) => [object, ...Array.from({ length: 40 }, () => mutate(object))]).map((object) => ({ file: 'x.yaml', object }));
    const findings = validateWith(shared, variants);
    expect(findings.length).toBeGreaterThan(variants.length / 2);
    expect(findings).toEqual(validateWith(plain, variants));
  });
});
