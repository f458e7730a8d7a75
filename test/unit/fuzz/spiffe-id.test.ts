// Fuzz: the SPIFFE ID parser against an independent oracle written from
// SPIFFE-ID.md §2 (lowercase `spiffe://`, trust domain [a-z0-9._-]{1,255},
// path segments [a-zA-Z0-9._-]+ that are not `.`/`..`, ≤ 2048 bytes). Any
// input is accepted exactly when the oracle says so; accepted IDs round-trip;
// refusals are one-line SpiffeIdErrors. The generators mix in control,
// line-breaking and bidi characters and lone surrogates (dangerous.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpiffeIdError, parseSpiffeId, parseTrustDomain } from '../../../src/spiffe/id.js';
import { sprinkled } from './dangerous.js';
import { RUNS, expectRefusal, resultOrRefusal } from './refusal.js';

function oracleValid(s: string): boolean {
  const m = /^spiffe:\/\/([a-z0-9._-]+)((?:\/[a-zA-Z0-9._-]+)*)$/.exec(s);
  if (m === null) return false;
  const [, td, path] = m as unknown as [string, string, string];
  if (td.length > 255 || Buffer.byteLength(s) > 2048) return false;
  return path.split('/').slice(1).every((seg) => seg !== '.' && seg !== '..');
}

function check(s: string): void {
  let id;
  try {
    id = parseSpiffeId(s);
  } catch (e) {
    expectRefusal(e, SpiffeIdError);
    expect(oracleValid(s)).toBe(false);
    return;
  }
  expect(oracleValid(s)).toBe(true);
  expect(id.toString()).toBe(s);
  expect(parseSpiffeId(id.toString()).equals(id)).toBe(true);
  expect(id.memberOf(id.trustDomain)).toBe(true);
}

// Alphabets that hit every rule: legal characters, case, separators, URL syntax.
const tdUnit = fc.constantFrom(...'abcxyz0129.-_', 'A', 'Z', ':', '@', '%', ' ', 'é', '/');
const segUnit = fc.constantFrom(...'abcXYZ019.-_', '%', '?', '#', ' ', '~', '+', 'é', '\u0000', '\n');
const segment = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: segUnit, minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', '...') },
);
const structured = sprinkled(
  fc
    .tuple(
      fc.constantFrom('spiffe://', 'spiffe://', 'spiffe://', 'SPIFFE://', 'spiffe:/', 'spiffe:///', 'https://', ''),
      fc.oneof(fc.string({ unit: tdUnit, maxLength: 12 }), sprinkled(fc.constantFrom('example.org', 'spike.ist', 'a'.repeat(255), 'a'.repeat(256), 'td:8080', 'u@td'))),
      fc.array(segment, { maxLength: 5 }),
      fc.constantFrom('', '', '', '/', '?q=1', '#f', '\n'),
    )
    .map(([scheme, td, segs, tail]) => `${scheme}${td}${segs.map((x) => `/${x}`).join('')}${tail}`),
);

/** Long IDs near the 2048-byte limit. */
const long = sprinkled(
  fc.tuple(fc.integer({ min: 2000, max: 2100 }), fc.constantFrom('a', 'é', '.')).map(([n, c]) => `spiffe://td/${c.repeat(n - 'spiffe://td/'.length)}`),
);

describe('fuzz: parseSpiffeId', () => {
  it('line and paragraph separators (U+2028, U+2029) stay escaped in the one-line error (a counterexample fast-check found)', () => {
    for (const input of ['\u2028', 'spiffe://a\u2029b/x', 'spiffe://td/\u2028']) resultOrRefusal(() => parseSpiffeId(input), SpiffeIdError);
  });

  it('DEL, C1 controls and bidi controls stay escaped in the one-line error (hand-picked; the generators below mix them in too)', () => {
    for (const input of ['\u007f', 'spiffe://a\u0085b/x', 'spiffe://td/\u009b', 'spiffe://td/\u202eevil', 'spiffe://a\u2066b/x', 'spiffe://td/\u061c\u200e\u200f']) {
      resultOrRefusal(() => parseSpiffeId(input), SpiffeIdError);
    }
  });

  it('arbitrary strings (any code points)', () => {
    fc.assert(fc.property(sprinkled(fc.string({ unit: 'binary', maxLength: 80 })), check), { numRuns: RUNS });
  });

  it('arbitrary strings after a valid prefix', () => {
    fc.assert(fc.property(sprinkled(fc.string({ maxLength: 60 })), (s) => check(`spiffe://${s}`)), { numRuns: RUNS });
  });

  it('structured near-valid IDs agree with the oracle', () => {
    fc.assert(fc.property(structured, check), { numRuns: RUNS * 3 });
  });

  it('lengths around the 2048-byte limit', () => {
    fc.assert(fc.property(long, check), { numRuns: 200 });
  });

  it('non-string input is a SpiffeIdError, not a TypeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.constant(null), fc.constant(undefined), fc.object()), (v) => {
        expect(() => parseSpiffeId(v as unknown as string)).toThrow(SpiffeIdError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('fuzz: parseTrustDomain', () => {
  it('accepts `td` and `spiffe://td` alike, refuses the rest with SpiffeIdError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: tdUnit, maxLength: 12 }), sprinkled(fc.string({ unit: 'binary', maxLength: 30 }))), (td) => {
        const bare = resultOrRefusal(() => parseTrustDomain(td), SpiffeIdError);
        // accepted: the oracle agrees, and the spiffe:// form gives the same domain
        expect(bare === undefined || oracleValid(`spiffe://${bare}`)).toBe(true);
        expect(bare === undefined ? 'refused' : parseTrustDomain(`spiffe://${bare}`)).toBe(bare ?? 'refused');
        // refused (and not for a slash or colon, which the spiffe:// form would read differently): the oracle refuses too
        const plain = !td.includes('/') && !td.includes(':');
        expect(bare !== undefined || !plain || !oracleValid(`spiffe://${td}`)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
