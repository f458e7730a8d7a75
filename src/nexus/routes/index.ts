// The routes this Nexus serves, by upstream route name. Routes not built yet
// (delete, undelete, list, metadata, policies, cipher) answer 400 like any
// unknown route.
import type { NexusRouteName } from '../../protocol/paths.js';
import type { NexusRoute, RouteDeps } from './route.js';
import { recoverRoute } from './operator/recover.js';
import { restoreRoute } from './operator/restore.js';
import { verifyRoute } from './bootstrap/verify.js';
import { putSecretRoute } from './secret/put.js';
import { getSecretRoute } from './secret/get.js';

export function buildRoutes(deps: RouteDeps): ReadonlyMap<NexusRouteName, NexusRoute> {
  const routes = [recoverRoute(deps), restoreRoute(deps), verifyRoute(deps), putSecretRoute(deps), getSecretRoute(deps)];
  return new Map(routes.map((r) => [r.name, r]));
}
