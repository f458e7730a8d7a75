// Field names in decode errors may hold a map key from a request: they are
// quoted as quoteForMessage quotes outside input, and cut when long.
import { describe, expect, it } from 'vitest';
import { MAX_FIELD_CHARS, quoteField } from '../../../src/gocompat/json/errors.js';
import { quoteForMessage } from '../../../src/util/quote-for-message.js';
import { secretPutRequest } from '../../../src/protocol/messages.js';

const decodeError = (body: string): string => {
  try {
    secretPutRequest.decode(Buffer.from(body));
  } catch (e) {
    return (e as Error).message;
  }
  return '(decoded)';
};

describe('quoteField', () => {
  it('quotes every UTF-16 code unit as quoteForMessage does (its own copy of the unsafe class)', () => {
    const differ: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      if (quoteField(s) !== quoteForMessage(s)) differ.push(c.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it('escapes what JSON.stringify leaves raw', () => {
    expect(quoteField('values.\u2028')).toBe('"values.\\u2028"');
    expect(quoteField('values.a\u202eb\u0085\u007f')).toBe('"values.a\\u202eb\\u0085\\u007f"');
    expect(quoteField('values.\n"\\')).toBe('"values.\\n\\"\\\\"');
  });

  it(`cuts a name longer than ${MAX_FIELD_CHARS} characters, marking the cut after the quotes`, () => {
    const long = `values.${'k'.repeat(500)}`;
    expect(quoteField(long)).toBe(`"values.${'k'.repeat(MAX_FIELD_CHARS - 7)}"…`);
    expect(quoteField('x'.repeat(MAX_FIELD_CHARS))).toBe(`"${'x'.repeat(MAX_FIELD_CHARS)}"`);
  });
});

describe('decode errors name a map key safely', () => {
  it.each([
    ['{"values":{"\u2028":0}}', 'field "values.\\u2028" must be a string'],
    ['{"values":{"\u0080":[]}}', 'field "values.\\u0080" must be a string'],
    ['{"values":{"\u202a":{}}}', 'field "values.\\u202a" must be a string'],
    ['{"values":{"\u061c":[]}}', 'field "values.\\u061c" must be a string'],
  ])('%j', (body, message) => {
    expect(decodeError(body)).toBe(message);
  });

  it('a 500-character key is cut in the message', () => {
    const message = decodeError(`{"values":{"${'k'.repeat(500)}":1}}`);
    expect(message).toBe(`field "values.${'k'.repeat(MAX_FIELD_CHARS - 7)}"… must be a string`);
  });
});
