// parseGoJson against json.Unmarshal into `any` (acceptance) and into a
// string (decoded bytes), from test/fixtures/gocompat.json; plus the tree's
// own shape (key order, duplicates, number literals).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/gocompat/json/errors.js';
import { type JsonNode, parseGoJson } from '../../../src/gocompat/json/parse.js';
import { otherThan } from '../../helpers/expect.js';
import { docBytes, docLabel, fixture, outcome } from './fixture.js';

describe('parseGoJson accepts what json.Unmarshal accepts', () => {
  it.each(fixture.parse.map((c) => [docLabel(c), c] as const))('%s', (_, c) => {
    // Accepted: a top-level string gives its decoded bytes, anything else just "accepted".
    const got = outcome(() => {
      const node = parseGoJson(docBytes(c));
      return node.kind === 'string' ? Buffer.from(node.value, 'utf8').toString('hex') : 'accepted';
    });
    expect(got).toEqual(c.ok ? { value: c.stringHex ?? 'accepted' } : { thrown: DecodeError.name });
  });
});

const ANY_STRING: unknown = expect.any(String);

const toJs = (n: JsonNode): unknown => {
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

describe('parseGoJson tree', () => {
  it('keeps duplicate keys in order and number literals', () => {
    expect(parseGoJson('{"a":1.0,"A":2,"a":3e0,"b":-0,"c":255,"d":256}')).toEqual({
      kind: 'object',
      entries: [
        ['a', { kind: 'number', raw: '1.0' }],
        ['A', { kind: 'number', raw: '2' }],
        ['a', { kind: 'number', raw: '3e0' }],
        ['b', { kind: 'number', raw: '-0' }],
        ['c', { kind: 'number', raw: '255' }],
        ['d', { kind: 'number', raw: '256' }],
      ],
    });
  });

  it('marks strings written with escapes', () => {
    expect(parseGoJson('["a","\\u0061"]')).toEqual({
      kind: 'array',
      items: [
        { kind: 'string', value: 'a', escaped: false },
        { kind: 'string', value: 'a', escaped: true },
      ],
    });
  });

  it('takes a string or bytes alike', () => {
    expect(parseGoJson('{"k":"é"}')).toEqual(parseGoJson(Buffer.from('{"k":"é"}')));
  });

  it('agrees with JSON.parse on valid documents (numbers compared as values)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(toJs(parseGoJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what JSON.parse refuses, and throws nothing but DecodeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.json()), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(outcome(() => parseGoJson(text).kind)).toEqual(valid ? { value: ANY_STRING } : { thrown: DecodeError.name });
      }),
      { numRuns: 500 },
    );
  });

  it('throws nothing but DecodeError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(() => parseGoJson(bytes)).not.toThrow(otherThan(DecodeError));
      }),
      { numRuns: 500 },
    );
  });
});
