import { describe, expect, it } from 'vitest';
import { detectDrift } from '../../lib/drift/engine.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { asLive, deployment, managed } from './helpers.ts';

const owned = (keys: Record<string, string>) => Object.fromEntries(Object.keys(keys).map((k) => [`f:${k}`, {}]));

/**
 * `desired` as synced by an engine that put these labels and annotations on it: the engine
 * (server-side apply) owns the labels, a person's `kubectl annotate` the annotations.
 */
function synced(desired: KubeObject, labels: Record<string, string>, annotations: Record<string, string> = {}, engine = 'argocd-controller'): KubeObject {
  const fields = [
    managed(engine, { 'f:metadata': { 'f:labels': { ...owned(desired.metadata.labels ?? {}), ...owned(labels) } } }, 'Apply'),
    managed('kubectl-annotate', { 'f:metadata': { 'f:annotations': owned(annotations) } }),
  ];
  return asLive(desired, fields, (o) => {
    o.metadata.labels = { ...o.metadata.labels, ...labels };
    if (Object.keys(annotations).length) o.metadata.annotations = { ...o.metadata.annotations, ...annotations };
  });
}

const findings = (desired: KubeObject, live: KubeObject) => detectDrift({ desired: [desired], live: [live] });

describe('GitOps engines\' tracking keys', () => {
  it('are not drift with Argo CD label tracking (app.kubernetes.io/instance), annotation tracking or both', () => {
    const d = deployment();
    expect(findings(d, synced(d, { 'app.kubernetes.io/instance': 'eu-west-1-acme-production' }))).toEqual([]);
    expect(findings(d, synced(d, {}, { 'argocd.argoproj.io/tracking-id': 'eu-west-1-acme-production:apps/Deployment:tenant-acme-production/odoo-web' }))).toEqual([]);
    expect(findings(d, synced(d, { 'argocd.argoproj.io/instance': 'x' }, { 'argocd.argoproj.io/tracking-id': 'x:apps/Deployment:ns/odoo-web', 'argocd.argoproj.io/installation-id': 'prod' }))).toEqual([]);
  });

  it('are not drift with Flux ownership labels and a flux reconcile request', () => {
    const d = deployment();
    const live = synced(d, { 'kustomize.toolkit.fluxcd.io/name': 'eu-west-1-acme-production', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' }, { 'reconcile.fluxcd.io/requestedAt': '2026-12-03T04:00:00Z' }, 'kustomize-controller');
    expect(findings(d, live)).toEqual([]);
  });

  it('are not drift on an Argo CD refresh request', () => {
    const d = deployment();
    expect(findings(d, synced(d, {}, { 'argocd.argoproj.io/refresh': 'hard' }))).toEqual([]);
  });

  it('are still drift where Git sets them: a changed app.kubernetes.io/instance label Git declares', () => {
    const d = deployment();
    d.metadata.labels = { ...d.metadata.labels, 'app.kubernetes.io/instance': 'acme' };
    const live = synced(d, { 'app.kubernetes.io/instance': 'eu-west-1-acme-production' });
    const [f] = findings(d, live);
    expect(f?.type).toBe('modified');
    expect(f?.changes?.map((c) => [c.path, c.desired, c.live])).toEqual([['metadata.labels["app.kubernetes.io/instance"]', 'acme', 'eu-west-1-acme-production']]);
  });

  it('are still drift where Git sets them: a removed prune opt-out Git declares', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'velero', labels: { 'app.kubernetes.io/managed-by': 'tenantctl' }, annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } };
    const live = asLive(ns, [], (o) => {
      o.metadata.annotations = {};
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': 'velero' };
    });
    const [f] = findings(ns, live);
    expect(f?.changes?.map((c) => c.path)).toEqual(['metadata.annotations["kustomize.toolkit.fluxcd.io/prune"]']);
  });
});
