// The root key(s) a SQLite store works with: one sealing key, plus the
// previous key while a rotation runs. Rows are sealed with the sealing key and
// opened with it first, then with the previous key (GCM authentication tells
// which one sealed a row). Without a rotation, opening is one attempt as before.
// The keyring owns its buffers and zeroes them when they are dropped.
import { StoreError } from './errors.js';

function isIntegrity(e: unknown): boolean {
  return e instanceof StoreError && e.code === 'integrity';
}

export class Keyring {
  #sealing: Buffer;
  #previous: Buffer | undefined;

  /** Takes ownership of both buffers. */
  constructor(sealing: Buffer, previous?: Buffer) {
    this.#sealing = sealing;
    this.#previous = previous;
  }

  /** The key new rows are sealed with (do not keep or modify it). */
  get sealing(): Buffer {
    return this.#sealing;
  }

  /** The old key during a rotation (do not keep or modify it). */
  get previous(): Buffer | undefined {
    return this.#previous;
  }

  /**
   * Runs `open` with the sealing key; during a rotation, when that fails with
   * StoreError 'integrity' (the row does not open), runs it again with the
   * previous key. When both fail, the sealing key's error is thrown.
   */
  open<T>(open: (key: Buffer) => T): T {
    const previous = this.#previous;
    if (previous === undefined) return open(this.#sealing);
    try {
      return open(this.#sealing);
    } catch (e) {
      if (!isIntegrity(e)) throw e;
      try {
        return open(previous);
      } catch (e2) {
        if (!isIntegrity(e2)) throw e2;
        throw e;
      }
    }
  }

  /** A rotation begins: `next` (owned from now on) seals, the current sealing key becomes the previous key. */
  rotateTo(next: Buffer): void {
    if (this.#previous !== undefined) throw new StoreError('conflict', 'a root-key rotation is already running');
    this.#previous = this.#sealing;
    this.#sealing = next;
  }

  /** A rotation finished: the previous key is zeroed and dropped. */
  retirePrevious(): void {
    this.#previous?.fill(0);
    this.#previous = undefined;
  }

  /** Zeroes every key (close). */
  zero(): void {
    this.#sealing.fill(0);
    this.retirePrevious();
  }
}
