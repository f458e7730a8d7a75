// Characters that must never reach a refusal message raw (see refusal.ts and
// src/util/quote-for-message.ts), and arbitraries that mix them into the
// fuzz targets' outside input. Plain fast-check string arbitraries almost
// never draw them (one code point among 0x110000), so without this the
// refusal check would seldom have anything to catch.
import fc from 'fast-check';

/** One UTF-16 code unit each, drawn from every class the refusal check refuses. */
const DANGEROUS_CODE_UNITS: readonly fc.Arbitrary<number>[] = [
  fc.constantFrom(0x0a, 0x0d, 0x00, 0x09, 0x1b), // LF, CR, NUL, TAB, ESC
  fc.integer({ min: 0x00, max: 0x1f }), // any C0 control
  fc.constantFrom(0x7f, 0x85, 0x9b), // DEL, NEL, CSI
  fc.integer({ min: 0x80, max: 0x9f }), // any C1 control
  fc.constantFrom(0x2028, 0x2029), // line and paragraph separators
  fc.constantFrom(0x061c, 0x200e, 0x200f, 0x202e, 0x2066, 0x2069), // bidi marks, RLO, isolates
  fc.integer({ min: 0x202a, max: 0x202e }), // bidi embeddings and overrides
  fc.integer({ min: 0x2066, max: 0x2069 }), // bidi isolates
  fc.constantFrom(0xd800, 0xdbff, 0xdc00, 0xdfff), // lone surrogates (high and low ends)
];

/** One dangerous character (a single UTF-16 code unit). */
export const dangerousChar: fc.Arbitrary<string> = fc.oneof(...DANGEROUS_CODE_UNITS).map((u) => String.fromCharCode(u));

/**
 * How often the `sprinkled` arbitraries add dangerous characters: one value
 * in RATE_OUT_OF (the rest are the wrapped arbitrary's own values unchanged).
 */
export const RATE_OUT_OF = 6;

/** Inserts each [position, char] into `s` (positions taken modulo the growing length, in UTF-16 units, so a surrogate pair may be split: also a dangerous input). */
function insertAll(s: string, inserts: readonly (readonly [number, string])[]): string {
  let out = s;
  for (const [at, c] of inserts) {
    const i = at % (out.length + 1);
    out = out.slice(0, i) + c + out.slice(i);
  }
  return out;
}

const inserts = fc.array(fc.tuple(fc.nat(), dangerousChar), { minLength: 1, maxLength: 3 });

/**
 * `arb`'s strings, and one in RATE_OUT_OF of them with 1–3 dangerous
 * characters inserted at random positions (shrinking can drop back to the
 * plain string, so a counterexample shows the character only if it matters).
 */
export function sprinkled(arb: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: RATE_OUT_OF - 1, arbitrary: arb },
    { weight: 1, arbitrary: fc.tuple(arb, inserts).map(([s, ins]) => insertAll(s, ins)) },
  );
}

/** The same for bytes: 1–3 dangerous characters inserted, each as its UTF-8 encoding or (C0/C1/DEL) as the raw byte a latin1 reader sees as it. */
export function sprinkledBytes(arb: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const encoded = fc.tuple(dangerousChar, fc.boolean()).map(([c, raw]) => {
    const u = c.charCodeAt(0);
    // A lone surrogate has no UTF-8 form; write its CESU-8 bytes (invalid UTF-8) instead.
    if (u >= 0xd800 && u <= 0xdfff) return Uint8Array.of(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
    return raw && u <= 0xff ? Uint8Array.of(u) : new Uint8Array(Buffer.from(c, 'utf8'));
  });
  const byteInserts = fc.array(fc.tuple(fc.nat(), encoded), { minLength: 1, maxLength: 3 });
  return fc.oneof(
    { weight: RATE_OUT_OF - 1, arbitrary: arb },
    {
      weight: 1,
      arbitrary: fc.tuple(arb, byteInserts).map(([b, ins]) => {
        let out = Buffer.from(b);
        for (const [at, e] of ins) {
          const i = at % (out.length + 1);
          out = Buffer.concat([out.subarray(0, i), e, out.subarray(i)]);
        }
        return new Uint8Array(out);
      }),
    },
  );
}

/** A string unit for fc.string({ unit }): mostly `unit`'s characters, a dangerous one about one time in 8. */
export function unitWithDangerous(unit: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 7, arbitrary: unit }, { weight: 1, arbitrary: dangerousChar });
}

