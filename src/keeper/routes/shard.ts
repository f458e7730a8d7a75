// POST /v1/store/shard (upstream-recovery.md §4.6): Nexus reads this Keeper's
// shard. An empty Keeper answers 400, never 200 with a null shard (which
// would crash a Go Nexus).
import type { ShardStore } from '../shard-store.js';
import { decodeShardGetRequest, encodeShardGetResponse } from '../wire.js';
import { type KeeperPeerPolicy, type KeeperRequest, type KeeperResponse, validPeerId } from './types.js';

const BAD_REQUEST = 'api_bad_request';
const UNAUTHORIZED = 'access_unauthorized';

function fail(status: number, code: string): KeeperResponse {
  return { status, body: encodeShardGetResponse(undefined, code) };
}

/** Guard: the peer must be Nexus. */
export function guardShard(policy: KeeperPeerPolicy, peerId: string | undefined): boolean {
  return validPeerId(peerId) && policy.mayReadShard(peerId);
}

export function shardRoute(store: ShardStore, policy: KeeperPeerPolicy) {
  return (req: KeeperRequest): KeeperResponse => {
    try {
      decodeShardGetRequest(req.body);
    } catch {
      // Any body Go's json.Unmarshal would refuse (see wire.ts) is a 400.
      return fail(400, BAD_REQUEST);
    }
    if (!guardShard(policy, req.peerId)) return fail(401, UNAUTHORIZED);
    const shard = store.get();
    if (shard === undefined) return fail(400, BAD_REQUEST);
    try {
      return { status: 200, body: encodeShardGetResponse(shard, '') };
    } finally {
      shard.fill(0);
    }
  };
}
