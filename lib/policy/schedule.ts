/**
 * Time arithmetic backups policies need: the longest gap between runs of a 5-field cron
 * schedule, PostgreSQL durations (`archive_timeout`), barman retention (`30d`) and Go durations
 * (Velero `ttl: 720h0m0s`). Pure.
 */

interface Field {
  readonly min: number;
  readonly max: number;
}
const FIELDS: readonly Field[] = [
  { min: 0, max: 59 }, // minute
  { min: 0, max: 23 }, // hour
  { min: 1, max: 31 }, // day of month
  { min: 1, max: 12 }, // month
  { min: 0, max: 7 }, // day of week (0 and 7 are Sunday)
];
const NAMES: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

function value(text: string): number {
  const named = NAMES[text.toLowerCase()];
  return named !== undefined ? named : /^\d+$/.test(text) ? Number(text) : NaN;
}

/** The set of values a cron field allows, or undefined when it is malformed. */
function parseField(text: string, field: Field): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    let from = field.min;
    let to = field.max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      from = value(a);
      to = b === undefined ? (m[2] === undefined ? from : field.max) : value(b);
    }
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < field.min || to > field.max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export interface CronSchedule {
  readonly minutes: Set<number>;
  readonly hours: Set<number>;
  readonly days: Set<number>;
  readonly months: Set<number>;
  readonly weekdays: Set<number>;
  readonly dayRestricted: boolean;
  readonly weekdayRestricted: boolean;
}

/** Parses a standard 5-field cron expression (or @daily-style macro); undefined when malformed. */
export function parseCron(expression: string): CronSchedule | undefined {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return undefined;
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]));
  if (sets.some((s) => s === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  if (weekdays.has(7)) weekdays.add(0);
  return { minutes, hours, days, months, weekdays, dayRestricted: !parts[2].startsWith('*'), weekdayRestricted: !parts[4].startsWith('*') };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  if (!s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  // cron: when both day fields are restricted, either may match.
  if (s.dayRestricted && s.weekdayRestricted) return dom || dow;
  return dom && dow;
}

/**
 * Longest time between two consecutive runs, in minutes, over a representative period
 * (a week when only minutes, hours and weekdays are restricted, else four years from a leap year).
 * Infinity when the schedule never fires; undefined when it is not a cron expression.
 * Time zones do not change gaps except around DST.
 */
export function maxCronIntervalMinutes(expression: string): number | undefined {
  const s = parseCron(expression);
  if (!s) return undefined;
  const weekly = !s.dayRestricted && s.months.size === 12;
  const spanDays = weekly ? 7 : 4 * 365 + 1;
  const start = Date.UTC(2024, 0, 1); // a Monday, in a leap year
  const times = [...s.hours].sort((a, b) => a - b).flatMap((h) => [...s.minutes].sort((a, b) => a - b).map((m) => h * 60 + m));
  let first = -1;
  let last = -1;
  let gap = 0;
  for (let day = 0; day < spanDays; day++) {
    if (!dayMatches(s, new Date(start + day * 86_400_000))) continue;
    for (const t of times) {
      const at = day * 1440 + t;
      if (first < 0) first = at;
      else gap = Math.max(gap, at - last);
      last = at;
    }
  }
  if (first < 0) return Infinity;
  const span = spanDays * 1440;
  if (weekly) gap = Math.max(gap, span - last + first); // wrap around the week
  return gap === 0 ? span : gap;
}

const PG_UNITS: Readonly<Record<string, number>> = { us: 1e-6 / 60, ms: 1 / 60000, s: 1 / 60, min: 1, h: 60, d: 1440 };

/** A PostgreSQL time setting in minutes (`5min`, `300`, `300s`, `1h`); a bare number is seconds. 0 disables. */
export function postgresDurationMinutes(text: string | number, defaultUnit = 's'): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(String(text));
  if (!m) return undefined;
  return Number(m[1]) * PG_UNITS[m[2] ?? defaultUnit];
}

/** Barman retention policy (`30d`, `4w`, `6m`) in days; a month counts as 30 days. */
export function retentionDays(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([dwm])\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { d: 1, w: 7, m: 30 }[m[2].toLowerCase() as 'd' | 'w' | 'm'];
}

/** Go duration (`720h0m0s`, `90m`) in minutes. */
export function goDurationMinutes(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)) {
    total += Number(n) * { h: 60, m: 1, s: 1 / 60, ms: 1 / 60000, us: 1e-6 / 60, ns: 1e-9 / 60 }[unit as 'h']!;
  }
  return total;
}
