import { describe, expect, it } from 'vitest';
import { cidrContains, grantsOf, widenedGrants } from '../../lib/plan/network.ts';
import { cronIntervalMinutes, formatMinutes, goDurationMinutes, postgresTimeMinutes, retentionMinutes } from '../../lib/plan/units.ts';

describe('time units of backup settings', () => {
  it('reads cron schedules as the mean minutes between runs', () => {
    expect(cronIntervalMinutes('7 */4 * * *')).toBe(240);
    expect(cronIntervalMinutes('7 3 * * *')).toBe(1440);
    expect(cronIntervalMinutes('*/15 * * * *')).toBe(15);
    expect(cronIntervalMinutes('0 0 2 * * *')).toBe(1440); // six fields, seconds first (CNPG)
    expect(cronIntervalMinutes('0 4 * * 0')).toBeCloseTo(7 * 1440, -2);
    expect(cronIntervalMinutes('0 4 * * mon-fri')).toBeCloseTo((365 * 1440) / 261, 3);
    expect(cronIntervalMinutes('@hourly')).toBe(60);
    expect(cronIntervalMinutes('@every 6h')).toBe(360);
    expect(cronIntervalMinutes('CRON_TZ=Europe/Paris 0 2 * * *')).toBe(1440);
  });

  it('returns undefined for what is not a schedule instead of guessing', () => {
    expect(cronIntervalMinutes('every day')).toBeUndefined();
    expect(cronIntervalMinutes('0 25 * * *')).toBeUndefined();
    expect(cronIntervalMinutes('0 0 30 2 *')).toBeUndefined(); // never runs
    expect(cronIntervalMinutes(undefined)).toBeUndefined();
  });

  it('reads retention, Go durations and PostgreSQL times', () => {
    expect(retentionMinutes('30d')).toBe(30 * 1440);
    expect(retentionMinutes('4w')).toBe(28 * 1440);
    expect(retentionMinutes('thirty')).toBeUndefined();
    expect(goDurationMinutes('720h0m0s')).toBe(43200);
    expect(goDurationMinutes('1h30m')).toBe(90);
    expect(postgresTimeMinutes('5min')).toBe(5);
    expect(postgresTimeMinutes('300')).toBe(5);
    expect(postgresTimeMinutes('0')).toBe(Infinity);
    expect(formatMinutes(240)).toBe('4h');
    expect(formatMinutes(1440 * 1.25)).toBe('1d 6h');
  });
});

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
