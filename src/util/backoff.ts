// Backoff and retry: the one implementation behind every loop that waits
// between attempts (Bootstrap → Keepers and Nexus, Nexus ↔ Keepers, the two
// Workload API clients). A library: it imports nothing from the project,
// never prints, never exits.
//
// Delays grow exponentially (initial × factor^n, the default) or linearly
// (initial × (n + 1), go-spiffe's Workload API client), are capped at `maxMs`,
// and may be jittered downwards: with jitter j a delay d becomes a uniform
// draw from [d × (1 − j), d], so neither the cap nor a deadline is exceeded.
//
// Waits use the global setTimeout (so fake timers drive them in tests) and
// end at once when the AbortSignal aborts.

export interface BackoffPolicy {
  /** The first delay. */
  initialMs: number;
  /** No delay is longer (the first one included). */
  maxMs: number;
  /** `exponential` (default): initial × factor^n; `linear`: initial × (n + 1). */
  growth?: 'exponential' | 'linear';
  /** Growth per failure of an exponential backoff (default 2). */
  factor?: number;
  /** Share of each delay drawn at random, 0 (default, none) to 1. */
  jitter?: number;
  /** Uniform random numbers in [0, 1) (default Math.random: jitter needs no secrecy). */
  random?: () => number;
}

function checkPolicy(p: BackoffPolicy): void {
  if (!(Number.isFinite(p.initialMs) && p.initialMs >= 0)) throw new RangeError(`backoff: initialMs must be a finite number >= 0, got ${p.initialMs}`);
  if (!(p.maxMs >= 0)) throw new RangeError(`backoff: maxMs must be a number >= 0, got ${p.maxMs}`);
  if (p.factor !== undefined && !(Number.isFinite(p.factor) && p.factor >= 1)) throw new RangeError(`backoff: factor must be a finite number >= 1, got ${p.factor}`);
  if (p.jitter !== undefined && !(p.jitter >= 0 && p.jitter <= 1)) throw new RangeError(`backoff: jitter must be between 0 and 1, got ${p.jitter}`);
}

/** The delays of one sequence of failures: `next()` after each failure, `reset()` after a success. */
export class Backoff {
  readonly #p: BackoffPolicy;
  #failures = 0;

  constructor(policy: BackoffPolicy) {
    checkPolicy(policy);
    this.#p = { ...policy };
  }

  /** Failures counted since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** The delay after one more failure. */
  next(): number {
    const p = this.#p;
    const n = this.#failures++;
    const raw = p.growth === 'linear' ? p.initialMs * (n + 1) : p.initialMs * (p.factor ?? 2) ** n;
    const d = Math.min(raw, p.maxMs);
    const j = p.jitter ?? 0;
    if (j === 0) return d;
    const r = (p.random ?? Math.random)();
    return d - Math.min(Math.max(r, 0), 1) * j * d;
  }

  /** Back to the first delay. */
  reset(): void {
    this.#failures = 0;
  }
}

export interface RetryOptions extends BackoffPolicy {
  /** Attempts in total, the first one included (default: no limit). */
  maxAttempts?: number;
  /** No wait lasts, and no attempt starts, later than this many ms after the first attempt began (default: no deadline). */
  deadlineMs?: number;
  /** Ends a wait at once, and stops retrying, when it aborts: `retry` then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Whether a failure is worth another attempt (default: every failure); others are rethrown as they are. */
  retryable?: (e: unknown) => boolean;
  /** Called before each wait. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

/** Retrying stopped: the attempts or the time ran out. `last` is the last failure. */
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

/** Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `op` until it resolves. `op` gets the attempt number (from 1) and the
 * time left before the deadline (Infinity without one; at least 1). Rejects
 * with `RetryExhaustedError` when the attempts or the time run out, with the
 * failure itself when it is not retryable, with `signal.reason` on abort.
 */
export async function retry<T>(op: (attempt: number, remainingMs: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const maxAttempts = o.maxAttempts ?? Infinity;
  if (!(maxAttempts >= 1)) throw new RangeError(`retry: maxAttempts must be >= 1, got ${maxAttempts}`);
  const deadlineMs = o.deadlineMs ?? Infinity;
  if (!(deadlineMs > 0)) throw new RangeError(`retry: deadlineMs must be > 0, got ${deadlineMs}`);
  const backoff = new Backoff(o);
  const start = performance.now();
  const left = (): number => deadlineMs - (performance.now() - start);
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    if (attempt > 1 && left() <= 0) throw new RetryExhaustedError(attempt - 1, last, true);
    try {
      return await op(attempt, Math.max(1, left()));
    } catch (e) {
      o.signal?.throwIfAborted();
      if (o.retryable !== undefined && !o.retryable(e)) throw e;
      last = e;
      if (attempt >= maxAttempts) throw new RetryExhaustedError(attempt, e, false);
      const remaining = left();
      if (remaining <= 0) throw new RetryExhaustedError(attempt, e, true);
      const delay = Math.min(backoff.next(), remaining);
      o.onRetry?.(attempt, e, delay);
      await wait(delay, o.signal);
    }
  }
}
