// A new root key: 32 random bytes that are a valid non-zero P-256 scalar, so
// that the Shamir split can take it (upstream rejects a seed >= n; we draw
// again instead, probability ~2^-32). Bootstrap's genesis and Nexus's
// root-key rotation both draw their key here.
import { randomBytes } from 'node:crypto';
import { isValidScalar } from './field.js';

export function generateRootKey(random: (n: number) => Buffer = randomBytes): Buffer {
  for (let i = 0; i < 64; i++) {
    const k = random(32);
    if (k.length === 32 && isValidScalar(k) && k.some((b) => b !== 0)) return k;
    k.fill(0);
  }
  throw new Error('the random source keeps producing invalid root keys');
}
