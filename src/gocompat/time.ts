// Go's time.Time as SPIKE's wire and outputs use it: RFC 3339 parsing as
// time.Parse(time.RFC3339, s) does (also what time.Time's UnmarshalJSON does
// with the raw string), and the formats the project prints or stores.
//
// A parsed time keeps its wall clock and UTC offset, as Go keeps the
// location it parsed, so formatting prints the fields that were read
// (normalised: fraction trimmed, a zero offset written `Z`). The zone *name*
// a Go layout's `MST` prints depends on the process's local zone; here a
// zero offset is "UTC" and any other offset has no name (Go's behaviour with
// Local = UTC).

/** A time.Time: wall clock at `offsetSeconds` east of UTC. */
export interface GoTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0..999999999 */
  readonly nanosecond: number;
  readonly offsetSeconds: number;
}

/** A time given as a Date (UTC), as RFC 3339 text, or already parsed. */
export type GoTimeLike = Date | string | GoTime;

/** Go's zero time.Time as RFC 3339 text. */
export const GO_ZERO_TIME_TEXT = '0001-01-01T00:00:00Z';

export class GoTimeError extends Error {
  override readonly name = 'GoTimeError';
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Days in `month` (1..12) of `year` (proleptic Gregorian, as Go). */
export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// time.Parse(RFC3339): the fast path takes two-digit fields and a '.'
// fraction; the layout fallback also takes a one-digit hour, a ',' fraction
// and zone offsets up to 24:60. Any number of fraction digits; the first nine count.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** time.Parse(time.RFC3339, text). Throws GoTimeError (the text is not echoed). */
export function parseRfc3339(text: string): GoTime {
  const m = RFC3339.exec(text);
  if (m === null) throw new GoTimeError('not an RFC 3339 time');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) throw new GoTimeError('month out of range');
  if (day < 1 || day > daysIn(month, year)) throw new GoTimeError('day out of range');
  if (hour > 23) throw new GoTimeError('hour out of range');
  if (minute > 59) throw new GoTimeError('minute out of range');
  if (second > 59) throw new GoTimeError('second out of range');
  const nanosecond = m[7] === undefined ? 0 : Number(m[7].slice(0, 9).padEnd(9, '0'));
  let offsetSeconds = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 24) throw new GoTimeError('time zone offset hour out of range');
    if (om > 60) throw new GoTimeError('time zone offset minute out of range');
    offsetSeconds = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  return { year, month, day, hour, minute, second, nanosecond, offsetSeconds };
}

/** A Date as Go's time.UnixMilli(ms).UTC(). */
export function goTimeFromDate(d: Date): GoTime {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) throw new GoTimeError('invalid date');
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanosecond: d.getUTCMilliseconds() * 1_000_000,
    offsetSeconds: 0,
  };
}

export function toGoTime(t: GoTimeLike): GoTime {
  if (t instanceof Date) return goTimeFromDate(t);
  if (typeof t === 'string') return parseRfc3339(t);
  return t;
}

// ---------------------------------------------------------------------------
// Formatting (Go's Time.Format for the layouts below)

/** Go's appendInt(b, x, width): zero-padded to width, a minus sign before the padding. */
function pad(x: number, width: number): string {
  const digits = String(Math.abs(x)).padStart(width, '0');
  return x < 0 ? `-${digits}` : digits;
}

function date(t: GoTime): string {
  return `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}`;
}

function clock(t: GoTime): string {
  return `${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}`;
}

/** `.999999999`: the fraction without trailing zeros, nothing when zero. */
function trimmedFraction(t: GoTime): string {
  return t.nanosecond === 0 ? '' : `.${pad(t.nanosecond, 9).replace(/0+$/, '')}`;
}

/** The offset as ±hh<sep>mm (seconds of the offset are not printed, as Go). */
function offset(t: GoTime, sep: string): string {
  let zone = Math.trunc(t.offsetSeconds / 60);
  const sign = zone < 0 ? '-' : '+';
  zone = Math.abs(zone);
  return `${sign}${pad(Math.trunc(zone / 60), 2)}${sep}${pad(zone % 60, 2)}`;
}

/** `Z07:00` */
function zoneZ(t: GoTime): string {
  return t.offsetSeconds === 0 ? 'Z' : offset(t, ':');
}

/** Layout time.RFC3339, "2006-01-02T15:04:05Z07:00". */
export function formatRfc3339(t: GoTime): string {
  return `${date(t)}T${clock(t)}${zoneZ(t)}`;
}

/** Layout time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z07:00" (also yaml.v3's form of a time). */
export function formatRfc3339Nano(t: GoTime): string {
  return `${date(t)}T${clock(t)}${trimmedFraction(t)}${zoneZ(t)}`;
}

/** Layout "2006-01-02 15:04:05 MST": a zero offset is "UTC", another offset has no name and prints as -0700. */
export function formatDateTimeZone(t: GoTime): string {
  return `${date(t)} ${clock(t)} ${t.offsetSeconds === 0 ? 'UTC' : offset(t, '')}`;
}

/** Layout "2006-01-02 15:04:05.999999999-07:00" (what mattn/go-sqlite3 writes for a time.Time). */
export function formatSqliteTimestamp(t: GoTime): string {
  return `${date(t)} ${clock(t)}${trimmedFraction(t)}${offset(t, ':')}`;
}

/**
 * time.Time.MarshalJSON's text (without the quotes): RFC 3339 with
 * nanoseconds; throws, as Go does, for a year outside 0..9999 or an offset
 * of 24 hours or more.
 */
export function formatTimeJson(t: GoTime): string {
  if (t.year < 0 || t.year > 9999) throw new GoTimeError('year outside of range [0,9999]');
  if (Math.abs(t.offsetSeconds) >= 24 * 3600) throw new GoTimeError('timezone hour outside of range [0,23]');
  return formatRfc3339Nano(t);
}

// ---------------------------------------------------------------------------

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Seconds since the Unix epoch of t (the instant, whatever the offset). */
export function unixSeconds(t: GoTime): number {
  return daysFromCivil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second - t.offsetSeconds;
}

const ZERO_UNIX_SECONDS = daysFromCivil(1, 1, 1) * 86400;

/** Go's IsZero: the instant January 1, year 1, 00:00:00 UTC (any offset). */
export function isZeroTime(t: GoTime): boolean {
  return t.nanosecond === 0 && unixSeconds(t) === ZERO_UNIX_SECONDS;
}
