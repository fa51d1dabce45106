import { describe, expect, it } from 'vitest';
import {
  afterWindow, cronLongestGapMinutes, cronRunsInWeek, formatMinutes, goDurationMinutes, inWindow, parseCron, postgresDurationMinutes, retentionDays,
} from '../../lib/time/schedule.ts';

describe('cron schedules are judged by their longest gap between runs', () => {
  it.each([
    ['*/5 * * * *', 5],
    ['0 */6 * * *', 360],
    ['7 */4 * * *', 240],
    ['15 0,12 * * *', 720],
    ['0 3 * * *', 1440],
    ['0 3 * * 1-5', 4320], // Friday to Monday, not the 5-day average
    ['0 4 * * mon-fri', 4320],
    ['0 3 * * 0', 10080],
    ['0 3 * * 7', 10080],
    ['@hourly', 60],
    ['0 3 1 * *', 44640], // the longest month
    ['0 0 2 * * *', 1440], // six fields, seconds first (CNPG ScheduledBackup)
    ['CRON_TZ=Europe/Paris 0 2 * * *', 1440],
    ['TZ=UTC 0 30 3 * * *', 1440],
    ['@every 6h', 360], // Velero
  ])('%s leaves at most %d minutes between runs', (cron, minutes) => {
    expect(cronLongestGapMinutes(cron)).toBe(minutes);
  });

  it('gives a schedule that never fires an infinite gap', () => {
    expect(cronLongestGapMinutes('0 0 31 2 *')).toBe(Infinity);
  });

  it('returns undefined for what is not a schedule instead of guessing', () => {
    for (const text of ['every day', '0 25 * * *', '61 * * * *', '0 0 0 3 * * *', '@every soon', undefined, 42]) expect(cronLongestGapMinutes(text)).toBeUndefined();
  });

  it('reads the time zone of a CRON_TZ prefix', () => {
    expect(parseCron('CRON_TZ=Europe/Paris 0 0 4 * * *')?.timeZone).toBe('Europe/Paris');
    expect(parseCron('0 4 * * *')?.timeZone).toBeUndefined();
  });
});

describe('weekly maintenance windows', () => {
  const sundayNight = { day: 'sunday', start: '23:00', durationMinutes: 120, timeZone: 'Europe/Paris' };
  const saturdayNight = { day: 'saturday', start: '23:30', durationMinutes: 60, timeZone: 'UTC' };

  it('closes on the next day when the window crosses midnight, and the week when it crosses Saturday', () => {
    expect(afterWindow(sundayNight)).toEqual({ weekday: 1, hour: 1, minute: 0 });
    expect(afterWindow(saturdayNight)).toEqual({ weekday: 0, hour: 0, minute: 30 });
    expect(afterWindow({ day: 'sunday', start: '02:00', durationMinutes: 120, timeZone: 'Europe/Paris' }, 90)).toEqual({ weekday: 0, hour: 5, minute: 30 });
  });

  it('tells runs inside a window from runs outside it, across midnight and the week', () => {
    const runs = (cron: string) => cronRunsInWeek(cron)!.map((t) => inWindow(t, sundayNight));
    expect(runs('30 23 * * 0')).toEqual([true]);
    expect(runs('30 0 * * 1')).toEqual([true]);
    expect(runs('0 1 * * 1')).toEqual([false]);
    expect(runs('0 1 * * 0')).toEqual([false]); // 22 hours early: Sunday 01:00
    expect(cronRunsInWeek('15 0 * * 0')!.map((t) => inWindow(t, saturdayNight))).toEqual([true]);
    expect(cronRunsInWeek('0 3 1 * *')).toBeUndefined(); // not weekly
  });
});

describe('durations', () => {
  it('reads PostgreSQL durations, a bare number being seconds and 0 being no bound at all', () => {
    expect(postgresDurationMinutes('5min')).toBe(5);
    expect(postgresDurationMinutes('300')).toBe(5);
    expect(postgresDurationMinutes(300)).toBe(5);
    expect(postgresDurationMinutes('1h')).toBe(60);
    expect(postgresDurationMinutes('0')).toBe(Infinity);
    expect(postgresDurationMinutes('soon')).toBeUndefined();
  });

  it('reads barman retention in days, and Go durations in minutes', () => {
    expect(retentionDays('30d')).toBe(30);
    expect(retentionDays('4w')).toBe(28);
    expect(retentionDays('6m')).toBe(180);
    expect(retentionDays('0d')).toBeUndefined();
    expect(retentionDays('thirty')).toBeUndefined();
    expect(goDurationMinutes('720h0m0s')).toBe(43200);
    expect(goDurationMinutes('1h30m')).toBe(90);
    expect(goDurationMinutes('0')).toBe(0);
    expect(goDurationMinutes('forever')).toBeUndefined();
  });

  it('formats minutes compactly for messages', () => {
    expect(formatMinutes(240)).toBe('4h');
    expect(formatMinutes(1440 * 1.25)).toBe('1d 6h');
    expect(formatMinutes(10080)).toBe('1w');
    expect(formatMinutes(Infinity)).toBe('never');
  });
});
