/**
 * The one order of findings, for validate's and policy findings, drift findings and the audit
 * report alike, so a finding sits in the same place whichever command lists it and the output is
 * byte-identical on every machine (code-unit comparison: no locale).
 *
 * Keys, first to last: severity (errors, then warnings, then findings without one), cluster,
 * tenant, environment, namespace, kind, name, API group, finding type (in the order its caller
 * lists the types), rule (policy id), path, message. A key a finding does not have sorts first.
 */
import { groupOf, type ResourceRef } from './resource.ts';

/** Where a finding is, as far as ordering goes; each kind of finding maps itself onto it. */
export interface FindingPlace {
  readonly severity?: 'error' | 'warning';
  readonly cluster?: string;
  readonly tenant?: string;
  readonly environment?: string;
  readonly resource: Pick<ResourceRef, 'kind' | 'namespace' | 'name'> & { readonly apiVersion?: string };
  /** Rank of the finding's type among its kind's types (e.g. FINDING_TYPES.indexOf). */
  readonly type?: number;
  readonly rule?: string;
  readonly path?: string;
  readonly message?: string;
}

const SEVERITY_RANK = { error: 0, warning: 1 } as const;

function keys(p: FindingPlace): Array<string | number> {
  return [
    p.severity === undefined ? 2 : SEVERITY_RANK[p.severity], p.cluster ?? '', p.tenant ?? '', p.environment ?? '',
    p.resource.namespace ?? '', p.resource.kind, p.resource.name, groupOf(p.resource.apiVersion ?? ''),
    p.type ?? -1, p.rule ?? '', p.path ?? '', p.message ?? '',
  ];
}

export function compareFindingPlaces(a: FindingPlace, b: FindingPlace): number {
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/** A comparator for findings of one shape, by the place `placeOf` maps each to. */
export function findingOrder<T>(placeOf: (finding: T) => FindingPlace): (a: T, b: T) => number {
  return (a, b) => compareFindingPlaces(placeOf(a), placeOf(b));
}
