// Restore's token bucket: per caller, how long to wait (Retry-After).
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/nexus/restore/rate-limit.js';

describe('RateLimiter', () => {
  it('gives a burst, then one token per refill interval, and says how long to wait (ms, rounded up)', () => {
    let now = 0;
    const r = new RateLimiter({ capacity: 2, refillMs: 3_000, now: () => now });
    expect(r.tryTake('a')).toEqual({ ok: true });
    expect(r.tryTake('a')).toEqual({ ok: true });
    expect(r.tryTake('a')).toEqual({ ok: false, retryAfterMs: 3_000 });
    now = 1_000;
    expect(r.tryTake('a')).toEqual({ ok: false, retryAfterMs: 2_000 });
    now = 2_999.5;
    expect(r.tryTake('a')).toEqual({ ok: false, retryAfterMs: 1 });
    now = 3_000;
    expect(r.tryTake('a')).toEqual({ ok: true });
    expect(r.take('a')).toBe(false);
    // other callers have buckets of their own
    expect(r.take('b')).toBe(true);
  });

  it('a refused call does not push the next token further away', () => {
    let now = 0;
    const r = new RateLimiter({ capacity: 1, refillMs: 1_000, now: () => now });
    expect(r.take('a')).toBe(true);
    for (let i = 0; i < 50; i++) expect(r.take('a')).toBe(false);
    now = 1_000;
    expect(r.take('a')).toBe(true);
  });
});
