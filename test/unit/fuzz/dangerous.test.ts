// The dangerous-character arbitraries the fuzz targets mix into their input:
// they draw every class the refusal check refuses, at the promised rate
// (measured on a fixed seed, so the counts are the same on every run).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RATE_OUT_OF, dangerousChar, sprinkled, sprinkledBytes, unitWithDangerous } from './dangerous.js';
import { UNSAFE_IN_MESSAGE } from './refusal.js';

const N = 3000;
const SEED = 42;
const share = (xs: readonly boolean[]): number => xs.filter(Boolean).length / xs.length;

describe('dangerous-character arbitraries', () => {
  it('every drawn character is one the refusal check refuses, and every class shows up', () => {
    const cs = fc.sample(dangerousChar, { numRuns: N, seed: SEED });
    expect(cs.filter((c) => !UNSAFE_IN_MESSAGE.test(c))).toEqual([]);
    const classes = {
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      c0: /[\u0000-\u001f]/,
      c1OrDel: /[\u007f-\u009f]/,
      separators: /[\u2028\u2029]/,
      bidi: /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/,
      surrogates: /\p{Cs}/u,
    };
    for (const [name, re] of Object.entries(classes)) expect(cs.some((c) => re.test(c)), name).toBe(true);
  });

  it('sprinkled: about one string in RATE_OUT_OF holds a dangerous character, the rest are the plain ones', () => {
    const plain = fc.string({ maxLength: 10 }); // printable ASCII: never dangerous on its own
    const got = share(fc.sample(sprinkled(plain), { numRuns: N, seed: SEED }).map((s) => UNSAFE_IN_MESSAGE.test(s)));
    expect(got).toBeGreaterThan(0.6 / RATE_OUT_OF);
    expect(got).toBeLessThan(1.4 / RATE_OUT_OF);
  });

  it('sprinkledBytes: the same for bytes, read as UTF-8 or as latin1', () => {
    const plain = fc.uint8Array({ min: 0x20, max: 0x7e, maxLength: 20 });
    const read = (b: Uint8Array): boolean => {
      const buf = Buffer.from(b);
      return UNSAFE_IN_MESSAGE.test(buf.toString('latin1')) || /[^\x20-\x7e]/.test(buf.toString('utf8'));
    };
    const got = share(fc.sample(sprinkledBytes(plain), { numRuns: N, seed: SEED }).map(read));
    expect(got).toBeGreaterThan(0.6 / RATE_OUT_OF);
    expect(got).toBeLessThan(1.4 / RATE_OUT_OF);
  });

  it('unitWithDangerous: a string of a few units holds a dangerous character often', () => {
    const s = fc.string({ unit: unitWithDangerous(fc.constantFrom('a', 'b')), minLength: 4, maxLength: 8 });
    expect(share(fc.sample(s, { numRuns: N, seed: SEED }).map((x) => UNSAFE_IN_MESSAGE.test(x)))).toBeGreaterThan(0.3);
  });
});
