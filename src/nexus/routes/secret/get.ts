// Secret get (POST /v1/store/secrets?action=get): the values of a version
// (0 = current) or 404 {"data":null,"err":"api_not_found"}. Values are never
// logged; the response buffer is zeroed after sending.
import { API_BAD_REQUEST, API_INTERNAL_ERROR, API_NOT_FOUND } from '../../../protocol/errors.js';
import { describeError } from '../../../common/log.js';
import { encodeSecretGetError, encodeSecretGetResponse } from '../../wire.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardGet, type ValidGet } from './get-guard.js';

export async function handleGet(g: ValidGet, deps: RouteDeps): Promise<Reply> {
  const store = deps.state.store();
  let data: Record<string, string> | undefined;
  try {
    if (store === undefined) throw new Error('store is not open');
    data = await store.getSecret(g.path, g.version);
  } catch (e) {
    deps.log.error('secret get failed', { path: g.path, error: describeError(e) });
    deps.log.audit('secret_get', { caller: g.caller, path: g.path, outcome: 'internal_error' });
    return { status: 500, body: encodeSecretGetError(API_INTERNAL_ERROR) };
  }
  if (data === undefined) {
    deps.log.audit('secret_get', { caller: g.caller, path: g.path, outcome: 'not_found' });
    return { status: 404, body: encodeSecretGetError(API_NOT_FOUND) };
  }
  deps.log.audit('secret_get', { caller: g.caller, path: g.path, outcome: 'ok' });
  return { status: 200, body: encodeSecretGetResponse(data), secret: true };
}

export function getSecretRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretGet',
    badRequest: () => encodeSecretGetError(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = guardGet(req, deps);
      return g.ok ? handleGet(g.value, deps) : g.reply;
    },
  };
}
