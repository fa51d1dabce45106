/**
 * Is the head network access wider than the base? NetworkPolicies are unions of allow rules, so
 * a policy widens access when it grants a (peer, port) pair no base rule covered. Coverage is
 * decided structurally (CIDR containment, port ranges, "any" peers and ports); selectors are
 * compared for equality, so a changed selector counts as a new grant (conservative). Pure.
 */
import { canonicalJson } from './objects.ts';

interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => {
    if (s === '') return [];
    const out = s.split(':');
    const last = out[out.length - 1];
    if (last.includes('.')) {
      const v4 = parseIpv4(last);
      if (v4 === undefined) return undefined;
      out.splice(out.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    return out.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? out : undefined;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const v4 = parseIpv4(addr);
  const family: 4 | 6 = v4 === undefined ? 6 : 4;
  const value = v4 ?? parseIpv6(addr);
  if (value === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  const prefix = len === undefined ? bits : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { family, network: value & mask, prefix };
}

/** Whether every address of `inner` is in `outer`. Unreadable CIDRs only contain themselves. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i) return outer.trim() === inner.trim();
  if (o.family !== i.family || o.prefix > i.prefix) return false;
  const bits = o.family === 4 ? 32 : 128;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - o.prefix)) - 1n);
  return (i.network & mask) === o.network;
}

function cidrsOverlap(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** Head address ranges that no base range contains (what an allow-list now admits in addition). */
export function uncoveredRanges(base: readonly string[], head: readonly string[]): string[] {
  return head.filter((h) => !base.some((b) => cidrContains(b, h)));
}

type Peer = { any: true } | { any: false; ipBlock?: { cidr: string; except: string[] }; selector?: string };
type Port = { any: true } | { any: false; protocol: string; from?: number | string; to?: number };

export interface Grant {
  readonly direction: 'ingress' | 'egress';
  readonly peer: Peer;
  readonly port: Port;
}

interface PolicySpec {
  podSelector?: unknown;
  policyTypes?: unknown;
  ingress?: unknown;
  egress?: unknown;
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object') : [];
}

/** Directions the policy governs: `policyTypes`, else Ingress plus Egress when it has egress rules. */
export function policyDirections(spec: PolicySpec): Set<'ingress' | 'egress'> {
  if (Array.isArray(spec.policyTypes)) {
    return new Set(spec.policyTypes.map((t) => String(t).toLowerCase()).filter((t): t is 'ingress' | 'egress' => t === 'ingress' || t === 'egress'));
  }
  return new Set(spec.egress !== undefined ? ['ingress', 'egress'] : ['ingress']);
}

function toPeer(raw: Record<string, unknown>): Peer {
  const block = raw.ipBlock as { cidr?: unknown; except?: unknown } | undefined;
  if (block && typeof block.cidr === 'string') {
    return { any: false, ipBlock: { cidr: block.cidr, except: Array.isArray(block.except) ? block.except.map(String) : [] } };
  }
  return { any: false, selector: canonicalJson({ namespaceSelector: raw.namespaceSelector, podSelector: raw.podSelector }) };
}

function toPort(raw: Record<string, unknown>): Port {
  const protocol = typeof raw.protocol === 'string' ? raw.protocol : 'TCP';
  const port = raw.port;
  if (port === undefined || port === null) return { any: false, protocol };
  if (typeof port === 'number') return { any: false, protocol, from: port, to: typeof raw.endPort === 'number' ? raw.endPort : port };
  return { any: false, protocol, from: String(port) };
}

/** Every (peer, port) pair the policy allows, per governed direction. */
export function grantsOf(spec: PolicySpec): Grant[] {
  const out: Grant[] = [];
  for (const direction of policyDirections(spec)) {
    for (const rule of asArray(spec[direction])) {
      const rawPeers = asArray(direction === 'ingress' ? rule.from : rule.to);
      const rawPorts = asArray(rule.ports);
      const peers: Peer[] = rawPeers.length ? rawPeers.map(toPeer) : [{ any: true }];
      const ports: Port[] = rawPorts.length ? rawPorts.map(toPort) : [{ any: true }];
      for (const peer of peers) for (const port of ports) out.push({ direction, peer, port });
    }
  }
  return out;
}

function peerCovers(base: Peer, head: Peer): boolean {
  if (base.any) return true;
  if (head.any) return false;
  if (base.ipBlock && head.ipBlock) {
    if (!cidrContains(base.ipBlock.cidr, head.ipBlock.cidr)) return false;
    // what the base carved out must stay carved out (or lie outside the head block)
    return base.ipBlock.except.every((e) => !cidrsOverlap(e, head.ipBlock!.cidr) || cidrContains(e, head.ipBlock!.cidr) || head.ipBlock!.except.some((he) => cidrContains(he, e)));
  }
  return base.selector !== undefined && base.selector === head.selector;
}

function portCovers(base: Port, head: Port): boolean {
  if (base.any) return true;
  if (head.any) return false;
  if (base.protocol !== head.protocol) return false;
  if (base.from === undefined) return true;
  if (head.from === undefined) return false;
  if (typeof base.from === 'string' || typeof head.from === 'string') return base.from === head.from;
  return base.from <= head.from && (base.to ?? base.from) >= (head.to ?? head.from);
}

/** Head grants that no base grant covers. */
export function widenedGrants(base: readonly Grant[], head: readonly Grant[]): Grant[] {
  return head.filter((h) => !base.some((b) => b.direction === h.direction && peerCovers(b.peer, h.peer) && portCovers(b.port, h.port)));
}

export function formatGrant(g: Grant): string {
  const peer = g.peer.any
    ? 'any peer'
    : g.peer.ipBlock
      ? `${g.peer.ipBlock.cidr}${g.peer.ipBlock.except.length ? ` except ${g.peer.ipBlock.except.join(', ')}` : ''}`
      : g.peer.selector!.replace(/"/g, '');
  const port = g.port.any ? 'any port' : g.port.from === undefined ? `${g.port.protocol}/any` : `${g.port.protocol}/${g.port.from}${g.port.to !== undefined && g.port.to !== g.port.from ? `-${g.port.to}` : ''}`;
  return `${g.direction} ${g.direction === 'ingress' ? 'from' : 'to'} ${peer} on ${port}`;
}

/** Directions a policy denies outright: it selects every pod and governs the direction without rules. */
export function deniedDirections(spec: PolicySpec): Set<'ingress' | 'egress'> {
  const out = new Set<'ingress' | 'egress'>();
  const selector = spec.podSelector as Record<string, unknown> | undefined;
  const selectsAll = !selector || canonicalJson(selector) === '{}' || (Object.values(selector).every((v) => v === undefined || canonicalJson(v) === '{}' || canonicalJson(v) === '[]'));
  if (!selectsAll) return out;
  for (const direction of policyDirections(spec)) if (asArray(spec[direction]).length === 0) out.add(direction);
  return out;
}
