// parseGoDuration against time.ParseDuration (test/fixtures/gocompat.json).
import { describe, expect, it } from 'vitest';
import { GoDurationError, parseGoDuration, quoteGoTimeBytes } from '../../../src/gocompat/duration.js';
import { fixture, outcome } from './fixture.js';

const messageOf = (input: string): string => {
  try {
    parseGoDuration(input);
  } catch (e) {
    if (e instanceof GoDurationError) return e.message;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(input)}`);
};

describe('parseGoDuration = time.ParseDuration', () => {
  it.each(fixture.duration.map((c) => [JSON.stringify(c.in), c] as const))('%s', (_, c) => {
    expect(outcome(() => String(parseGoDuration(c.in)))).toEqual(c.ns === null ? { thrown: GoDurationError.name } : { value: c.ns });
  });

  it('has Go-like messages that quote the input', () => {
    expect(() => parseGoDuration('1')).toThrow('time: missing unit in duration "1"');
    expect(() => parseGoDuration('1d')).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
  });
});

// Go's parseDurationErrorTests (src/time/time_test.go): the input and the
// quoted form its message must contain; the message's words are
// ParseDuration's (src/time/format.go) for the error each input meets.
describe('messages are Go ParseDuration messages byte for byte', () => {
  it.each([
    ['', 'time: invalid duration ""'],
    ['3', 'time: missing unit in duration "3"'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'],
    ['-.', 'time: invalid duration "-."'],
    ['.s', 'time: invalid duration ".s"'],
    ['+.s', 'time: invalid duration "+.s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['\uFFFD', 'time: invalid duration "\\xef\\xbf\\xbd"'],
    ['\uFFFD hello \uFFFD world', 'time: invalid duration "\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world"'],
    ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
    ['9223372036854776us', 'time: invalid duration "9223372036854776us"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
    ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
    ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'],
  ])('%j', (input, message) => {
    expect(messageOf(input)).toBe(message);
  });

  // Go's quote: each UTF-8 byte < 0x20 or >= 0x80 as \xHH, `"` and `\`
  // after a backslash (what Go prints for these, worked out from its quote).
  it.each([
    ['1µs1µ', 'time: unknown unit "\\xc2\\xb5" in duration "1\\xc2\\xb5s1\\xc2\\xb5"'],
    ['١s', 'time: invalid duration "\\xd9\\xa1s"'],
    ['1s\n', 'time: unknown unit "s\\x0a" in duration "1s\\x0a"'],
    ['1\t\u001b[31m', 'time: unknown unit "\\x09\\x1b[" in duration "1\\x09\\x1b[31m"'],
    ['1"\\', 'time: unknown unit "\\"\\\\" in duration "1\\"\\\\"'],
    ['1\u2028', 'time: unknown unit "\\xe2\\x80\\xa8" in duration "1\\xe2\\x80\\xa8"'],
    ['1😀', 'time: unknown unit "\\xf0\\x9f\\x98\\x80" in duration "1\\xf0\\x9f\\x98\\x80"'],
  ])('%j', (input, message) => {
    expect(messageOf(input)).toBe(message);
  });

  it('writes DEL as \\x7f, where Go leaves it raw (our one deviation: no terminal receives it)', () => {
    expect(messageOf('1\u007f')).toBe('time: unknown unit "\\x7f" in duration "1\\x7f"');
  });

  it('writes a lone surrogate (not UTF-8-encodable) as the bytes of U+FFFD, as Go writes U+FFFD', () => {
    expect(messageOf('1\uD800')).toBe('time: unknown unit "\\xef\\xbf\\xbd" in duration "1\\xef\\xbf\\xbd"');
    expect(messageOf('\uDC00')).toBe('time: invalid duration "\\xef\\xbf\\xbd"');
  });
});

// The cases of Go's table whose input is invalid UTF-8, which no JS string
// can hold: on bytes, the quoted form Go's test expects.
describe('quoteGoTimeBytes = Go time.quote on bytes', () => {
  const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  it.each([
    ['\x85\x85', '"\\x85\\x85"'],
    ['\xffff', '"\\xffff"'],
    ['hello \xffff world', '"hello \\xffff world"'],
    ['\xef\xbf\xbd', '"\\xef\\xbf\\xbd"'],
  ])('%j', (latin1, quoted) => {
    expect(quoteGoTimeBytes(bytes(latin1))).toBe(quoted);
  });
});
