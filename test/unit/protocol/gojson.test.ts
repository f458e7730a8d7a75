import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, GoJsonWriter, goEncode, goQuote, goTimeText, parseGoJson } from '../../../src/protocol/gojson.js';
import { otherThan } from '../../helpers/expect.js';

describe('goQuote (Go encodeState.string with HTML escaping)', () => {
  it('escapes like Go', () => {
    expect(goQuote('<a href="x">&</a>')).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
    expect(goQuote('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(goQuote('\b\f\n\r\t\u0001\u001f\u007f')).toBe('"\\b\\f\\n\\r\\t\\u0001\\u001f\u007f"');
    expect(goQuote('back\\slash')).toBe('"back\\\\slash"');
    expect(goQuote('é😀')).toBe('"é😀"');
    expect(goQuote('\ud800x')).toBe('"\\ufffdx"');
  });
  it('always produces JSON that parses back to the same string (well-formed input)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (str) => {
        expect(JSON.parse(goQuote(str))).toBe(str);
      }),
    );
  });
});

describe('goTimeText', () => {
  it('trims fractional zeros and uses Z', () => {
    expect(goTimeText(new Date(Date.UTC(2026, 6, 25, 1, 2, 3, 0)))).toBe('2026-07-25T01:02:03Z');
    expect(goTimeText(new Date(Date.UTC(2026, 6, 25, 1, 2, 3, 100)))).toBe('2026-07-25T01:02:03.1Z');
    expect(goTimeText(new Date(Date.UTC(2026, 6, 25, 1, 2, 3, 123)))).toBe('2026-07-25T01:02:03.123Z');
    expect(() => goTimeText('yesterday')).toThrow();
  });
});

describe('GoJsonWriter', () => {
  it('sorts string map keys bytewise (UTF-8), as Go', () => {
    const out = goEncode((w) => w.stringKeyMap({ b: '1', B: '2', '\uffff': '3', '😀': '4', a: '5' }, (x, v) => x.string(v)));
    expect(out.toString()).toBe('{"B":"2","a":"5","b":"1","\uffff":"3","😀":"4"}');
  });
  it('writes [32]byte as numbers', () => {
    const v = new Uint8Array(32);
    v[0] = 255;
    v[1] = 10;
    v[31] = 7;
    expect(new GoJsonWriter().bytes32(v).finish().toString()).toBe('[255,10,' + '0,'.repeat(29) + '7]');
    expect(() => new GoJsonWriter().bytes32(new Uint8Array(31))).toThrow();
  });
});

describe('parseGoJson', () => {
  it('keeps duplicate keys in order and literal numbers', () => {
    const n = parseGoJson('{"a":1.0,"A":2,"a":3e0}');
    expect(n).toEqual({
      kind: 'object',
      entries: [
        ['a', { kind: 'number', raw: '1.0' }],
        ['A', { kind: 'number', raw: '2' }],
        ['a', { kind: 'number', raw: '3e0' }],
      ],
    });
  });
  it('replaces lone surrogate escapes and decodes escapes', () => {
    expect(parseGoJson('"\\ud800\\u0041\\n\\/"')).toEqual({ kind: 'string', value: '\ufffdA\n/' });
    expect(parseGoJson('"\\ud83d\\ude00"')).toEqual({ kind: 'string', value: '😀' });
  });
  it('refuses what Go refuses', () => {
    for (const bad of ['', ' ', '{', '{"a":1,}', "{'a':1}", '01', 'NaN', '{"a":1}x', '\ufeff{}', '"\u0001"']) {
      expect(() => parseGoJson(bad), bad).toThrow(DecodeError);
    }
  });
  it('never throws anything but DecodeError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        expect(() => parseGoJson(text)).not.toThrow(otherThan(DecodeError));
      }),
      { numRuns: 500 },
    );
  });
  it('agrees with JSON.parse on valid documents (ignoring number forms)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const toJs = (n: ReturnType<typeof parseGoJson>): unknown => {
          switch (n.kind) {
            case 'null':
              return null;
            case 'bool':
            case 'string':
              return n.value;
            case 'number':
              return Number(n.raw);
            case 'array':
              return n.items.map(toJs);
            case 'object':
              return Object.fromEntries(n.entries.map(([k, v]) => [k, toJs(v)]));
          }
        };
        expect(toJs(parseGoJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});
