// Exponential backoff with a deadline and an attempt limit (what upstream's
// retry package does with cenkalti/backoff, minus the jitter).

export interface RetryOptions {
  /** Attempts in total (Infinity for no limit). */
  maxAttempts: number;
  initialMs: number;
  maxMs: number;
  /** Give up once this much time has passed since the first attempt. */
  deadlineMs: number;
  /** Whether an error is worth another attempt. */
  retryable: (e: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onRetry?: (attempt: number, e: unknown, delayMs: number) => void;
}

export class RetryExhaustedError extends Error {
  override readonly name = 'RetryExhaustedError';
  constructor(
    readonly attempts: number,
    readonly last: unknown,
    readonly timedOut: boolean,
  ) {
    super(timedOut ? `gave up after ${attempts} attempts (deadline reached)` : `gave up after ${attempts} attempts`);
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `op` until it succeeds; a non-retryable error is rethrown as is. */
export async function retryWithBackoff<T>(op: (attempt: number, remainingMs: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? defaultSleep;
  const now = o.now ?? Date.now;
  const start = now();
  let delay = o.initialMs;
  for (let attempt = 1; ; attempt++) {
    const remaining = o.deadlineMs - (now() - start);
    try {
      return await op(attempt, Math.max(1, remaining));
    } catch (e) {
      if (!o.retryable(e)) throw e;
      if (attempt >= o.maxAttempts) throw new RetryExhaustedError(attempt, e, false);
      const left = o.deadlineMs - (now() - start);
      if (left <= 0) throw new RetryExhaustedError(attempt, e, true);
      const wait = Math.min(delay, o.maxMs, left);
      o.onRetry?.(attempt, e, wait);
      await sleep(wait);
      delay = Math.min(delay * 2, o.maxMs);
    }
  }
}
