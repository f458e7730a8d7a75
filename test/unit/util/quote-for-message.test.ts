import { describe, expect, it } from 'vitest';
import { escapeControlsForMessage, escapeForMessage, quoteForMessage } from '../../../src/util/quote-for-message.js';

// Expected outputs are written by hand (String.raw: what a reader sees in the
// message, backslashes and all), not computed with JSON.stringify.
describe('quoteForMessage', () => {
  it('quotes plain input as JSON.stringify does', () => {
    expect(quoteForMessage('')).toBe(String.raw`""`);
    expect(quoteForMessage('spike.ist')).toBe(String.raw`"spike.ist"`);
    expect(quoteForMessage('say "hi" \\ bye')).toBe(String.raw`"say \"hi\" \\ bye"`);
    expect(quoteForMessage('é ü 日本 🔑')).toBe('"é ü 日本 🔑"');
  });

  it('escapes C0 controls, as JSON.stringify does', () => {
    expect(quoteForMessage('a\nb\rc\td\0e\u001bf')).toBe(String.raw`"a\nb\rc\td\u0000e\u001bf"`);
  });

  it('escapes U+2028 and U+2029 (line and paragraph separators)', () => {
    expect(quoteForMessage('one\u2028two\u2029three')).toBe(String.raw`"one\u2028two\u2029three"`);
  });

  it('escapes DEL (U+007F)', () => {
    expect(quoteForMessage('a\u007fb')).toBe(String.raw`"a\u007fb"`);
  });

  it('escapes the C1 controls U+0080 to U+009F (NEL and CSI among them), not U+00A0', () => {
    expect(quoteForMessage('\u0080|\u0085|\u009b|\u009f|\u00a0')).toBe(String.raw`"\u0080|\u0085|\u009b|\u009f|` + '\u00a0"');
  });

  it('escapes the bidi controls (embeddings, overrides, isolates, marks)', () => {
    expect(quoteForMessage('\u202a\u202b\u202c\u202d\u202e')).toBe(String.raw`"\u202a\u202b\u202c\u202d\u202e"`);
    expect(quoteForMessage('\u2066\u2067\u2068\u2069')).toBe(String.raw`"\u2066\u2067\u2068\u2069"`);
    expect(quoteForMessage('\u061c\u200e\u200f')).toBe(String.raw`"\u061c\u200e\u200f"`);
    // the Trojan Source shape: an override that would show "admin" reversed
    expect(quoteForMessage('user\u202enimda\u202c')).toBe(String.raw`"user\u202enimda\u202c"`);
  });

  it('escapes lone surrogates and keeps surrogate pairs', () => {
    expect(quoteForMessage('a\ud800b\udfffc')).toBe(String.raw`"a\ud800b\udfffc"`);
    expect(quoteForMessage('\ud83d')).toBe(String.raw`"\ud83d"`);
    expect(quoteForMessage('\ud83d\udd11')).toBe('"🔑"');
  });

  it('leaves neighbours of the escaped ranges alone', () => {
    expect(quoteForMessage('~\u00a0\u200d\u2027\u202f\u2065\u206a')).toBe('"~\u00a0\u200d\u2027\u202f\u2065\u206a"');
  });

  it('does not shorten long input', () => {
    const long = 'x'.repeat(10_000);
    expect(quoteForMessage(long)).toBe(`"${long}"`);
  });

  it('parses back with JSON.parse to the input', () => {
    const s = 'a\u2028\u2029\u007f\u0085\u202e\u2066\ud800"\\\n';
    expect(JSON.parse(quoteForMessage(s))).toBe(s);
  });
});

describe('escapeForMessage', () => {
  it('leaves plain input as it is', () => {
    expect(escapeForMessage('postgres://spike@db:5432/spike?sslmode=verify-full')).toBe('postgres://spike@db:5432/spike?sslmode=verify-full');
    expect(escapeForMessage('/tmp/x y/é')).toBe('/tmp/x y/é');
  });

  it('escapes what quoteForMessage escapes, quotes and backslashes included, without adding quotes', () => {
    expect(escapeForMessage('a\nb\u2028c\u0085d\u007fe\u202ef\ud800g')).toBe(String.raw`a\nb\u2028c\u0085d\u007fe\u202ef\ud800g`);
    expect(escapeForMessage('say "hi" \\')).toBe(String.raw`say \"hi\" \\`);
  });
});

describe('escapeControlsForMessage', () => {
  it('leaves plain text, quotes and backslashes as they are', () => {
    expect(escapeControlsForMessage('invalid escape sequence: `\\1` "x"')).toBe('invalid escape sequence: `\\1` "x"');
  });

  it('escapes C0 controls, DEL, C1, line separators, bidi controls and lone surrogates', () => {
    expect(escapeControlsForMessage('a\nb\tc\u0000d\u007fe\u0085f\u2028g\u202eh\u2066i\ud800j')).toBe(
      String.raw`a\u000ab\u0009c\u0000d\u007fe\u0085f\u2028g\u202eh\u2066i\ud800j`,
    );
  });
});
