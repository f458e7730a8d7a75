// Shares of one Shamir polynomial: the smallest threshold a full set is
// consistent with, and whether a set lies on one polynomial of a given
// degree. The interpolation itself is src/shamir's (interpolateShare), which
// never rebuilds the root key here (id 0 is refused). Offline checks only.
import { interpolateShare, isValidScalar, type Share } from '../../shamir/index.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/**
 * Whether every share lies on the polynomial defined by the first `t` of
 * them (ascending ids). A value that is no scalar (32 bytes below the group
 * order) is a share of no polynomial: false.
 */
export function consistentWithDegree(shares: readonly Share[], t: number): boolean {
  if (!shares.every((s) => isValidScalar(s.value))) return false;
  const sorted = [...shares].sort((a, b) => a.id - b.id);
  const base = sorted.slice(0, t);
  for (const s of sorted.slice(t)) {
    const v = interpolateShare(base, s.id);
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
export function deduceThreshold(shares: readonly Share[]): number {
  for (let t = 1; t < shares.length; t++) {
    if (consistentWithDegree(shares, t)) return t;
  }
  return shares.length;
}
