// Time encodings of upstream's SQLite rows.
//  - secrets.created_time / deleted_time: mattn/go-sqlite3 writes Go time.Time
//    as TEXT "2006-01-02 15:04:05.999999999-07:00"; we write UTC in that form.
//  - metadata times (encrypted) and policy times: Unix seconds.
import { formatSqliteTimestamp, goTimeFromDate } from '../../../gocompat/time.js';

/** Go's "2006-01-02 15:04:05.999999999-07:00" in UTC (fraction trimmed of trailing zeros, omitted when zero). */
export function formatSqliteTime(d: Date): string {
  return formatSqliteTimestamp(goTimeFromDate(d));
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/;

/** Parses what go-sqlite3 (or we) stored: the text forms above, or a number of Unix seconds. Undefined when unparsable. */
export function parseSqliteTime(v: unknown): Date | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return unixSecondsToDate(Number(v));
  if (typeof v !== 'string') return undefined;
  const m = TIME_RE.exec(v.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const ms = frac === undefined ? 0 : Math.floor(Number((frac + '00').slice(0, 3)));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (z === undefined && sign !== undefined) {
    const offsetMin = Number(oh) * 60 + Number(om);
    t -= (sign === '+' ? 1 : -1) * offsetMin * 60_000;
  }
  return Number.isFinite(t) ? new Date(t) : undefined;
}

export function dateToUnixSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

export function unixSecondsToDate(n: number): Date | undefined {
  if (!Number.isFinite(n)) return undefined;
  const d = new Date(n * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
