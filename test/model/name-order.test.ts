import { describe, expect, it } from 'vitest';
import { compareNames } from '../../lib/model/name-order.ts';

describe('compareNames', () => {
  it('orders names exactly as localeCompare does, case, digits, dashes and slashes included', () => {
    const names = ['t0500/production', 't0500/staging', 'T0500/production', 't050/production', 't0500-x/production', 'eu-west-1/acme/production',
      'eu-west-1/acme-copy/production', 'eu-west-shared-1/acme/production', 'tenants/acme.ts', 'tenants/acme-copy.ts', 'tenants/Acme.ts', 'tenants/_shared.ts',
      'a10', 'a9', 'a_b', 'a-b', 'a.b', 'ä', 'z', 'Z', ''];
    const expected = [...names].sort((a, b) => a.localeCompare(b));
    expect([...names].reverse().sort(compareNames)).toEqual(expected);
    for (const a of names) for (const b of names) expect(Math.sign(compareNames(a, b))).toBe(Math.sign(a.localeCompare(b)));
  });
});
