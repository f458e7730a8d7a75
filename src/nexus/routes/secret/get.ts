// Secret get (POST /v1/store/secrets?action=get): the values of a version
// (0 = current) → 200 `{"data":{…}}`; missing path or version, no live
// version, or a deleted one → 404 `{"data":null,"err":"api_not_found"}`.
// Values are never logged; the response buffer is zeroed after sending.
import { secretGetResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeCall } from '../store-call.js';
import { guardGet, type ValidGet } from './get-guard.js';

export function handleGet(g: ValidGet, deps: RouteDeps): Promise<Reply> {
  return storeCall(deps, { route: 'secretGet', event: 'secret_get', caller: g.caller, fields: { path: g.path, version: g.version } }, async (store) => {
    const data = await store.getSecret(g.path, g.version);
    return { status: 200, body: secretGetResponse.encode({ data, err: '' }), secret: true };
  });
}

export function getSecretRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretGet',
    badRequest: () => secretGetResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardGet(req, deps);
      return g.ok ? handleGet(g.value, deps) : g.reply;
    },
  };
}
