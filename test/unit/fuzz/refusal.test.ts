// expectRefusal, the fuzz targets' check, itself: a message holding any raw
// control, line-breaking or bidi character or lone surrogate fails it; the
// same input quoted with quoteForMessage passes. The characters are listed by
// hand.
import { describe, expect, it } from 'vitest';
import { quoteForMessage } from '../../../src/util/quote-for-message.js';
import { expectRefusal } from './refusal.js';

class ProbeError extends Error {}

const RAW = [
  ['NUL', '\u0000'],
  ['TAB', '\t'],
  ['ESC', '\u001b'],
  ['last C0 control', '\u001f'],
  ['CR', '\r'],
  ['LF', '\n'],
  ['LINE SEPARATOR', '\u2028'],
  ['PARAGRAPH SEPARATOR', '\u2029'],
  ['DEL', '\u007f'],
  ['first C1 control', '\u0080'],
  ['NEL', '\u0085'],
  ['CSI', '\u009b'],
  ['last C1 control', '\u009f'],
  ['ARABIC LETTER MARK', '\u061c'],
  ['LEFT-TO-RIGHT MARK', '\u200e'],
  ['RIGHT-TO-LEFT MARK', '\u200f'],
  ['LEFT-TO-RIGHT EMBEDDING', '\u202a'],
  ['RIGHT-TO-LEFT OVERRIDE', '\u202e'],
  ['LEFT-TO-RIGHT ISOLATE', '\u2066'],
  ['POP DIRECTIONAL ISOLATE', '\u2069'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udfff'],
] as const;

describe('expectRefusal', () => {
  it.each(RAW)('fails on a raw %s', (_name, c) => {
    expect(() => expectRefusal(new ProbeError(`bad input "a${c}b"`), ProbeError)).toThrow();
  });

  it.each(RAW)('passes the same input quoted with quoteForMessage (%s)', (_name, c) => {
    expect(() => expectRefusal(new ProbeError(`bad input ${quoteForMessage(`a${c}b`)}`), ProbeError)).not.toThrow();
  });

  it('passes the neighbours of the refused ranges', () => {
    expect(() => expectRefusal(new ProbeError('~ \u00a0 \u200d \u2027 \u202f \u2065 \u206a é 日本 \ud83d\ude00'), ProbeError)).not.toThrow();
  });

  it('fails on another class, an empty or overlong message, or a secret shown', () => {
    expect(() => expectRefusal(new Error('x'), ProbeError)).toThrow(/expected ProbeError, got Error: x/);
    expect(() => expectRefusal(new ProbeError(''), ProbeError)).toThrow();
    expect(() => expectRefusal(new ProbeError('x'.repeat(400)), ProbeError)).toThrow();
    expect(() => expectRefusal(new ProbeError('key s3cr3t-value'), ProbeError, ['s3cr3t-value'])).toThrow();
  });
});
