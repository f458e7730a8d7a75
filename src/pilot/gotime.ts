// Go `time.Time` formatting for the RFC 3339 strings Nexus sends (decoded by
// protocol/gojson.ts and kept as text): what upstream's Pilot prints after
// json-decoding them into time.Time and formatting them again.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

interface GoTimeParts {
  date: string; // YYYY-MM-DD
  clock: string; // hh:mm:ss
  frac: string; // fractional digits, trailing zeros removed ('' when none)
  /** 'Z' for a zero offset (Go prints Z for any zero offset), else ±hh:mm. */
  zone: string;
}

function parts(t: string): GoTimeParts {
  const m = RFC3339.exec(t);
  if (m === null) throw new RangeError('not an RFC 3339 time');
  const zone = m[8] === '+00:00' || m[8] === '-00:00' ? 'Z' : (m[8] as string);
  return {
    date: `${m[1]}-${m[2]}-${m[3]}`,
    clock: `${m[4]}:${m[5]}:${m[6]}`,
    frac: (m[7] ?? '').replace(/0+$/, ''),
    zone,
  };
}

/** `t.Format(time.RFC3339Nano)` (also MarshalJSON and yaml.v3's timestamp form). */
export function formatRfc3339Nano(t: string): string {
  const p = parts(t);
  return `${p.date}T${p.clock}${p.frac === '' ? '' : `.${p.frac}`}${p.zone}`;
}

/** `t.Format(time.RFC3339)`: whole seconds. */
export function formatRfc3339(t: string): string {
  const p = parts(t);
  return `${p.date}T${p.clock}${p.zone}`;
}

/**
 * `t.Format("2006-01-02 15:04:05 MST")`: a `Z` time is in UTC (`UTC`); any
 * other offset is a zone Go knows no name for, printed `-0700`-style.
 */
export function formatHumanTime(t: string): string {
  const p = parts(t);
  return `${p.date} ${p.clock} ${p.zone === 'Z' ? 'UTC' : p.zone.replace(':', '')}`;
}

/** Go's `IsZero()`: January 1, year 1, 00:00:00 UTC. */
export function isZeroTime(t: string): boolean {
  const p = parts(t);
  return p.date === '0001-01-01' && p.clock === '00:00:00' && p.frac === '' && p.zone === 'Z';
}
