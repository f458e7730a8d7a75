// Secret put (POST /v1/store/secrets): a new version (the full map, no
// merge), pruned beyond SPIKE_NEXUS_MAX_SECRET_VERSIONS. 200 `{}`. Values
// are never logged.
import { secretPutResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeWrite } from '../store-call.js';
import { guardPut, type ValidPut } from './put-guard.js';

export function handlePut(p: ValidPut, deps: RouteDeps): Promise<Reply> {
  return storeWrite(deps, { route: 'secretPut', event: 'secret_put', caller: p.caller, fields: { path: p.path } }, async (store) => {
    await store.grouped.putSecret(p.path, p.values);
    return { status: 200, body: secretPutResponse.encode({ err: '' }) };
  });
}

export function putSecretRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretPut',
    badRequest: () => secretPutResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardPut(req, deps);
      return g.ok ? handlePut(g.value, deps) : g.reply;
    },
  };
}
