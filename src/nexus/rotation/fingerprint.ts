// Shard-set fingerprints of the keys a rotation deals with: public names of
// key generations for audit lines and answers (never key material).
import { rootKeyFingerprint } from '../../shamir/index.js';

export interface ShardSetShape {
  readonly threshold: number;
  readonly shares: number;
}

/** The fingerprint of `key`'s shard set, or '' when it cannot be computed (not a valid scalar). */
export function fingerprintOf(key: Uint8Array, shape: ShardSetShape): string {
  try {
    return rootKeyFingerprint(key, shape.threshold, shape.shares);
  } catch {
    return '';
  }
}
