// POST /v1/store/shard (upstream keeper route/store/shard.go): Nexus reads this Keeper's
// shard. An empty Keeper answers 400, never 200 with a null shard (which
// would crash a Go Nexus). The wire format (Go's ShardGetRequest/
// ShardGetResponse, whose `Err` key has no JSON tag) is protocol/messages.ts.
import type { ShardStore } from '../shard-store.js';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../protocol/errors.js';
import { encodeShardResponse, shardGetRequest, shardGetResponse } from '../../protocol/messages.js';
import { type KeeperPeerPolicy, type KeeperRequest, type KeeperResponse, validPeerId } from './route.js';

/** `{"shard":null,"Err":"<code>"}` */
const fail = (status: number, code: string): KeeperResponse => ({ status, body: shardGetResponse.error(code) });

/** Guard: the peer must be Nexus. */
export function guardShard(policy: KeeperPeerPolicy, peerId: string | undefined): boolean {
  return validPeerId(peerId) && policy.mayReadShard(peerId);
}

export function shardRoute(store: ShardStore, policy: KeeperPeerPolicy) {
  return (req: KeeperRequest): KeeperResponse => {
    try {
      // An empty struct: any object or null; anything Go's json.Unmarshal would refuse is a 400.
      shardGetRequest.decode(req.body);
    } catch {
      return fail(400, API_BAD_REQUEST);
    }
    if (!guardShard(policy, req.peerId)) return fail(401, ACCESS_UNAUTHORIZED);
    const shard = store.get();
    if (shard === undefined) return fail(400, API_BAD_REQUEST);
    try {
      return { status: 200, body: encodeShardResponse(shard) };
    } finally {
      shard.fill(0);
    }
  };
}
