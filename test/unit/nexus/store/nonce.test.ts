// GCM nonces come from a pool of random bytes (crypto.ts): every nonce is
// 12 bytes, distinct from every other (across refills of the pool), in a
// buffer of its own that nothing else writes to.
import { describe, expect, it } from 'vitest';
import { newNonce, NONCE_BYTES } from '../../../../src/nexus/store/crypto.js';

describe('newNonce', () => {
  it('gives distinct 12-byte nonces across several refills of its pool, each in a buffer of its own', () => {
    const nonces = Array.from({ length: 2000 }, () => newNonce()); // a 4 KiB pool holds 341
    const zero = Buffer.alloc(NONCE_BYTES);
    for (const n of nonces) {
      expect(n.length).toBe(NONCE_BYTES);
      expect(n.equals(zero)).toBe(false);
      expect(n.buffer.byteLength).toBe(NONCE_BYTES); // not a view into the pool
    }
    expect(new Set(nonces.map((n) => n.toString('hex'))).size).toBe(nonces.length);
    // Kept nonces do not change as more are drawn.
    const first = Buffer.from(nonces[0] as Buffer);
    for (let i = 0; i < 1000; i++) newNonce();
    expect((nonces[0] as Buffer).equals(first)).toBe(true);
  });

  it('uses every bit: over 2000 nonces each byte position takes many values', () => {
    const nonces = Array.from({ length: 2000 }, () => newNonce());
    for (let i = 0; i < NONCE_BYTES; i++) {
      const seen = new Set(nonces.map((n) => n[i]));
      expect(seen.size).toBeGreaterThan(200); // 256 values, 2000 draws: all but surely > 250
    }
  });
});
