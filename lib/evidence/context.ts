/**
 * What every evidence check shares: the environment it judges, the live objects by identity, the
 * audit's clock, and the small vocabulary that turns a status field into a verdict.
 */
import type { DriftResource } from '../drift/types.ts';
import type { KubeObject } from '../model/resource.ts';
import type { Waiver } from '../tenant/schema.ts';
import type { EvidenceThresholds } from './thresholds.ts';
import type { EvidenceCheck, EvidenceCheckId, EvidencePromises } from './types.ts';

/** One tenant environment as the checks see it: its promises and what its tier generated. */
export interface EvidenceTarget {
  readonly tenant: string;
  readonly environment: string;
  readonly tier: string;
  readonly namespace: string;
  /** `dedicated`: own CloudNativePG Cluster with the Barman Cloud plugin; `shared`: a database on the cluster's shared PostgreSQL, logical dumps at the RPO. */
  readonly dataPlane: 'shared' | 'dedicated';
  readonly promises: EvidencePromises;
  /** Floor of available web replicas (the tenant's `replicas`, the HPA's minimum). */
  readonly webReplicas: number;
  /** Whether a cross-region ObjectStore (`pg-backup-dr`) is generated. */
  readonly crossRegion: boolean;
  /** Interval of the logical dump CronJob, in minutes (the RPO on the shared data plane, daily otherwise). */
  readonly dumpEveryMinutes: number;
  /** Interval of the Velero Schedule, in minutes. */
  readonly filestoreEveryMinutes: number;
  readonly thresholds: EvidenceThresholds;
  readonly waivers: readonly Waiver[];
}

/** Live objects by `Kind/namespace/name` (kinds of different groups never share a name here). */
export class LiveIndex {
  private readonly byKey = new Map<string, KubeObject>();
  private readonly jobsByOwner = new Map<string, KubeObject[]>();

  constructor(objects: readonly KubeObject[]) {
    for (const o of objects) {
      this.byKey.set(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
      if (o.kind !== 'Job') continue;
      const owners = (o.metadata.ownerReferences as { kind?: string; name?: string }[] | undefined) ?? [];
      for (const owner of owners.filter((r) => r.kind === 'CronJob')) {
        const key = `${o.metadata.namespace ?? ''}/${owner.name}`;
        this.jobsByOwner.set(key, [...(this.jobsByOwner.get(key) ?? []), o]);
      }
    }
  }

  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  /** The Jobs a CronJob made (by ownerReference), newest first by start (creation when not started). */
  jobsOf(namespace: string, cronJob: string): KubeObject[] {
    const started = (j: KubeObject) => str(status(j).startTime) ?? str(j.metadata.creationTimestamp) ?? '';
    return [...(this.jobsByOwner.get(`${namespace}/${cronJob}`) ?? [])].sort((a, b) => (started(a) < started(b) ? 1 : started(a) > started(b) ? -1 : 0));
  }
}

export interface CheckContext {
  readonly target: EvidenceTarget;
  readonly live: LiveIndex;
  readonly now: Date;
}

export function status(o: KubeObject | undefined): Record<string, unknown> {
  const s = o?.status;
  return s && typeof s === 'object' ? (s as Record<string, unknown>) : {};
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export function condition(o: KubeObject | undefined, type: string): Condition | undefined {
  const list = status(o).conditions;
  return Array.isArray(list) ? (list as Condition[]).find((c) => c?.type === type) : undefined;
}

export function resourceOf(apiVersion: string, kind: string, namespace: string, name: string): DriftResource {
  return { apiVersion, kind, namespace, name };
}

export function seconds(from: string, now: Date): number {
  return Math.round((now.getTime() - Date.parse(from)) / 1000);
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`: ages in reports. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.abs(Math.round(totalSeconds));
  const sign = totalSeconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${sign}${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const d = Math.floor(h / 24);
  return `${sign}${d} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** Minutes as the promise states them: `15 min`, `4 h`, `30 d`. */
export function formatMinutes(minutes: number): string {
  return formatDuration(minutes * 60);
}

/** Whether an object is younger than `minutes`, i.e. its status may simply not be due yet. */
export function isYoung(o: KubeObject | undefined, minutes: number, now: Date): boolean {
  const created = str(o?.metadata.creationTimestamp);
  return !o || !created || seconds(created, now) < minutes * 60;
}

type Fields = Omit<EvidenceCheck, 'check' | 'verdict' | 'waived'>;

export const ok = (check: EvidenceCheckId, f: Fields): EvidenceCheck => ({ check, verdict: 'ok', ...f });
export const violated = (check: EvidenceCheckId, f: Fields & { message: string; fix: string }): EvidenceCheck => ({ check, verdict: 'violated', ...f });
export const noEvidence = (check: EvidenceCheckId, f: Fields): EvidenceCheck => ({ check, verdict: 'no-evidence', ...f });

/** `at` and its age, for a check's fields. */
export function timed(at: string, now: Date): { at: string; ageSeconds: number } {
  return { at, ageSeconds: seconds(at, now) };
}

/**
 * The verdict for a source with no evidence: "no evidence yet" while the object is younger than
 * `dueMinutes` (or absent: drift reports it missing), a violation once it should have some.
 */
export function withoutEvidence(ctx: CheckContext, check: EvidenceCheckId, o: KubeObject | undefined, dueMinutes: number, f: Fields & { fix: string }): EvidenceCheck {
  const { fix, ...rest } = f;
  if (!o) return noEvidence(check, { ...rest, observed: 'object not on the cluster' });
  if (isYoung(o, dueMinutes, ctx.now)) return noEvidence(check, rest);
  const created = str(o.metadata.creationTimestamp)!;
  return violated(check, { ...rest, message: `no ${f.source.field} ${formatDuration(seconds(created, ctx.now))} after ${o.kind} ${o.metadata.name} was created`, fix });
}
