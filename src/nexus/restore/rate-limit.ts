// Token bucket per caller SPIFFE ID. Applied to restore after authorization,
// so only callers holding the restore role spend tokens, and a flood from one
// caller ID cannot drain another's bucket. Which restore calls are charged at
// all is the route's choice (docs/design.md § Restore: only calls that add
// nothing). Buckets that refilled completely are forgotten (bounded memory).
export interface RateLimitOptions {
  /** Burst size. */
  capacity: number;
  /** Milliseconds to regain one token. */
  refillMs: number;
  now?: () => number;
}

/** A token was taken, or the caller must wait `retryAfterMs` (> 0) for the next one. */
export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(readonly opts: RateLimitOptions) {
    if (!(opts.capacity >= 1) || !(opts.refillMs > 0)) throw new RangeError('invalid rate limit');
    this.#now = opts.now ?? Date.now;
  }

  /** Takes one token for `key`; false when the caller must wait. */
  take(key: string): boolean {
    return this.tryTake(key).ok;
  }

  /** Takes one token for `key`, or says how long until one is available. */
  tryTake(key: string): RateDecision {
    const now = this.#now();
    this.#sweep(now);
    const b = this.#buckets.get(key) ?? { tokens: this.opts.capacity, at: now };
    const refilled = Math.min(this.opts.capacity, b.tokens + (now - b.at) / this.opts.refillMs);
    if (refilled < 1) {
      this.#buckets.set(key, { tokens: refilled, at: now });
      // (the 1e-6 ms absorbs float error: 2000.0000000000002 ms is 2000)
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - refilled) * this.opts.refillMs - 1e-6)) };
    }
    this.#buckets.set(key, { tokens: refilled - 1, at: now });
    return { ok: true };
  }

  #sweep(now: number): void {
    if (this.#buckets.size < 1024) return;
    for (const [k, b] of this.#buckets) {
      if (b.tokens + (now - b.at) / this.opts.refillMs >= this.opts.capacity) this.#buckets.delete(k);
    }
  }
}
