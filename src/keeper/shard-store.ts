// The Keeper's only state: one 32-byte shard, in memory, never persisted or
// logged (as upstream app/keeper/internal/state). Every copy handed out or replaced is
// the caller's to zero; the stored copy is zeroed on replace and on clear.
import { isAllZero } from '../protocol/bytes.js';

export const SHARD_SIZE = 32;

export class ShardStore {
  #shard: Buffer | undefined;

  /** Stores a copy of `value` (32 bytes, not all zero), zeroing the previous shard. */
  set(value: Uint8Array): void {
    if (value.length !== SHARD_SIZE) throw new RangeError(`a shard is ${SHARD_SIZE} bytes`);
    if (isAllZero(value)) throw new RangeError('an all-zero shard is not a shard');
    const copy = Buffer.alloc(SHARD_SIZE);
    copy.set(value);
    this.#shard?.fill(0);
    this.#shard = copy;
  }

  /** A copy of the shard (zero it after use), or undefined when empty. */
  get(): Buffer | undefined {
    if (this.#shard === undefined) return undefined;
    return Buffer.from(this.#shard);
  }

  has(): boolean {
    return this.#shard !== undefined;
  }

  /** Zeroes and forgets the shard. */
  clear(): void {
    this.#shard?.fill(0);
    this.#shard = undefined;
  }
}
