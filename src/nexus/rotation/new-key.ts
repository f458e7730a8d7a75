// A new root key for a rotation: 32 random bytes that are a valid non-zero
// P-256 scalar (the Shamir split needs one), drawn as Bootstrap draws the
// first key (a seed ≥ the group order is drawn again; probability ~2^-32).
import { randomBytes } from 'node:crypto';
import { isValidScalar } from '../../shamir/index.js';

export function newRootKey(random: (n: number) => Buffer = randomBytes): Buffer {
  for (let i = 0; i < 64; i++) {
    const k = random(32);
    if (k.length === 32 && isValidScalar(k) && k.some((b) => b !== 0)) return k;
    k.fill(0);
  }
  throw new Error('the random source keeps producing invalid root keys');
}
