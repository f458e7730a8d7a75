// Secret put (POST /v1/store/secrets): a new version through the store.
// Values are never logged.
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../../../protocol/errors.js';
import { describeError } from '../../../common/log.js';
import { encodeSecretPutResponse } from '../../wire.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardPut, type ValidPut } from './put-guard.js';

export async function handlePut(p: ValidPut, deps: RouteDeps): Promise<Reply> {
  const store = deps.state.store();
  try {
    if (store === undefined) throw new Error('store is not open');
    await store.putSecret(p.path, p.values);
  } catch (e) {
    deps.log.error('secret put failed', { path: p.path, error: describeError(e) });
    deps.log.audit('secret_put', { caller: p.caller, path: p.path, outcome: 'internal_error' });
    return { status: 500, body: encodeSecretPutResponse(API_INTERNAL_ERROR) };
  }
  deps.log.audit('secret_put', { caller: p.caller, path: p.path, outcome: 'ok' });
  return { status: 200, body: encodeSecretPutResponse() };
}

export function putSecretRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretPut',
    badRequest: () => encodeSecretPutResponse(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = guardPut(req, deps);
      return g.ok ? handlePut(g.value, deps) : g.reply;
    },
  };
}
