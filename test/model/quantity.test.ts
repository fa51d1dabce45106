import { describe, expect, it } from 'vitest';
import { cpuMillis, isQuantity, memoryBytes, parseQuantity } from '../../lib/model/quantity.ts';

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['1.5', 1.5],
    ['2', 2],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['1Gi', 2 ** 30],
    ['1e3', 1000],
    ['100k', 1e5],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it('returns numbers as they are', () => {
    expect(parseQuantity(3)).toBe(3);
  });

  it.each(['1.5GB', 'lots', '', '1 Gi', 'Gi'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
    expect(isQuantity(text)).toBe(false);
  });

  it('gives CPU in millicores and memory in bytes', () => {
    expect(cpuMillis('250m')).toBe(250);
    expect(cpuMillis('1.5')).toBe(1500);
    expect(cpuMillis(2)).toBe(2000);
    expect(memoryBytes('1Ki')).toBe(1024);
  });
});
