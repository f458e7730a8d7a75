// RFC 3339 parsing and time formatting against Go's time package
// (test/fixtures/gocompat.json): time.Parse(time.RFC3339, s), time.Time's
// UnmarshalJSON/MarshalJSON, Format with the project's layouts, IsZero.
import { describe, expect, it } from 'vitest';
import {
  formatDateTimeZone,
  formatRfc3339,
  formatRfc3339Nano,
  formatSqliteTimestamp,
  formatTimeJson,
  type GoTime,
  GoTimeError,
  goTimeFromDate,
  isZeroTime,
  parseRfc3339,
} from '../../../src/gocompat/time.js';
import { decodeGoStruct, field } from '../../../src/gocompat/json/struct.js';
import { goTime } from '../../../src/gocompat/json/decode.js';
import { DecodeError } from '../../../src/gocompat/json/errors.js';
import { goQuote } from '../../../src/gocompat/json/quote.js';
import { fixture, type Formats, outcome } from './fixture.js';

function expectFormats(t: GoTime, f: Formats): void {
  expect({
    rfc3339: formatRfc3339(t),
    rfc3339Nano: formatRfc3339Nano(t),
    json: outcome(() => `"${formatTimeJson(t)}"`),
    mst: formatDateTimeZone(t),
    sqlite: formatSqliteTimestamp(t),
    isZero: isZeroTime(t),
  }).toEqual({ ...f, json: f.json === null ? { thrown: GoTimeError.name } : { value: f.json } });
}

const timeField = { t: field('t', goTime, () => '') };

describe('parseRfc3339 = time.Parse(time.RFC3339, s)', () => {
  it.each(fixture.time.filter((c) => c.ok).map((c) => [JSON.stringify(c.in), c] as const))('accepts %s', (_, c) => {
    expectFormats(parseRfc3339(c.in), c.formats as Formats);
  });

  it.each(fixture.time.filter((c) => !c.ok).map((c) => [JSON.stringify(c.in), c] as const))('refuses %s', (_, c) => {
    expect(() => parseRfc3339(c.in)).toThrow(GoTimeError);
  });

  it.each(fixture.time.map((c) => [JSON.stringify(c.in), c] as const))('the JSON decoder takes %s as UnmarshalJSON does', (_, c) => {
    const got = outcome(() => decodeGoStruct(`{"t":${goQuote(c.in)}}`, timeField, 'x').t);
    expect(got).toEqual(c.okJson ? { value: c.in } : { thrown: DecodeError.name });
  });

  it('accepts 12 fractional digits (the first nine count) and refuses month 13', () => {
    expect(parseRfc3339('2025-01-15T14:30:45.123456789123Z').nanosecond).toBe(123456789);
    expect(() => parseRfc3339('2025-13-01T00:00:00Z')).toThrow(GoTimeError);
  });
});

describe('a Date formats as Go formats time.UnixMilli(ms).UTC()', () => {
  it.each(fixture.timeInstant.map((c) => [c.unixMilli, c] as const))('%d ms', (ms, c) => {
    expectFormats(goTimeFromDate(new Date(ms)), c.formats);
  });
});
