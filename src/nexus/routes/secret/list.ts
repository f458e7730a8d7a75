// Secret list (POST /v1/store/secrets?action=list): every stored path,
// deleted ones included, sorted (Go sort.Strings) → 200 `{"keys":[…]}`,
// `{"keys":[]}` when none. A store failure is a 500 (upstream swallows it
// and answers an empty list).
import { secretListResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeCall } from '../store-call.js';
import { guardList, type ValidList } from './list-guard.js';

export function handleList(l: ValidList, deps: RouteDeps): Promise<Reply> {
  return storeCall(deps, { route: 'secretList', event: 'secret_list', caller: l.caller, fields: {} }, async (store) => {
    const keys = await store.listSecretPaths();
    return { status: 200, body: secretListResponse.encode({ keys, err: '' }) };
  });
}

export function listSecretsRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretList',
    badRequest: () => secretListResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardList(req, deps);
      return g.ok ? handleList(g.value, deps) : g.reply;
    },
  };
}
