// parseGoDuration against time.ParseDuration (test/fixtures/gocompat.json).
import { describe, expect, it } from 'vitest';
import { GoDurationError, parseGoDuration } from '../../../src/gocompat/duration.js';
import { fixture, outcome } from './fixture.js';

describe('parseGoDuration = time.ParseDuration', () => {
  it.each(fixture.duration.map((c) => [JSON.stringify(c.in), c] as const))('%s', (_, c) => {
    expect(outcome(() => String(parseGoDuration(c.in)))).toEqual(c.ns === null ? { thrown: GoDurationError.name } : { value: c.ns });
  });

  it('has Go-like messages that quote the input', () => {
    expect(() => parseGoDuration('1')).toThrow('time: missing unit in duration "1"');
    expect(() => parseGoDuration('1d')).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => parseGoDuration('')).toThrow('time: invalid duration ""');
  });
});
