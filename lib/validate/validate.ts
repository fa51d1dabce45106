/**
 * Strict schema validation of manifests against a SchemaRegistry, every problem collected.
 * Pure: objects and a registry in, findings out.
 */
import { formatKey, type KubeObject } from '../model/resource.ts';
import type { ManifestDoc, SchemaFinding } from './findings.ts';
import { describeError, foldCombinators } from './messages.ts';
import type { SchemaRegistry } from './registry.ts';

/** kustomize's own files (`kustomization.yaml`) are build instructions, not objects. */
export function isKustomizeConfig(object: { apiVersion?: unknown }): boolean {
  return typeof object.apiVersion === 'string' && object.apiVersion.startsWith('kustomize.config.k8s.io/');
}

/** `Kind/namespace/name` that never throws, for documents that may lack metadata. */
export function resourceLabel(object: Partial<KubeObject>): string {
  const kind = typeof object.kind === 'string' ? object.kind : '<no kind>';
  const meta = (object.metadata ?? {}) as { name?: unknown; namespace?: unknown; generateName?: unknown };
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '<no name>';
  return formatKey({ kind, namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined, name });
}

export function validateWith(registry: SchemaRegistry, docs: ReadonlyArray<ManifestDoc>): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  for (const { file, object } of docs) {
    if (isKustomizeConfig(object)) continue;
    const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
    // Built for findings only: most objects have none.
    const base = () => ({ file, resource: resourceLabel(object), ...(typeof apiVersion === 'string' && apiVersion ? { apiVersion } : {}) });
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
      findings.push({
        code: 'schema.missing-type',
        ...base(),
        path: typeof apiVersion !== 'string' || !apiVersion ? 'apiVersion' : 'kind',
        message: 'document has no apiVersion or kind',
        fix: 'every manifest document needs apiVersion and kind, e.g. apiVersion: apps/v1, kind: Deployment',
      });
      continue;
    }
    const found = registry.lookup(apiVersion, kind);
    if (!found.found) {
      findings.push(
        found.reason === 'unknown-kind'
          ? {
              code: 'schema.unknown-kind',
              ...base(),
              path: 'kind',
              message: `unknown kind "${kind}" (apiVersion ${apiVersion}): not a Kubernetes v${registry.kubernetesVersion} kind and no vendored CRD defines it`,
              fix: 'check the spelling of kind, or vendor the CRD that defines it under vendor/crds/',
            }
          : {
              code: 'schema.unknown-api-version',
              ...base(),
              path: 'apiVersion',
              message: `${kind} is not served as ${apiVersion} (known: ${found.knownApiVersions.join(', ')})`,
              fix: `use apiVersion ${found.knownApiVersions[found.knownApiVersions.length - 1]}`,
            },
      );
      continue;
    }
    const kindLabel = `${kind} (${apiVersion})`;
    if (!found.validate(object)) {
      const seen = new Set<string>();
      for (const error of foldCombinators(found.validate.errors ?? [])) {
        const problem = describeError(error, object, kindLabel);
        const id = `${problem.path}\0${problem.message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        findings.push({ code: 'schema.invalid', ...base(), ...problem });
      }
    }
    const meta = object.metadata as { name?: unknown; generateName?: unknown } | undefined;
    if (meta && typeof meta === 'object' && meta.name === undefined && meta.generateName === undefined) {
      findings.push({ code: 'schema.invalid', ...base(), path: 'metadata.name', message: 'is required', fix: 'give the object a name' });
    } else if (meta === undefined) {
      findings.push({ code: 'schema.invalid', ...base(), path: 'metadata', message: 'is required', fix: 'give the object metadata with a name' });
    }
  }
  return findings;
}
