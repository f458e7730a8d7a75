// spike-sdk-go crypto.NewDeterministicReader: the byte stream
// B1 || B2 || ... with B1 = SHA-256(seed) and B(k+1) = SHA-256(Bk).
import { sha256 } from '@noble/hashes/sha2.js';

export class DeterministicReader {
  private block: Uint8Array;
  private pos = 0;

  constructor(seed: Uint8Array) {
    this.block = sha256(seed);
  }

  /** Fills `out` with the next bytes of the stream. */
  read(out: Uint8Array): void {
    for (let i = 0; i < out.length; i++) {
      if (this.pos === this.block.length) {
        const next = sha256(this.block);
        this.block.fill(0);
        this.block = next;
        this.pos = 0;
      }
      out[i] = this.block[this.pos++] as number;
    }
  }

  /** Zeroes the internal state; the reader must not be used afterwards. */
  destroy(): void {
    this.block.fill(0);
  }
}
