// Go's time.ParseDuration: a possibly signed sequence of decimal numbers,
// each with an optional fraction and a unit ("300ms", "-1.5h", "2h45m",
// "1.s", ".5s"); units ns, us (or µs, μs), ms, s, m, h. "0" alone needs no
// unit. The result is an int64 of nanoseconds; overflow is an error.
// Fractions are computed the way Go computes them (float64), so every
// result matches Go's to the nanosecond. Error messages are Go's, byte for
// byte, input quoted as Go's time package quotes it (see quoteGoTime).

export class GoDurationError extends Error {
  override readonly name = 'GoDurationError';
}

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const LIMIT = 1n << 63n;

const HEX = '0123456789abcdef';
const utf8 = new TextEncoder();

/**
 * `s` quoted as the `quote` function of Go's time package (src/time/format.go)
 * quotes it in ParseDuration's messages: between double quotes, every byte of
 * its UTF-8 that is < 0x20 or >= 0x80 written \xHH (lower-case hex; a non-ASCII
 * character becomes the \xHH of each of its bytes), `"` and `\` after a
 * backslash, every other byte as it is.
 *
 * One deliberate difference: DEL (0x7f), which Go leaves raw, is written \x7f,
 * so that no terminal ever receives it from one of our messages.
 *
 * A JS string is UTF-16 and has no invalid UTF-8 in it. TextEncoder writes a
 * lone surrogate as the bytes of U+FFFD (ef bf bd), and Go's quote writes
 * U+FFFD as those same three \xHH. Our input comes from process.env, which
 * Node decodes as UTF-8 with each invalid byte replaced by U+FFFD: where Go
 * would print an invalid byte such as \x85 we print \xef\xbf\xbd (the byte
 * itself is gone before we see it). quoteGoTimeBytes is the same on bytes,
 * where invalid UTF-8 can be given, and quoted, as Go quotes it.
 */
export function quoteGoTime(s: string): string {
  return quoteGoTimeBytes(utf8.encode(s));
}

/** quoteGoTime for raw bytes (which may be invalid UTF-8: Go, too, writes each such byte as \xHH). */
export function quoteGoTimeBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b < 0x20 || b >= 0x7f) out += `\\x${HEX[b >> 4]}${HEX[b & 0xf]}`;
    else if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** time.ParseDuration(s) in nanoseconds. Throws GoDurationError with Go's message. */
export function parseGoDuration(s: string): bigint {
  const invalid = (): GoDurationError => new GoDurationError(`time: invalid duration ${quoteGoTime(s)}`);
  let rest = s;
  let neg = false;
  if (rest !== '' && (rest[0] === '-' || rest[0] === '+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();
  let d = 0n;
  let i = 0;
  while (i < rest.length) {
    if (!(rest[i] === '.' || isDigit(rest[i]))) throw invalid();
    const intStart = i;
    let v = 0n;
    while (isDigit(rest[i])) {
      v = v * 10n + BigInt((rest[i] as string).charCodeAt(0) - 0x30);
      i++;
    }
    const pre = i !== intStart;
    // Fraction: digits past 2^63 stop adding precision (Go's leadingFraction).
    let f = 0n;
    let scale = 1;
    let post = false;
    if (rest[i] === '.') {
      i++;
      const fracStart = i;
      let overflow = false;
      while (isDigit(rest[i])) {
        if (!overflow) {
          const y = f * 10n + BigInt((rest[i] as string).charCodeAt(0) - 0x30);
          if (f > (LIMIT - 1n) / 10n || y > LIMIT) overflow = true;
          else {
            f = y;
            scale *= 10;
          }
        }
        i++;
      }
      post = i !== fracStart;
    }
    if (!pre && !post) throw invalid();
    // Unit: everything up to the next '.' or digit.
    const unitStart = i;
    while (i < rest.length && rest[i] !== '.' && !isDigit(rest[i])) i++;
    if (i === unitStart) throw new GoDurationError(`time: missing unit in duration ${quoteGoTime(s)}`);
    const u = rest.slice(unitStart, i);
    const unit = UNITS.get(u);
    if (unit === undefined) throw new GoDurationError(`time: unknown unit ${quoteGoTime(u)} in duration ${quoteGoTime(s)}`);
    v *= unit;
    // uint64(float64(f) * (float64(unit) / scale)), truncated as Go converts.
    if (f > 0n) v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
    // Go checks v and d against 2^63 at each step (uint64 would wrap); no
    // BigInt wraps, so checking the running total is the same test.
    d += v;
    if (d > LIMIT) throw invalid();
  }
  if (neg) return -d;
  if (d > LIMIT - 1n) throw invalid();
  return d;
}
