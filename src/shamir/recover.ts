// Lagrange interpolation at 0 over the P-256 scalar field (circl
// secretsharing.Recover): uses the first `threshold` shares in the order
// given, after validating every share passed in.
import { ShamirError } from './errors.js';
import { Fn, GROUP_ORDER, SCALAR_BYTES, bytesToBigInt, scalarToBytes } from './field.js';
import type { Share } from './share.js';

export function recoverSecret(shares: readonly Share[], threshold: number): Uint8Array {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new ShamirError('invalid_threshold', 'threshold must be an integer >= 1');
  }
  if (!Array.isArray(shares) || shares.length < threshold) {
    throw new ShamirError('not_enough_shares', 'not enough shares to reach the threshold');
  }
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

  const used = shares.slice(0, threshold);
  const xs = used.map((s) => BigInt(s.id));
  let secret = Fn.ZERO;
  for (let j = 0; j < used.length; j++) {
    const xj = xs[j] as bigint;
    let num = Fn.ONE;
    let den = Fn.ONE;
    for (let m = 0; m < used.length; m++) {
      if (m === j) continue;
      const xm = xs[m] as bigint;
      num = Fn.mul(num, xm);
      den = Fn.mul(den, Fn.sub(xm, xj));
    }
    const yj = bytesToBigInt((used[j] as Share).value);
    secret = Fn.add(secret, Fn.mul(yj, Fn.div(num, den)));
  }
  if (Fn.is0(secret)) throw new ShamirError('zero_result', 'reconstructed secret is zero');
  return scalarToBytes(secret);
}
