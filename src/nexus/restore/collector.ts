// Collection of operator-submitted shards for a restore (upstream
// operator/restore.go, without its latch): distinct ids are collected until `threshold` are
// held; the same id again is ignored (first value wins, as upstream — a wrong
// first value is caught by the key check, which resets the collection).
// A partial collection older than `ttlMs` since its last submission is
// dropped. Values are copied in and zeroed on reset.
import type { Share } from '../../shamir/index.js';

export type SubmitResult =
  | { readonly kind: 'collecting'; readonly collected: number; readonly remaining: number; readonly duplicate: boolean }
  /** `threshold` shares are held: the caller owns `shares` (and zeroes them); the collection is now empty. */
  | { readonly kind: 'complete'; readonly shares: Share[] };

export class RestoreCollector {
  #shares: Share[] = [];
  #lastActivity = 0;

  constructor(
    readonly threshold: number,
    readonly ttlMs: number,
    readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('threshold must be a positive integer');
  }

  collected(): number {
    this.#expire();
    return this.#shares.length;
  }

  /** The ids collected so far, ascending (never the values): for /v1/operator/status. */
  ids(): number[] {
    this.#expire();
    return this.#shares.map((s) => s.id).sort((a, b) => a - b);
  }

  /** Adds share (`id`, copy of `value`). */
  submit(id: number, value: Uint8Array): SubmitResult {
    this.#expire();
    this.#lastActivity = this.now();
    const duplicate = this.#shares.some((s) => s.id === id);
    if (!duplicate) this.#shares.push({ id, value: Uint8Array.from(value) });
    if (this.#shares.length >= this.threshold) {
      const shares = this.#shares;
      this.#shares = [];
      return { kind: 'complete', shares };
    }
    return { kind: 'collecting', collected: this.#shares.length, remaining: this.threshold - this.#shares.length, duplicate };
  }

  /** Drops (and zeroes) everything collected. */
  reset(): void {
    for (const s of this.#shares) s.value.fill(0);
    this.#shares = [];
  }

  #expire(): void {
    if (this.#shares.length > 0 && this.now() - this.#lastActivity > this.ttlMs) this.reset();
  }
}
