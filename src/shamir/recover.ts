// Lagrange interpolation over the P-256 scalar field, the one implementation:
// at 0 it rebuilds the secret (circl secretsharing.Recover: the first
// `threshold` shares in the order given, after validating every share passed
// in); at a share id it gives that share of the same polynomial, which checks
// a set of shares offline without rebuilding the secret.
import { ShamirError } from './errors.js';
import { Fn, GROUP_ORDER, SCALAR_BYTES, bytesToBigInt, scalarToBytes } from './field.js';
import type { Share } from './share.js';

/** Throws unless every share has a positive integer id, unique, and a 32-byte value below n. */
function validateShares(shares: readonly Share[]): void {
  const seen = new Set<number>();
  for (const s of shares) {
    const id: unknown = s?.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      throw new ShamirError('invalid_id', 'share id must be a positive integer');
    }
    if (seen.has(id)) throw new ShamirError('duplicate_id', 'duplicate share id');
    seen.add(id);
    const v: unknown = s.value;
    if (!(v instanceof Uint8Array) || v.length !== SCALAR_BYTES || bytesToBigInt(v) >= GROUP_ORDER) {
      throw new ShamirError('value_out_of_range', 'share value must be 32 bytes below the P-256 group order');
    }
  }
}

/** f(x) for the polynomial of degree shares.length − 1 through `shares` (validated). */
function interpolateAt(shares: readonly Share[], x: bigint): bigint {
  const xs = shares.map((s) => BigInt(s.id));
  let acc = Fn.ZERO;
  for (let j = 0; j < shares.length; j++) {
    const xj = xs[j] as bigint;
    let num = Fn.ONE;
    let den = Fn.ONE;
    for (let m = 0; m < shares.length; m++) {
      if (m === j) continue;
      const xm = xs[m] as bigint;
      num = Fn.mul(num, Fn.sub(x, xm));
      den = Fn.mul(den, Fn.sub(xj, xm));
    }
    const yj = bytesToBigInt((shares[j] as Share).value);
    acc = Fn.add(acc, Fn.mul(yj, Fn.div(num, den)));
  }
  return acc;
}

export function recoverSecret(shares: readonly Share[], threshold: number): Uint8Array {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new ShamirError('invalid_threshold', 'threshold must be an integer >= 1');
  }
  if (!Array.isArray(shares) || shares.length < threshold) {
    throw new ShamirError('not_enough_shares', 'not enough shares to reach the threshold');
  }
  validateShares(shares);
  const secret = interpolateAt(shares.slice(0, threshold), 0n);
  if (Fn.is0(secret)) throw new ShamirError('zero_result', 'reconstructed secret is zero');
  return scalarToBytes(secret);
}

/**
 * The share with id `id` of the polynomial of degree shares.length − 1 that
 * `shares` define (all of them are used): a fresh 32-byte buffer the caller
 * zeroes. Id 0, the secret itself, is refused: that is recoverSecret's job.
 */
export function interpolateShare(shares: readonly Share[], id: number): Uint8Array {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ShamirError('invalid_id', 'share id must be a positive integer (id 0 would be the secret, the root key)');
  }
  if (!Array.isArray(shares) || shares.length < 1) {
    throw new ShamirError('not_enough_shares', 'at least one share is needed');
  }
  validateShares(shares);
  return scalarToBytes(interpolateAt(shares, BigInt(id)));
}
