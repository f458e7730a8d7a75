// The root key, held in one Buffer that this module owns: keys are copied in
// (the caller keeps and zeroes its own copy) and the held copy is zeroed when
// replaced or cleared. "No key" is upstream's all-zero state.
import { isAllZero } from '../../protocol/bytes.js';
export const ROOT_KEY_LENGTH = 32;

export class RootKey {
  #key: Buffer | undefined;

  /** True once a key is installed. */
  has(): boolean {
    return this.#key !== undefined;
  }

  /** Installs a copy of `key` (32 bytes, not all zero), zeroing any previous key. */
  set(key: Uint8Array): void {
    if (key.length !== ROOT_KEY_LENGTH) throw new RangeError(`root key must be ${ROOT_KEY_LENGTH} bytes`);
    if (isAllZero(key)) throw new RangeError('root key must not be all zero');
    const copy = Buffer.alloc(ROOT_KEY_LENGTH);
    copy.set(key);
    this.clear();
    this.#key = copy;
  }

  /**
   * Runs `fn` with the held key (a view, not a copy: `fn` must not keep it),
   * or returns undefined when there is no key.
   */
  use<T>(fn: (key: Buffer) => T): T | undefined {
    const k = this.#key;
    return k === undefined ? undefined : fn(k);
  }

  /** Zeroes and forgets the key. */
  clear(): void {
    this.#key?.fill(0);
    this.#key = undefined;
  }
}
