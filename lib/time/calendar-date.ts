/**
 * A real calendar day written as YYYY-MM-DD (no 2026-02-30): waiver expiries in tenant files and
 * the CLI's `--today` read dates the same way. Its own module so the CLI checks a flag without
 * loading the tenant schema (zod).
 */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}
