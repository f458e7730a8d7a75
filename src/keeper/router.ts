// Keeper dispatch (upstream-recovery.md §4.1): exact path + empty `action` +
// POST; anything else is the Fallback 400 `{"err":"api_bad_request"}`.
import type { ShardStore } from './shard-store.js';
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../protocol/errors.js';
import { encodeFallback } from './wire.js';
import { contributeRoute } from './routes/contribute.js';
import { shardRoute } from './routes/shard.js';
import type { KeeperPeerPolicy, KeeperRequest, KeeperResponse, KeeperRoute } from './routes/types.js';

export const KEEPER_CONTRIBUTE_PATH = '/v1/store/contribute';
export const KEEPER_SHARD_PATH = '/v1/store/shard';

export function fallback(): KeeperResponse {
  return { status: 400, body: encodeFallback(API_BAD_REQUEST) };
}

export interface KeeperRouter {
  /** Answers one request; never throws. Zeroes the request body. */
  handle(req: KeeperRequest): KeeperResponse & { route: string };
}

export function createKeeperRouter(store: ShardStore, policy: KeeperPeerPolicy): KeeperRouter {
  const routes = new Map<string, KeeperRoute>([
    [KEEPER_CONTRIBUTE_PATH, contributeRoute(store, policy)],
    [KEEPER_SHARD_PATH, shardRoute(store, policy)],
  ]);
  return {
    handle(req) {
      try {
        const route = req.method === 'POST' && req.action === '' ? routes.get(req.path) : undefined;
        if (route === undefined) return { ...fallback(), route: 'fallback' };
        return { ...route(req), route: req.path };
      } catch {
        // A route bug must never take the Keeper down nor leak details.
        return { status: 500, body: encodeFallback(API_INTERNAL_ERROR), route: req.path };
      } finally {
        req.body.fill(0);
      }
    },
  };
}
