// A restore call on a healthy Nexus is a drill (docs/design.md § Restore):
// does the submitted shard equal share `id` of the live root key? The shares
// are the deterministic ones Nexus gives out (recover) and pushes to the
// Keepers: computeShares(root key, threshold, shares). An id above the
// configured share count is never given out: no match. Every temporary is
// zeroed; the comparison is constant-time.
import { timingSafeEqual } from 'node:crypto';
import { computeShares, type Share } from '../../../shamir/index.js';
import type { ShamirConfig } from '../../../protocol/config/shared.js';
import type { RootKey } from '../../state/rootkey.js';

/** true/false, or undefined when there is no root key to compare with. */
export function shardMatchesRootKey(rootKey: RootKey, shamir: Pick<ShamirConfig, 'threshold' | 'shares'>, id: number, shard: Uint8Array): boolean | undefined {
  return rootKey.use((key) => {
    if (!Number.isSafeInteger(id) || id < 1 || id > shamir.shares) return false;
    let shares: Share[] = [];
    try {
      shares = computeShares(key, shamir.threshold, shamir.shares);
      const mine = (shares[id - 1] as Share).value;
      return mine.length === shard.length && timingSafeEqual(mine, shard);
    } finally {
      for (const s of shares) s.value.fill(0);
    }
  });
}
