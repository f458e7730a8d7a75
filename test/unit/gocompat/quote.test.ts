// goQuote and compareGoStrings against json.Marshal of the same strings and
// maps (test/fixtures/gocompat.json, written by Go).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goEncode } from '../../../src/gocompat/json/encode.js';
import { goQuote } from '../../../src/gocompat/json/quote.js';
import { compareGoStrings } from '../../../src/gocompat/json/sort.js';
import { fixture, fromUnits } from './fixture.js';

describe('goQuote = json.Marshal(string)', () => {
  it.each(fixture.quote.map((c) => [JSON.stringify(c.units.length <= 8 ? c.units : c.units.slice(0, 8)), c] as const))('units %s', (_, c) => {
    expect(goQuote(fromUnits(c.units))).toBe(c.out);
  });

  it('a lone surrogate is \\ufffd (as Go writes an invalid byte)', () => {
    expect(goQuote('\ud800x')).toBe('"\\ufffdx"');
  });

  it('parses back to the same string for well-formed input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(JSON.parse(goQuote(s))).toBe(s);
      }),
    );
  });
});

describe('map keys in Go order = json.Marshal(map[string]int)', () => {
  it.each(fixture.mapKeys.map((c) => [c.out, c] as const))('%s', (_, c) => {
    const m = new Map(c.keys.map((k, i) => [fromUnits(k), i] as const));
    expect(goEncode((w) => w.stringKeyMap(m, (x, v) => x.int(v))).toString('utf8')).toBe(c.out);
  });

  it('compareGoStrings is an order consistent with byte-wise UTF-8 comparison', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareGoStrings(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
    );
  });
});

describe('int map keys = json.Marshal(map[int64]string)', () => {
  it.each(fixture.intMapKeys.map((c) => [c.out, c] as const))('%s', (_, c) => {
    const out = goEncode((w) => w.intKeyMap(c.keys.map((k) => [k, String(k)] as const), (x, v) => x.string(v)));
    expect(out.toString('utf8')).toBe(c.out);
  });
});
