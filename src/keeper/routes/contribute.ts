// POST /v1/store/contribute (upstream-recovery.md §4.5): Nexus or Bootstrap
// stores this Keeper's shard, overwriting any previous one.
import { type ShardStore, isAllZero } from '../shard-store.js';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../protocol/errors.js';
import { decodeShardPutRequest, encodeContribute } from '../wire.js';
import { type KeeperPeerPolicy, type KeeperRequest, type KeeperResponse, validPeerId } from './types.js';

const BAD_REQUEST = API_BAD_REQUEST;
const UNAUTHORIZED = ACCESS_UNAUTHORIZED;

function answer(status: number, code?: string): KeeperResponse {
  return { status, body: encodeContribute(code) };
}

/** Guard: the peer must be Nexus or Bootstrap. */
export function guardContribute(policy: KeeperPeerPolicy, peerId: string | undefined): boolean {
  return validPeerId(peerId) && policy.mayContribute(peerId);
}

export function contributeRoute(store: ShardStore, policy: KeeperPeerPolicy) {
  return (req: KeeperRequest): KeeperResponse => {
    let shard: Buffer | undefined;
    try {
      shard = decodeShardPutRequest(req.body);
    } catch {
      // Any body Go's json.Unmarshal would refuse (see wire.ts) is a 400.
      return answer(400, BAD_REQUEST);
    }
    try {
      if (!guardContribute(policy, req.peerId)) return answer(401, UNAUTHORIZED);
      if (shard === undefined || isAllZero(shard)) return answer(400, BAD_REQUEST);
      store.set(shard);
      return answer(200);
    } finally {
      shard?.fill(0);
    }
  };
}
