// POST /v1/store/shard (upstream-recovery.md §4.6): Nexus reads this Keeper's
// shard. An empty Keeper answers 400, never 200 with a null shard (which
// would crash a Go Nexus).
import type { ShardStore } from '../shard-store.js';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../protocol/errors.js';
import { decodeShardGetRequest, encodeShard } from '../wire.js';
import { type KeeperPeerPolicy, type KeeperRequest, type KeeperResponse, validPeerId } from './types.js';

const BAD_REQUEST = API_BAD_REQUEST;
const UNAUTHORIZED = ACCESS_UNAUTHORIZED;

function fail(status: number, code: string): KeeperResponse {
  return { status, body: encodeShard(undefined, code) };
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
      return { status: 200, body: encodeShard(shard) };
    } finally {
      shard.fill(0);
    }
  };
}
