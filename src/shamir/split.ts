// Deterministic share generation, byte-identical to upstream SPIKE
// (spike-sdk-go crypto.ComputeShares with circl >= 1.6.2;
// docs/design.md § Shamir): c0 = root key, c1..c(t-1) from the SHA-256
// chain reader seeded with the root key, share x = f(x) mod n for x = 1..n.
import { ShamirError } from './errors.js';
import { Fn, GROUP_ORDER, SCALAR_BYTES, bytesToBigInt, scalarToBytes } from './field.js';
import { randomScalar } from './random-scalar.js';
import { DeterministicReader } from './reader.js';
import { recoverSecret } from './recover.js';
import type { Share } from './share.js';

/** Largest share count we compute (ids are small integers; keeps a typo from hanging a server). */
export const MAX_SHARES = 1_000_000;

export function computeShares(rootKey: Uint8Array, threshold: number, shares: number): Share[] {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new ShamirError('invalid_threshold', 'threshold must be an integer >= 1');
  }
  if (!Number.isSafeInteger(shares) || shares < threshold || shares > MAX_SHARES) {
    throw new ShamirError('invalid_threshold', `share count must be an integer between the threshold and ${MAX_SHARES}`);
  }
  if (!(rootKey instanceof Uint8Array) || rootKey.length !== SCALAR_BYTES) {
    throw new ShamirError('root_key_invalid', 'root key must be 32 bytes');
  }
  const secret = bytesToBigInt(rootKey);
  if (secret === 0n || secret >= GROUP_ORDER) {
    throw new ShamirError('root_key_invalid', 'root key must be a non-zero scalar below the P-256 group order');
  }

  const reader = new DeterministicReader(rootKey);
  const coefficients: bigint[] = [secret];
  try {
    for (let i = 1; i < threshold; i++) coefficients.push(randomScalar(reader));
  } finally {
    reader.destroy();
  }

  const out: Share[] = [];
  for (let id = 1; id <= shares; id++) {
    out.push({ id, value: scalarToBytes(evaluate(coefficients, BigInt(id))) });
  }
  // bigints cannot be wiped; drop our references at least.
  coefficients.fill(0n);

  // As upstream (VerifyShamirReconstruction): the first `threshold` shares must give the key back.
  const check = recoverSecret(out.slice(0, threshold), threshold);
  const ok = equalBytes(check, rootKey);
  check.fill(0);
  if (!ok) {
    for (const s of out) s.value.fill(0);
    throw new ShamirError('zero_result', 'share verification failed');
  }
  return out;
}

/** Horner evaluation of sum(c_j * x^j) mod n. */
function evaluate(coefficients: readonly bigint[], x: bigint): bigint {
  let acc = Fn.ZERO;
  for (let j = coefficients.length - 1; j >= 0; j--) {
    acc = Fn.add(Fn.mul(acc, x), coefficients[j] as bigint);
  }
  return acc;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}
