import { describe, expect, it } from 'vitest';
import { desiredCluster, expectedObjects, resolveEngine } from '../../lib/audit/desired.ts';
import type { KubeObject } from '../../lib/model/resource.ts';

const obj = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name } });
const docs = [
  { file: 'generated/c1/cluster/namespace-velero.yaml', object: obj('Namespace', 'velero') },
  { file: 'generated/c1/flux/kustomization-c1-cluster.yaml', object: obj('Kustomization', 'c1-cluster') },
  { file: 'generated/c1/argocd/applicationset-tenants-c1.yaml', object: obj('ApplicationSet', 'tenants-c1') },
] as Parameters<typeof desiredCluster>[0];
const FLUX = { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization' };
const ARGO = { group: 'argoproj.io', kind: 'ApplicationSet' };
const names = (objects: KubeObject[]) => objects.map((o) => o.metadata.name);

describe('the GitOps engine of a cluster', () => {
  it('is the one fleet.ts names, whatever the cluster serves', () => {
    expect(resolveEngine('argocd', [FLUX])).toBe('argocd');
  });

  it('is inferred from the CRDs served when fleet.ts names none', () => {
    expect(resolveEngine(undefined, [FLUX])).toBe('flux');
    expect(resolveEngine(undefined, [ARGO])).toBe('argocd');
  });

  it('is unknown when the cluster serves both engines\' CRDs, or neither', () => {
    expect(resolveEngine(undefined, [FLUX, ARGO])).toBeUndefined();
    expect(resolveEngine(undefined, [])).toBeUndefined();
  });

  it('decides which bootstrap folder is expected: only its own, none when unknown', () => {
    const loaded = desiredCluster(docs, 'c1');
    expect(names(expectedObjects(loaded, 'flux'))).toEqual(['velero', 'c1-cluster']);
    expect(names(expectedObjects(loaded, 'argocd'))).toEqual(['velero', 'tenants-c1']);
    expect(names(expectedObjects(loaded, undefined))).toEqual(['velero']);
  });
});
