import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff, retry, RetryExhaustedError } from '../../../src/util/backoff.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The delays of `n` failures in a row. */
function delays(b: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => b.next());
}

/** An operation that always fails, counting its calls and when they happen (fake time). */
function failing(error: unknown = new Error('down')) {
  const calls: number[] = [];
  const op = async (): Promise<never> => {
    calls.push(Date.now());
    throw error;
  };
  return { op, calls };
}

/** A promise's outcome, once settled: lets a test look at it while fake time stands still. */
function settle<T>(p: Promise<T>): { readonly state: 'pending' | 'resolved' | 'rejected'; readonly value: unknown } {
  const s: { state: 'pending' | 'resolved' | 'rejected'; value: unknown } = { state: 'pending', value: undefined };
  p.then(
    (v) => Object.assign(s, { state: 'resolved', value: v }),
    (e: unknown) => Object.assign(s, { state: 'rejected', value: e }),
  );
  return s;
}

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap (the first delay capped too), and starts over after reset', () => {
    const b = new Backoff({ initialMs: 500, maxMs: 5000 });
    // SPIKE Nexus's keeper polling: 0.5 s doubling, SPIKE_NEXUS_RECOVERY_MAX_INTERVAL = 5 s
    expect(delays(b, 6)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(b.failures).toBe(6);
    b.reset();
    expect(b.next()).toBe(500);
    expect(delays(new Backoff({ initialMs: 500, maxMs: 40 }), 2)).toEqual([40, 40]);
  });

  it('grows by another factor, or linearly as go-spiffe (1 s, 2 s, … 30 s)', () => {
    expect(delays(new Backoff({ initialMs: 100, maxMs: 1e6, factor: 3 }), 4)).toEqual([100, 300, 900, 2700]);
    const linear = delays(new Backoff({ initialMs: 1000, maxMs: 30_000, growth: 'linear' }), 32);
    expect(linear.slice(0, 3)).toEqual([1000, 2000, 3000]);
    expect(linear.slice(28)).toEqual([29_000, 30_000, 30_000, 30_000]);
  });

  it('never overflows into a delay above the cap after many failures', () => {
    const b = new Backoff({ initialMs: 500, maxMs: 5000 });
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.next()).toBe(5000);
  });

  it('jitter draws each delay from [d × (1 − jitter), d]', () => {
    const low = delays(new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.999999 }), 5);
    const high = delays(new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0 }), 5);
    expect(high).toEqual([100, 200, 400, 800, 1000]);
    expect(low.map((d) => Math.round(d))).toEqual([50, 100, 200, 400, 500]);
    const b = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.3 });
    const draws = delays(b, 2000);
    for (const d of draws) {
      expect(d).toBeGreaterThanOrEqual(700);
      expect(d).toBeLessThanOrEqual(1000);
    }
    // Math.random spreads them over the whole range, not a single value.
    expect(Math.min(...draws)).toBeLessThan(750);
    expect(Math.max(...draws)).toBeGreaterThan(950);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: -1, maxMs: 10 })).toThrow(/initialMs/);
    expect(() => new Backoff({ initialMs: 1, maxMs: Number.NaN })).toThrow(/maxMs/);
    expect(() => new Backoff({ initialMs: 1, maxMs: 10, factor: 0.5 })).toThrow(/factor/);
    expect(() => new Backoff({ initialMs: 1, maxMs: 10, jitter: 2 })).toThrow(/jitter/);
  });
});

describe('retry', () => {
  it('waits initial, ×2, … up to the cap between attempts, and stops after maxAttempts', async () => {
    const f = failing();
    const onRetry = vi.fn();
    const r = settle(retry(f.op, { initialMs: 100, maxMs: 300, maxAttempts: 5, onRetry }));
    await vi.runAllTimersAsync();
    expect(r.state).toBe('rejected');
    expect(r.value).toBeInstanceOf(RetryExhaustedError);
    expect((r.value as RetryExhaustedError).attempts).toBe(5);
    expect((r.value as RetryExhaustedError).timedOut).toBe(false);
    expect(f.calls.map((t) => t - (f.calls[0] as number))).toEqual([0, 100, 300, 600, 900]);
    expect(onRetry.mock.calls.map((c) => c[2])).toEqual([100, 200, 300, 300]);
  });

  it('returns the first success, passing the attempt number and the time left', async () => {
    const seen: [number, number][] = [];
    const r = settle(
      retry(
        async (attempt, remainingMs) => {
          seen.push([attempt, remainingMs]);
          if (attempt < 3) throw new Error('not yet');
          return 'ok';
        },
        { initialMs: 100, maxMs: 1000, deadlineMs: 1000 },
      ),
    );
    await vi.runAllTimersAsync();
    expect(r).toEqual({ state: 'resolved', value: 'ok' });
    expect(seen).toEqual([
      [1, 1000],
      [2, 900],
      [3, 700],
    ]);
  });

  it('stops at the deadline: the last wait is cut short and no attempt starts after it', async () => {
    const f = failing();
    const r = settle(retry(f.op, { initialMs: 100, maxMs: 100, deadlineMs: 350 }));
    await vi.advanceTimersByTimeAsync(349);
    expect(r.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(r.state).toBe('rejected');
    expect((r.value as RetryExhaustedError).timedOut).toBe(true);
    expect(f.calls.map((t) => t - (f.calls[0] as number))).toEqual([0, 100, 200, 300]);
  });

  it('rethrows a failure that is not retryable as it is, at once', async () => {
    const fatal = new Error('fatal');
    const f = failing(fatal);
    const r = settle(retry(f.op, { initialMs: 100, maxMs: 100, retryable: (e) => e !== fatal }));
    await vi.advanceTimersByTimeAsync(0);
    expect(r).toEqual({ state: 'rejected', value: fatal });
    expect(f.calls).toHaveLength(1);
  });

  it('an abort during a wait ends it at once with the signal reason; no attempt follows', async () => {
    const f = failing();
    const ac = new AbortController();
    const r = settle(retry(f.op, { initialMs: 60_000, maxMs: 60_000, signal: ac.signal }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.state).toBe('pending');
    const reason = new Error('shutting down');
    ac.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(r).toEqual({ state: 'rejected', value: reason });
    await vi.runAllTimersAsync();
    expect(f.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an abort during an attempt stops retrying; an aborted signal runs nothing', async () => {
    const ac = new AbortController();
    let calls = 0;
    const r = settle(
      retry(
        async () => {
          calls++;
          ac.abort();
          throw new Error('cancelled');
        },
        { initialMs: 1, maxMs: 1, signal: ac.signal },
      ),
    );
    await vi.runAllTimersAsync();
    expect(r.state).toBe('rejected');
    expect((r.value as Error).name).toBe('AbortError');
    expect(calls).toBe(1);
    const op = vi.fn(async () => 'never');
    await expect(retry(op, { initialMs: 1, maxMs: 1, signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(op).not.toHaveBeenCalled();
  });

  it('jittered waits stay within their bounds', async () => {
    const f = failing();
    const r = settle(retry(f.op, { initialMs: 1000, maxMs: 1000, jitter: 0.5, maxAttempts: 50 }));
    await vi.runAllTimersAsync();
    expect(r.state).toBe('rejected');
    const gaps = f.calls.slice(1).map((t, i) => t - (f.calls[i] as number));
    expect(gaps).toHaveLength(49);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(500);
      expect(g).toBeLessThanOrEqual(1000);
    }
  });
});
