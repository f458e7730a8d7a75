// The shard-set fingerprint of a root key (fingerprint.ts): computes its
// shares (split.ts), digests them, zeroes them.
import { setFingerprint, shareDigest } from './fingerprint.js';
import { computeShares } from './split.js';

/** The fingerprint of the shard set of `rootKey` (all `shares` shares, `threshold` needed); the shares are zeroed. */
export function rootKeyFingerprint(rootKey: Uint8Array, threshold: number, shares: number): string {
  const set = computeShares(rootKey, threshold, shares);
  try {
    return setFingerprint(threshold, new Map(set.map((s) => [s.id, shareDigest(s.id, s.value)] as const)));
  } finally {
    for (const s of set) s.value.fill(0);
  }
}
