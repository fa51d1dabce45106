/**
 * The few time units backup settings are written in, as minutes, so a plan can tell "longer"
 * from "shorter". Every parser returns undefined for what it cannot read: no guess, no flag.
 */

const MINUTES_PER_DAY = 24 * 60;

/** Barman / CNPG `retentionPolicy`: `30d`, `4w`, `6m` (months counted as 30 days). */
export function retentionMinutes(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*([1-9][0-9]*)\s*([dwm])\s*$/.exec(value);
  if (!m) return undefined;
  const days = Number(m[1]) * { d: 1, w: 7, m: 30 }[m[2] as 'd' | 'w' | 'm'];
  return days * MINUTES_PER_DAY;
}

/** Go `time.Duration` text (Velero `ttl`): `720h0m0s`, `1.5h`, `90m`. */
export function goDurationMinutes(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  const unit: Record<string, number> = { ns: 1e-9 / 60, us: 1e-6 / 60, 'µs': 1e-6 / 60, ms: 1e-3 / 60, s: 1 / 60, m: 1, h: 60 };
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

/**
 * PostgreSQL time setting (`archive_timeout`): `5min`, `300s`, `300` (seconds), `1h`.
 * `0` disables it, so it counts as never (Infinity).
 */
export function postgresTimeMinutes(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n === 0) return Infinity;
  const unit: Record<string, number> = { us: 1e-6 / 60, ms: 1e-3 / 60, s: 1 / 60, min: 1, h: 60, d: MINUTES_PER_DAY };
  return n * unit[m[2] ?? 's'];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Values of one cron field, or undefined when it is not cron. `*` and `?` are unrestricted. */
function cronField(field: string, min: number, max: number, names: readonly string[] = []): { values: Set<number>; any: boolean } | undefined {
  const values = new Set<number>();
  const value = (s: string): number | undefined => {
    const named = names.indexOf(s.toLowerCase());
    if (named >= 0) return named + (names === MONTHS ? 1 : 0);
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of field.split(',')) {
    const m = /^(\*|\?|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/i.exec(part);
    if (!m) return undefined;
    const step = m[2] ? Number(m[2]) : 1;
    if (step < 1) return undefined;
    let lo = min;
    let hi = max;
    if (m[1] !== '*' && m[1] !== '?') {
      const [a, b] = m[1].split('-');
      const from = value(a);
      const to = b === undefined ? (m[2] ? max : from) : value(b);
      if (from === undefined || to === undefined) return undefined;
      [lo, hi] = [from, to];
    }
    for (let v = lo; v <= hi; v += step) values.add(max === 7 && v === 7 ? 0 : v);
  }
  if ([...values].some((v) => v < min || v > max)) return undefined;
  return { values, any: field === '*' || field === '?' };
}

/**
 * Mean time between runs of a cron schedule, in minutes, over a (non-leap) year. Accepts five
 * fields, six with seconds first (CNPG ScheduledBackup), `@daily`-style macros, `@every <dur>`
 * (Velero) and a `CRON_TZ=`/`TZ=` prefix. Undefined when unreadable or when it never runs.
 */
export function cronIntervalMinutes(expression: unknown): number | undefined {
  if (typeof expression !== 'string') return undefined;
  let text = expression.trim().replace(/^(?:CRON_)?TZ=\S+\s+/, '');
  const every = /^@every\s+(\S+)$/.exec(text);
  if (every) return goDurationMinutes(every[1]);
  const macros: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };
  text = macros[text] ?? text;
  let fields = text.split(/\s+/);
  if (fields.length === 6) fields = fields.slice(1);
  if (fields.length !== 5) return undefined;
  const minute = cronField(fields[0], 0, 59);
  const hour = cronField(fields[1], 0, 23);
  const dom = cronField(fields[2], 1, 31);
  const month = cronField(fields[3], 1, 12, MONTHS);
  const dow = cronField(fields[4], 0, 7, DAYS);
  if (!minute || !hour || !dom || !month || !dow) return undefined;
  const perDay = minute.values.size * hour.values.size;
  let days = 0;
  for (let d = 0; d < 365; d++) {
    const date = new Date(Date.UTC(2025, 0, 1 + d));
    if (!month.values.has(date.getUTCMonth() + 1)) continue;
    const domHit = dom.values.has(date.getUTCDate());
    const dowHit = dow.values.has(date.getUTCDay());
    // cron: when both day fields are restricted, either one matching is enough
    const hit = !dom.any && !dow.any ? domHit || dowHit : domHit && dowHit;
    if (hit) days++;
  }
  const runs = days * perDay;
  return runs === 0 ? undefined : (365 * MINUTES_PER_DAY) / runs;
}

/** `15m`, `4h`, `1d`, `2w`, `1d 6h`: compact, for messages. */
export function formatMinutes(minutes: number): string {
  if (!Number.isFinite(minutes)) return 'never';
  const m = Math.round(minutes);
  if (m < 1) return `${Math.round(minutes * 60)}s`;
  if (m % (7 * MINUTES_PER_DAY) === 0) return `${m / (7 * MINUTES_PER_DAY)}w`;
  if (m % MINUTES_PER_DAY === 0) return `${m / MINUTES_PER_DAY}d`;
  if (m % 60 === 0) return m >= MINUTES_PER_DAY ? `${Math.floor(m / MINUTES_PER_DAY)}d ${(m % MINUTES_PER_DAY) / 60}h` : `${m / 60}h`;
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}
