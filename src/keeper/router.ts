// Keeper dispatch (upstream spike-sdk-go net/serve.go): POST + exact path + `action`
// as in protocol/paths.ts's KEEPER_ROUTES; anything else is the Fallback 400
// `{"err":"api_bad_request"}`.
import type { ShardStore } from './shard-store.js';
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../protocol/errors.js';
import { encodeErrorOnly } from '../protocol/messages.js';
import { KEEPER_ROUTES, findRoute, type KeeperRouteName } from '../protocol/paths.js';
import { contributeRoute } from './routes/contribute.js';
import { shardRoute } from './routes/shard.js';
import type { KeeperPeerPolicy, KeeperRequest, KeeperResponse, KeeperRoute } from './routes/route.js';

export function fallback(): KeeperResponse {
  return { status: 400, body: encodeErrorOnly(API_BAD_REQUEST) };
}

export interface KeeperRouter {
  /** Answers one request; never throws. Zeroes the request body. */
  handle(req: KeeperRequest): KeeperResponse & { route: string };
}

export function createKeeperRouter(store: ShardStore, policy: KeeperPeerPolicy): KeeperRouter {
  const routes: Record<KeeperRouteName, KeeperRoute> = {
    keeperContribute: contributeRoute(store, policy),
    keeperShard: shardRoute(store, policy),
  };
  return {
    handle(req) {
      try {
        const found = req.method === 'POST' ? findRoute(KEEPER_ROUTES, req.path, req.action) : undefined;
        if (found === undefined) return { ...fallback(), route: 'fallback' };
        return { ...routes[found.name](req), route: req.path };
      } catch {
        // A route bug must never take the Keeper down nor leak details.
        return { status: 500, body: encodeErrorOnly(API_INTERNAL_ERROR), route: req.path };
      } finally {
        req.body.fill(0);
      }
    },
  };
}
