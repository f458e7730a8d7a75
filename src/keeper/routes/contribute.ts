// POST /v1/store/contribute (upstream keeper route/store/contribute.go): Nexus or Bootstrap
// stores this Keeper's shard, overwriting any previous one. The wire format
// (Go's ShardPutRequest/ShardPutResponse) is protocol/messages.ts.
import type { ShardStore } from '../shard-store.js';
import { isAllZero } from '../../protocol/bytes.js';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../protocol/errors.js';
import { decodeContributeRequest, encodeContributeResponse, shardPutResponse } from '../../protocol/messages.js';
import { type KeeperPeerPolicy, type KeeperRequest, type KeeperResponse, validPeerId } from './route.js';

const fail = (status: number, code: string): KeeperResponse => ({ status, body: shardPutResponse.error(code) });

/** Guard: the peer must be Nexus or Bootstrap. */
export function guardContribute(policy: KeeperPeerPolicy, peerId: string | undefined): boolean {
  return validPeerId(peerId) && policy.mayContribute(peerId);
}

export function contributeRoute(store: ShardStore, policy: KeeperPeerPolicy) {
  return (req: KeeperRequest): KeeperResponse => {
    let shard: Uint8Array | null;
    try {
      ({ shard } = decodeContributeRequest(req.body));
    } catch {
      // Any body Go's json.Unmarshal would refuse is a 400 (the decoder zeroes what it read).
      return fail(400, API_BAD_REQUEST);
    }
    try {
      if (!guardContribute(policy, req.peerId)) return fail(401, ACCESS_UNAUTHORIZED);
      if (shard === null || isAllZero(shard)) return fail(400, API_BAD_REQUEST);
      store.set(shard);
      return { status: 200, body: encodeContributeResponse() };
    } finally {
      shard?.fill(0);
    }
  };
}
