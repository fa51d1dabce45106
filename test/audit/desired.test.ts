import { describe, expect, it } from 'vitest';
import { desiredCluster, desiredClusterFromTexts } from '../../lib/audit/desired.ts';
import type { ManifestText } from '../../lib/io/read-manifests-parallel.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import type { ManifestDoc } from '../../lib/validate/findings.ts';

const doc = (file: string, apiVersion: string, kind: string, name: string, namespace?: string): ManifestDoc => ({
  file,
  object: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, data: { file } } as KubeObject,
});

const asText = ({ file, object }: ManifestDoc): ManifestText => ({
  file,
  apiVersion: object.apiVersion,
  kind: object.kind,
  ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  json: Buffer.from(JSON.stringify(object)),
});

// Two API versions of one kind, a kind of another group with the same name, both engines'
// folders, a nested tenant folder, and another cluster's file.
const DOCS = [
  doc('generated/c1/tenants/b/hpa.yaml', 'autoscaling/v2', 'HorizontalPodAutoscaler', 'web', 'tenant-b'),
  doc('generated/c1/tenants/a/hpa.yaml', 'autoscaling/v1', 'HorizontalPodAutoscaler', 'web', 'tenant-a'),
  doc('generated/c1/flux/kustomization.yaml', 'kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'c1'),
  doc('generated/c1/cluster/namespace.yaml', 'v1', 'Namespace', 'tenant-a'),
  doc('generated/c1/argocd/app.yaml', 'argoproj.io/v1alpha1', 'Application', 'tenants'),
  doc('generated/c1/tenants/a/middleware.yaml', 'traefik.io/v1alpha1', 'Middleware', 'mw', 'tenant-a'),
  doc('generated/c2/cluster/namespace.yaml', 'v1', 'Namespace', 'tenant-z'),
  doc('generated/c1/tenants/a/other-middleware.yaml', 'example.com/v1', 'Middleware', 'mw', 'tenant-a'),
  doc('generated/c1/flux/source.yaml', 'source.toolkit.fluxcd.io/v1', 'GitRepository', 'fleet'),
];

const shape = (cluster: ReturnType<typeof desiredCluster>) => cluster.segments.map((s) => ({ engine: s.engine, apiVersion: s.apiVersion, kind: s.kind, count: s.count, namespaces: s.namespaces, objects: s.objects() }));

describe('the desired state of a cluster read as text', () => {
  it('has the segments, in the order and with the objects, that the same documents read as objects give', () => {
    const fromText = desiredClusterFromTexts(DOCS.map(asText), 'c1');
    expect(shape(fromText)).toEqual(shape(desiredCluster(DOCS, 'c1')));
    expect(fromText.segments.map((s) => `${s.engine ?? '-'} ${s.apiVersion} ${s.count}`)).toEqual([
      '- autoscaling/v2 2', '- v1 1', '- traefik.io/v1alpha1 1', '- example.com/v1 1',
      'flux kustomize.toolkit.fluxcd.io/v1 1', 'flux source.toolkit.fluxcd.io/v1 1', 'argocd argoproj.io/v1alpha1 1',
    ]);
  });

  it('keeps each segment as the JSON of its objects, which JSON.stringify of them gives byte for byte', () => {
    for (const s of desiredClusterFromTexts(DOCS.map(asText), 'c1').segments) expect(s.json?.().toString('utf8')).toBe(JSON.stringify(s.objects()));
  });

  it('parses a segment anew on each call, so the caller may change the objects it got', () => {
    const [hpa] = desiredClusterFromTexts(DOCS.map(asText), 'c1').segments;
    hpa.objects()[0].metadata.name = 'changed';
    expect(hpa.objects()[0].metadata.name).toBe('web');
  });
});
