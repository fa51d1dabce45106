import { describe, expect, it } from 'vitest';
import { cidrContains, grantsOf, widenedGrants } from '../../lib/plan/network.ts';

describe('network coverage', () => {
  it('decides CIDR containment for IPv4 and IPv6', () => {
    expect(cidrContains('10.0.0.0/8', '10.1.2.0/24')).toBe(true);
    expect(cidrContains('10.1.2.0/24', '10.0.0.0/8')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '192.0.2.1/32')).toBe(true);
    expect(cidrContains('2001:db8::/32', '2001:db8:1::/48')).toBe(true);
    expect(cidrContains('2001:db8::/32', '10.0.0.0/8')).toBe(false);
    expect(cidrContains('192.0.2.1', '192.0.2.1/32')).toBe(true);
  });

  it('treats a rule without peers or ports as allowing any of them', () => {
    const base = grantsOf({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'traefik' } } }], ports: [{ port: 8069 }] }] });
    const anyPeer = grantsOf({ podSelector: {}, ingress: [{ ports: [{ port: 8069 }] }] });
    const anyPort = grantsOf({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'traefik' } } }] }] });
    expect(widenedGrants(base, anyPeer)).toHaveLength(1);
    expect(widenedGrants(base, anyPort)).toHaveLength(1);
    expect(widenedGrants(anyPeer, base)).toEqual([]);
    expect(widenedGrants(anyPort, base)).toEqual([]);
  });

  it('covers a port inside a base port range, and ignores rules of directions the policy does not govern', () => {
    const range = grantsOf({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 8000, endPort: 9000, protocol: 'TCP' }] }] });
    const one = grantsOf({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 8069, protocol: 'TCP' }] }] });
    expect(widenedGrants(range, one)).toEqual([]);
    expect(grantsOf({ podSelector: {}, policyTypes: ['Ingress'], egress: [{}] })).toEqual([]);
  });
});
