// Shares of one Shamir polynomial over the P-256 scalar field: evaluate the
// polynomial that a set of shares defines at another x (Lagrange), and find
// the smallest threshold a full set is consistent with. Offline checks only:
// nothing here ever rebuilds the root key (x = 0 is refused). Arithmetic runs
// on bigints (as src/shamir does), which cannot be zeroed; the byte results
// are fresh buffers the caller zeroes.
import { Fn, bytesToBigInt, scalarToBytes } from '../../shamir/field.js';

export interface ShareValue {
  id: number;
  /** 32 bytes big-endian, < the group order. */
  value: Uint8Array;
}

/** f(x) for the polynomial of degree shares.length-1 through `shares` (distinct ids, x ∉ ids, x ≥ 1). */
export function evaluateAt(shares: readonly ShareValue[], x: number): Uint8Array {
  if (!Number.isSafeInteger(x) || x < 1) throw new RangeError('x must be a positive integer (x = 0 would be the root key)');
  const X = BigInt(x);
  const xs = shares.map((s) => BigInt(s.id));
  let acc = Fn.ZERO;
  for (let j = 0; j < shares.length; j++) {
    const xj = xs[j] as bigint;
    let num = Fn.ONE;
    let den = Fn.ONE;
    for (let m = 0; m < shares.length; m++) {
      if (m === j) continue;
      const xm = xs[m] as bigint;
      num = Fn.mul(num, Fn.sub(X, xm));
      den = Fn.mul(den, Fn.sub(xj, xm));
    }
    acc = Fn.add(acc, Fn.mul(bytesToBigInt((shares[j] as ShareValue).value), Fn.div(num, den)));
  }
  return scalarToBytes(acc);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** Whether every share lies on the polynomial defined by the first `t` of them (ascending ids). */
export function consistentWithDegree(shares: readonly ShareValue[], t: number): boolean {
  const sorted = [...shares].sort((a, b) => a.id - b.id);
  const base = sorted.slice(0, t);
  for (const s of sorted.slice(t)) {
    const v = evaluateAt(base, s.id);
    const ok = sameBytes(v, s.value);
    v.fill(0);
    if (!ok) return false;
  }
  return true;
}

/**
 * The smallest t such that all shares lie on one polynomial of degree t-1:
 * the threshold of a complete set exported by Nexus (for random-looking
 * coefficients a smaller t fits only with negligible probability). A set
 * whose threshold equals its size always fits; that is the answer then.
 */
export function deduceThreshold(shares: readonly ShareValue[]): number {
  for (let t = 1; t < shares.length; t++) {
    if (consistentWithDegree(shares, t)) return t;
  }
  return shares.length;
}
