// Go crypto/rand.Int(reader, n) for the P-256 order, which circl >= 1.6.2
// uses for group.P256.RandomScalar: read 32 bytes (n has 256 bits, so the
// top-byte mask is 0xFF), accept the big-endian value if < n, else retry.
import { GROUP_ORDER, SCALAR_BYTES, bytesToBigInt } from './field.js';
/** Anything that fills a buffer with the next bytes of a stream. */
export interface ByteReader {
  read(out: Uint8Array): void;
}

export function randomScalar(reader: ByteReader): bigint {
  const buf = new Uint8Array(SCALAR_BYTES);
  try {
    for (;;) {
      reader.read(buf);
      const v = bytesToBigInt(buf);
      if (v < GROUP_ORDER) return v;
    }
  } finally {
    buf.fill(0);
  }
}
