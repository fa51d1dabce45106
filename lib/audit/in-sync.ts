/**
 * What the last audit of a cluster found in sync, so that the next audit compares only what
 * changed since, as Argo CD's controller re-compares only the resources its watch saw change.
 *
 * Kubernetes gives an object a new `resourceVersion` on every write (and a new `uid` when it is
 * made again). A live object whose uid and resourceVersion are the ones an earlier audit found in
 * sync with the same desired objects (the kind's segment digest, lib/audit/desired.ts) is in sync
 * again, provided the comparison's rules and code are the same: the record is stored under a key
 * of those (lib/cli/commands/audit.ts), so a new tenantctl, other CRD schemas or another cluster
 * never see it. Such an object is neither compared nor is its desired object parsed; anything
 * else (another resourceVersion, a desired object the record does not hold in sync, a missing
 * one) goes the full way, so findings are exactly those of a full audit.
 *
 * The live policies' findings are reused the same way: when the record's policy key (the policy
 * inputs: tenant environments, fleet, tiers, the day waivers expire against) and the stamps of
 * every object kept for the policies are those of the record, the policies would judge the same
 * objects with the same inputs again.
 *
 * Pure: records are built from what the audit saw and read back by lib/io/in-sync-cache.ts.
 */
import { createHash, type Hash } from 'node:crypto';
import type { KubeObject } from '../model/resource.ts';
import type { AuditFinding } from './types.ts';

/**
 * One kind's verdicts: every desired object's key, with the stamp of the live object it was in
 * sync with ('' when it was not). A Map the auditor may update in place: the next audit of the
 * kind against the same desired objects turns the last verdicts into its own (auditCluster), so a
 * cluster's verdicts are held once, not once read and once written.
 */
export interface InSyncKind {
  /** DesiredObjects.digest the verdicts were reached against. */
  readonly digest: string;
  readonly stamps: Map<string, string>;
}

export interface InSyncPolicies {
  /** Hash of the policy inputs and of the stamps of every object the policies judged. */
  readonly key: string;
  readonly findings: readonly AuditFinding[];
}

export interface InSyncRecord {
  /** By `group/Kind`. */
  readonly kinds: ReadonlyMap<string, InSyncKind>;
  readonly policies?: InSyncPolicies;
}

/** A live object's write stamp: uid and resourceVersion; undefined when the server gave neither. */
export function stampOf(o: KubeObject): string | undefined {
  const { uid, resourceVersion } = o.metadata as { uid?: unknown; resourceVersion?: unknown };
  return typeof uid === 'string' && uid && typeof resourceVersion === 'string' && resourceVersion ? `${uid} ${resourceVersion}` : undefined;
}

/**
 * The verdicts of the record usable for a kind listed now: its digest must be the desired
 * objects' digest. Undefined: compare the kind in full.
 */
export function usableVerdicts(record: InSyncRecord | undefined, kind: string, digest: string | undefined): Map<string, string> | undefined {
  const found = digest ? record?.kinds.get(kind) : undefined;
  return found && found.digest === digest ? found.stamps : undefined;
}

/** The key policy findings are reused under: the inputs' key and the judged objects' lines (PolicyStamps.lines), in any order. */
export function policiesKey(inputsKey: string, judged: readonly string[]): string {
  const h = createHash('sha256').update(inputsKey).update('\n');
  for (const line of [...judged].sort()) h.update(line).update('\n');
  return h.digest('hex');
}

/**
 * The key and stamp of every object the live policies judge, hashed as they arrive, one running
 * SHA-256 per kind: a cluster's objects are tens of thousands, and their lines kept as strings
 * until the end cost megabytes per cluster. Kinds are listed concurrently, in any order; within
 * a kind the server lists in one order (by key, namespace by namespace), so per-kind digests,
 * sorted by kind, are the same whenever the same objects are judged.
 */
export class PolicyStamps {
  /** Per kind: its hash, and lines not yet hashed (hashed a few kilobytes at a time: one update per object costs more than the hashing). */
  private readonly kinds = new Map<string, { readonly hash: Hash; text: string }>();

  add(kind: string, key: string, o: KubeObject): void {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { hash: createHash('sha256'), text: '' }));
    k.text += `${key} ${stampOf(o) ?? `unstamped ${JSON.stringify(o)}`}\n`;
    if (k.text.length > 16_384) {
      k.hash.update(k.text);
      k.text = '';
    }
  }

  /** One line per kind (kind and digest), for policiesKey. */
  lines(): string[] {
    return [...this.kinds].map(([kind, k]) => `${kind} ${k.hash.update(k.text).digest('hex')}`);
  }
}

/** Collects the verdicts of one audit into the record the next one reads. */
export class InSyncRecorder {
  private readonly kinds = new Map<string, InSyncKind>();
  private policies?: InSyncPolicies;

  /** A kind compared against desired objects of `digest`: `stamps` holds each desired key. */
  kind(kind: string, digest: string, stamps: Map<string, string>): void {
    this.kinds.set(kind, { digest, stamps });
  }

  policyFindings(key: string, findings: readonly AuditFinding[]): void {
    this.policies = { key, findings };
  }

  record(): InSyncRecord {
    return { kinds: new Map([...this.kinds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), ...(this.policies ? { policies: this.policies } : {}) };
  }
}

/** The record as JSON text (maps as sorted pairs): what the cache file holds. */
export function serializeRecord(record: InSyncRecord): string {
  const kinds = [...record.kinds].map(([kind, v]) => [kind, v.digest, [...v.stamps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
  return JSON.stringify({ kinds, ...(record.policies ? { policies: record.policies } : {}) });
}

/** A record from serializeRecord's text; undefined when the text is not one. */
export function parseRecord(text: string): InSyncRecord | undefined {
  try {
    const data = JSON.parse(text) as { kinds?: unknown; policies?: unknown };
    if (!Array.isArray(data.kinds)) return undefined;
    const kinds = new Map<string, InSyncKind>();
    for (const entry of data.kinds as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || !Array.isArray(entry[2])) return undefined;
      const stamps = new Map<string, string>();
      for (const pair of entry[2] as unknown[]) {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') return undefined;
        stamps.set(pair[0], pair[1]);
      }
      kinds.set(entry[0], { digest: entry[1], stamps });
    }
    const p = data.policies as { key?: unknown; findings?: unknown } | undefined;
    if (p !== undefined && (typeof p.key !== 'string' || !Array.isArray(p.findings))) return undefined;
    return { kinds, ...(p ? { policies: { key: p.key as string, findings: p.findings as AuditFinding[] } } : {}) };
  } catch {
    return undefined;
  }
}
