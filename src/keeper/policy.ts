// The Keeper's peer rules (as upstream SPIKE 0.8.2), from roles.ts:
// TLS level and /v1/store/contribute accept Nexus or Bootstrap
// (`PeerCanTalkToKeeper`); /v1/store/shard accepts Nexus only.
import type { TrustRoots } from '../protocol/config/shared.js';
import { isNexus, peerCanTalkToKeeper } from '../protocol/roles.js';
import type { KeeperPeerPolicy } from './routes/route.js';

export function keeperPeerPolicy(roots: TrustRoots): KeeperPeerPolicy {
  return {
    mayContribute: (id) => peerCanTalkToKeeper(id, roots),
    mayReadShard: (id) => isNexus(id, roots.nexus),
  };
}
