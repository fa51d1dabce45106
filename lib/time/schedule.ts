/**
 * The one reading of the schedules and durations backups are written in, for the policies, the
 * plan and the tier templates alike. What each value means, decided once:
 * - a cron schedule is judged by its longest gap between two runs (the worst case a recovery
 *   point can be old), not its average; a schedule that never fires has an infinite gap;
 * - PostgreSQL `archive_timeout` `0` disables time-based WAL switches: no bound, Infinity;
 * - barman retention (`30d`, `4w`, `6m`) is in days, a month counting 30;
 * - Go durations (Velero `ttl`) are minutes, `0` being 0.
 * Every reader returns undefined for what it cannot read: no guess. Pure.
 */

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}
const MONTHS: Readonly<Record<string, number>> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const WEEKDAYS: Readonly<Record<string, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: readonly Field[] = [
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 7, names: WEEKDAYS }, // 0 and 7 are Sunday
];
const SECONDS: Field = { min: 0, max: 59 };
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** The values a cron field allows (`*`, `?`, lists, ranges, steps, names); undefined when malformed. */
function parseField(text: string, field: Field): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string) => field.names?.[s.toLowerCase()] ?? (/^\d+$/.test(s) ? Number(s) : NaN);
  for (const part of text.split(',')) {
    const m = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    let from = field.min;
    let to = field.max;
    if (m[1] !== '*' && m[1] !== '?') {
      const [a, b] = m[1].split('-');
      from = value(a);
      to = b === undefined ? (m[2] === undefined ? from : field.max) : value(b);
    }
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < field.min || to > field.max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** A parsed cron schedule; times are wall-clock times of `timeZone` (UTC when none is given). */
export interface CronSchedule {
  /** From a `CRON_TZ=`/`TZ=` prefix (robfig/cron: CNPG, Velero); a CronJob's is `spec.timeZone`. */
  readonly timeZone?: string;
  /** `@every <duration>` (robfig/cron): a fixed interval in minutes instead of fields. */
  readonly everyMinutes?: number;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  readonly dayRestricted: boolean;
  readonly weekdayRestricted: boolean;
}

/**
 * Parses five fields (Kubernetes CronJob), six with seconds first (CNPG ScheduledBackup; the
 * seconds are dropped: gaps are counted in minutes), `@daily`-style macros, `@every <duration>`
 * and a `CRON_TZ=`/`TZ=` prefix. Undefined when malformed.
 */
export function parseCron(expression: unknown): CronSchedule | undefined {
  if (typeof expression !== 'string') return undefined;
  let text = expression.trim();
  let timeZone: string | undefined;
  const tz = /^(?:CRON_)?TZ=(\S+)\s+/.exec(text);
  if (tz) {
    timeZone = tz[1];
    text = text.slice(tz[0].length);
  }
  const every = /^@every\s+(\S+)$/.exec(text);
  if (every) {
    const minutes = goDurationMinutes(every[1]);
    if (minutes === undefined || minutes <= 0) return undefined;
    const none = new Set<number>();
    return { timeZone, everyMinutes: minutes, minutes: none, hours: none, days: none, months: none, weekdays: none, dayRestricted: false, weekdayRestricted: false };
  }
  let parts = (MACROS[text] ?? text).split(/\s+/);
  if (parts.length === 6) {
    if (!parseField(parts[0], SECONDS)) return undefined;
    parts = parts.slice(1);
  }
  if (parts.length !== 5) return undefined;
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]));
  if (sets.some((s) => s === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  if (weekdays.has(7)) weekdays.add(0);
  weekdays.delete(7);
  // As Vixie cron: a day field starting with `*` (or `?`) does not restrict, `*/2` included.
  const restricted = (p: string) => !p.startsWith('*') && !p.startsWith('?');
  return { timeZone, minutes, hours, days, months, weekdays, dayRestricted: restricted(parts[2]), weekdayRestricted: restricted(parts[4]) };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  if (!s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  // cron: when both day fields are restricted, either may match.
  if (s.dayRestricted && s.weekdayRestricted) return dom || dow;
  return dom && dow;
}

/** Minutes of the day a schedule runs at, ascending. */
function timesOfDay(s: CronSchedule): number[] {
  return [...s.hours].sort((a, b) => a - b).flatMap((h) => [...s.minutes].sort((a, b) => a - b).map((m) => h * 60 + m));
}

/** True when only minutes, hours and weekdays restrict the schedule: it repeats every week. */
function isWeekly(s: CronSchedule): boolean {
  return !s.dayRestricted && s.months.size === 12;
}

/**
 * Longest time between two consecutive runs, in minutes (a week is examined when the schedule
 * repeats weekly, else four years from a leap year). Infinity when it never fires; undefined when
 * it is not a schedule. Wall-clock time: a time zone changes gaps only around DST.
 */
export function cronLongestGapMinutes(expression: unknown): number | undefined {
  const s = parseCron(expression);
  if (!s) return undefined;
  if (s.everyMinutes !== undefined) return s.everyMinutes;
  const weekly = isWeekly(s);
  const spanDays = weekly ? 7 : 4 * 365 + 1;
  const start = Date.UTC(2024, 0, 1); // a Monday, in a leap year
  const times = timesOfDay(s);
  let first = -1;
  let last = -1;
  let gap = 0;
  for (let day = 0; day < spanDays; day++) {
    if (!dayMatches(s, new Date(start + day * 86_400_000))) continue;
    for (const t of times) {
      const at = day * MINUTES_PER_DAY + t;
      if (first < 0) first = at;
      else gap = Math.max(gap, at - last);
      last = at;
    }
  }
  if (first < 0) return Infinity;
  const span = spanDays * MINUTES_PER_DAY;
  if (weekly) gap = Math.max(gap, span - last + first); // wrap around the week
  return gap === 0 ? span : gap;
}

/**
 * Runs of a weekly-repeating schedule as minutes since Sunday 00:00 of its own time zone,
 * ascending; undefined when the schedule does not repeat weekly (day-of-month or month set).
 * For checking schedules against a weekly maintenance window.
 */
export function cronRunsInWeek(expression: unknown): number[] | undefined {
  const s = parseCron(expression);
  if (!s || s.everyMinutes !== undefined || !isWeekly(s)) return undefined;
  const times = timesOfDay(s);
  return [...s.weekdays].sort((a, b) => a - b).flatMap((d) => times.map((t) => d * MINUTES_PER_DAY + t));
}

/** A weekly maintenance window, in its own time zone (a tenant's `maintenance`). */
export interface WeeklyWindow {
  /** `sunday` … `saturday`. */
  readonly day: string;
  /** `HH:MM`, 24-hour. */
  readonly start: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
}

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Where a window opens and closes, in minutes since Sunday 00:00 (close may pass the week's end). */
export function windowSpan(window: WeeklyWindow): { readonly opens: number; readonly closes: number } {
  const day = DAY_NAMES.indexOf(window.day.toLowerCase());
  const [h, m] = window.start.split(':').map(Number);
  if (day < 0 || !Number.isInteger(h) || !Number.isInteger(m)) throw new Error(`not a maintenance window: ${JSON.stringify(window)}`);
  const opens = day * MINUTES_PER_DAY + h * 60 + m;
  return { opens, closes: opens + window.durationMinutes };
}

/** True when a minute of the week (see cronRunsInWeek) falls inside the window, which may wrap past Saturday. */
export function inWindow(minuteOfWeek: number, window: WeeklyWindow): boolean {
  const { opens, closes } = windowSpan(window);
  const t = ((minuteOfWeek % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  return (t >= opens && t < closes) || t + MINUTES_PER_WEEK < closes;
}

/**
 * Day of week (0 = Sunday), hour and minute at `offsetMinutes` after the window closes, in the
 * window's time zone: a window opening 23:00 Sunday for two hours closes 01:00 Monday.
 */
export function afterWindow(window: WeeklyWindow, offsetMinutes = 0): { readonly weekday: number; readonly hour: number; readonly minute: number } {
  const at = (windowSpan(window).closes + offsetMinutes) % MINUTES_PER_WEEK;
  return { weekday: Math.floor(at / MINUTES_PER_DAY), hour: Math.floor((at % MINUTES_PER_DAY) / 60), minute: at % 60 };
}

/** PostgreSQL time setting (`5min`, `300s`, `1h`; a bare number in `defaultUnit`) in minutes; `0` disables it: Infinity. */
export function postgresDurationMinutes(value: unknown, defaultUnit = 's'): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(text);
  const units: Readonly<Record<string, number>> = { us: 1e-6 / 60, ms: 1e-3 / 60, s: 1 / 60, min: 1, h: 60, d: MINUTES_PER_DAY };
  if (!m || units[m[2] ?? defaultUnit] === undefined) return undefined;
  const n = Number(m[1]);
  return n === 0 ? Infinity : n * units[m[2] ?? defaultUnit];
}

/** Barman / CNPG `retentionPolicy` (`30d`, `4w`, `6m`) in days; a month counts as 30 days. */
export function retentionDays(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*([1-9]\d*)\s*([dwm])\s*$/i.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * { d: 1, w: 7, m: 30 }[m[2].toLowerCase() as 'd' | 'w' | 'm'];
}

/** Go `time.Duration` text (Velero `ttl`): `720h0m0s`, `1.5h`, `90m`, `0`; in minutes. */
export function goDurationMinutes(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  const unit: Readonly<Record<string, number>> = { ns: 1e-9 / 60, us: 1e-6 / 60, 'µs': 1e-6 / 60, ms: 1e-3 / 60, s: 1 / 60, m: 1, h: 60 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Cron expression that fires every `minutes` (5 fields), rounded to what cron can express. */
export function cronEvery(minutes: number, offsetMinute = 0): string {
  if (minutes < 60) return `*/${Math.max(1, minutes)} * * * *`;
  const hours = Math.floor(minutes / 60);
  if (hours >= 24) return `${offsetMinute % 60} 3 * * *`;
  return `${offsetMinute % 60} */${hours} * * *`;
}

/** `15m`, `4h`, `1d`, `2w`, `1d 6h`, `never`: compact, for messages. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes)) return 'never';
  const m = Math.round(minutes);
  if (m < 1) return `${Math.round(minutes * 60)}s`;
  if (m % MINUTES_PER_WEEK === 0) return `${m / MINUTES_PER_WEEK}w`;
  if (m % MINUTES_PER_DAY === 0) return `${m / MINUTES_PER_DAY}d`;
  if (m % 60 === 0) return m >= MINUTES_PER_DAY ? `${Math.floor(m / MINUTES_PER_DAY)}d ${(m % MINUTES_PER_DAY) / 60}h` : `${m / 60}h`;
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}
