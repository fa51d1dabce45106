/**
 * Inverses of what the tier templates render: from a live field back to the setting value that
 * renders it. Each inverse is checked by rendering again with the same functions the templates
 * use (sizing.ts, cronEvery), so an adoption reproduces the live value exactly or is refused.
 */
import { sameQuantity } from '../drift/normalize/quantities.ts';
import type { Change } from '../drift/types.ts';
import type { Resources } from '../tenant/sizing.ts';
import { cronEvery } from '../time/schedule.ts';

/** The smallest value of `domain` whose rendering equals `live`, or undefined. */
export function invertByRender<T>(domain: Iterable<T>, render: (value: T) => unknown, live: unknown, same: (a: unknown, b: unknown) => boolean = Object.is): T | undefined {
  for (const value of domain) if (same(render(value), live)) return value;
  return undefined;
}

/** The integers `from`..`to`: the domain a setting's schema allows, searched by invertByRender. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * RPO (minutes) whose `cronEvery(max(rpo, floor), offset)` schedule is `live`: the smallest one
 * from `floor` up (below it every value renders the same schedule as `floor` itself).
 */
export function rpoForSchedule(live: unknown, offsetMinute: number, floor = 1): number | undefined {
  if (typeof live !== 'string') return undefined;
  return invertByRender(range(floor, 1440), (rpo) => cronEvery(Math.max(rpo, floor), offsetMinute), live.trim().replace(/\s+/g, ' '));
}

const LEAVES = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'] as const;

/**
 * The live resources of one container: `desired` (as rendered now) with the changed leaves under
 * `prefix` (`spec.template.spec.containers[name=odoo].resources.`) replaced by their live values.
 * A string is why they cannot be read (a leaf removed live, or a resource the templates never set).
 */
export function liveResources(changes: readonly Change[], prefix: string, desired: Resources): Resources | string {
  const live = { requests: { ...desired.requests }, limits: { ...desired.limits } };
  for (const c of changes) {
    const leaf = c.path.slice(prefix.length);
    if (!(LEAVES as readonly string[]).includes(leaf)) return `${leaf} is not a resource the templates set (only requests and limits of cpu and memory)`;
    if (typeof c.live !== 'string' && typeof c.live !== 'number') return `${leaf} was removed live`;
    const [group, name] = leaf.split('.') as ['requests' | 'limits', 'cpu' | 'memory'];
    live[group][name] = String(c.live);
  }
  return live;
}

/** Equal resources, comparing quantities by value (`1.5` = `1500m`). */
export function sameResources(a: unknown, b: unknown): boolean {
  const x = a as Resources;
  const y = b as Resources;
  return LEAVES.every((leaf) => {
    const [group, name] = leaf.split('.') as ['requests' | 'limits', 'cpu' | 'memory'];
    return sameQuantity(x[group][name], y[group][name]) === true;
  });
}

/** Resources as a reason shows them, so a reviewer sees what matched no size. */
export function describeResources(r: Resources): string {
  return `requests ${r.requests.cpu} CPU / ${r.requests.memory}, limits ${r.limits.cpu} CPU / ${r.limits.memory}`;
}

/** A memory quantity as the tenant file writes it: whole Gi when it is one, else Mi; undefined when not whole Mi. */
export function binaryQuantity(value: string | number): string | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|M|G)?$/.exec(String(value).trim());
  if (!m) return undefined;
  const factor: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 };
  const mi = m[2] ? Number(m[1]) * factor[m[2]] : Number(m[1]) / 2 ** 20;
  if (!Number.isInteger(mi) || mi <= 0) return undefined;
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/** `key = value` lines of an odoo.conf. */
export function parseConf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][\w.]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** Keys whose values differ between two odoo.conf texts (added and removed keys included), sorted. */
export function confDifferences(desired: Map<string, string>, live: Map<string, string>): string[] {
  return [...new Set([...desired.keys(), ...live.keys()])].filter((k) => desired.get(k) !== live.get(k)).sort();
}

/**
 * The Odoo version an image tag starts with (`…/odoo:18.0-20251201` → `18.0`), or undefined for
 * digests and tags of another shape.
 */
export function tagVersion(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return undefined;
  return /^(\d+\.\d+)(?:[-_+.]|$)/.exec(last.slice(colon + 1))?.[1];
}
