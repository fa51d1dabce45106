import { describe, expect, it } from 'vitest';
import { goDurationMinutes, maxCronIntervalMinutes, postgresDurationMinutes, retentionDays } from '../../lib/policy/schedule.ts';

describe('maxCronIntervalMinutes', () => {
  it.each([
    ['*/5 * * * *', 5],
    ['0 */6 * * *', 360],
    ['15 0,12 * * *', 720],
    ['0 3 * * *', 1440],
    ['0 3 * * 1-5', 4320],
    ['0 3 * * 0', 10080],
    ['@hourly', 60],
    ['0 3 1 * *', 44640],
  ])('the longest gap of %s is %d minutes', (cron, minutes) => {
    expect(maxCronIntervalMinutes(cron)).toBe(minutes);
  });

  it('rejects what is not a 5-field cron expression', () => {
    expect(maxCronIntervalMinutes('0 0 3 * * *')).toBeUndefined();
    expect(maxCronIntervalMinutes('61 * * * *')).toBeUndefined();
  });

  it('reports a schedule that never fires as an infinite gap', () => {
    expect(maxCronIntervalMinutes('0 0 31 2 *')).toBe(Infinity);
  });
});

describe('durations', () => {
  it('reads PostgreSQL durations, a bare number being seconds', () => {
    expect(postgresDurationMinutes('5min')).toBe(5);
    expect(postgresDurationMinutes('300')).toBe(5);
    expect(postgresDurationMinutes('1h')).toBe(60);
    expect(postgresDurationMinutes('soon')).toBeUndefined();
  });

  it('reads barman retention and Go durations', () => {
    expect(retentionDays('30d')).toBe(30);
    expect(retentionDays('4w')).toBe(28);
    expect(goDurationMinutes('720h0m0s')).toBe(43200);
  });
});
