import { describe, expect, it } from 'vitest';
import { renderEnvironment } from '../../lib/synth/render.ts';
import type { KubeObject } from '../../lib/model/resource.ts';
import { afterWindow, cronRunsInWeek, inWindow, parseCron, type WeeklyWindow } from '../../lib/time/schedule.ts';
import { tiers } from '../../tiers/index.ts';
import { compileTenants, tenantFile, tenantSpec } from './fixtures.ts';

/** The objects of a dedicated tenant with a cross-region copy and the given maintenance window. */
function objectsWith(maintenance: WeeklyWindow): KubeObject[] {
  const spec = tenantSpec('acme', {
    tier: 'dedicated',
    maintenance,
    backup: { rpoMinutes: 15, retentionDays: 30, crossRegion: 'eu-central' },
  });
  const [env] = compileTenants([tenantFile(spec)]).environments;
  return renderEnvironment(env, tiers);
}

const find = (objects: readonly KubeObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & { spec: Record<string, unknown> };

const WINDOWS: ReadonlyArray<[string, WeeklyWindow]> = [
  ['02:00 Europe/Paris on Sunday', { day: 'sunday', start: '02:00', durationMinutes: 120, timeZone: 'Europe/Paris' }],
  ['23:00 Europe/Paris on Sunday, crossing midnight', { day: 'sunday', start: '23:00', durationMinutes: 120, timeZone: 'Europe/Paris' }],
  ['22:30 America/New_York on Saturday, crossing into the next week', { day: 'saturday', start: '22:30', durationMinutes: 480, timeZone: 'America/New_York' }],
];

describe('schedules that follow the maintenance window', () => {
  it.each(WINDOWS)('the restore test of a window at %s runs in its time zone when the window closes', (_, window) => {
    const job = find(objectsWith(window), 'CronJob', 'restore-test');
    expect(job.spec.timeZone).toBe(window.timeZone);
    const runs = cronRunsInWeek(job.spec.schedule)!;
    const close = afterWindow(window);
    expect(runs).toEqual([close.weekday * 1440 + close.hour * 60 + close.minute]);
    expect(runs.some((t) => inWindow(t, window))).toBe(false);
  });

  it('runs the restore test of a window opening 23:00 Sunday at 01:00 Monday, not 22 hours early', () => {
    const job = find(objectsWith(WINDOWS[1][1]), 'CronJob', 'restore-test');
    expect(job.spec).toMatchObject({ schedule: '0 1 * * 1', timeZone: 'Europe/Paris' });
  });

  it.each(WINDOWS)('the daily base backups of a window at %s run in its time zone and never inside the window', (_, window) => {
    const objects = objectsWith(window);
    for (const name of ['pg-daily', 'pg-daily-dr']) {
      const backup = find(objects, 'ScheduledBackup', name);
      const parsed = parseCron(backup.spec.schedule)!;
      expect(parsed.timeZone, name).toBe(window.timeZone);
      const runs = cronRunsInWeek(backup.spec.schedule)!;
      expect(runs, name).toHaveLength(7); // daily
      expect(runs.filter((t) => inWindow(t, window)), name).toEqual([]);
    }
  });

  it.each(WINDOWS)('the daily dump of dedicated data with a window at %s runs in its time zone, never inside the window', (_, window) => {
    const job = find(objectsWith(window), 'CronJob', 'pg-dump');
    expect(job.spec.timeZone).toBe(window.timeZone);
    const runs = cronRunsInWeek(job.spec.schedule)!;
    expect(runs).toHaveLength(7); // daily
    expect(runs.filter((t) => inWindow(t, window))).toEqual([]);
  });
});
