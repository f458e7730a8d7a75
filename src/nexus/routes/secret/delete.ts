// Secret delete (POST /v1/store/secrets?action=delete): soft-deletes the
// listed versions (none or 0 = current; unknown versions ignored), then
// current = highest live version (0 if none). 200 `{}`; 404 when the path
// does not exist (upstream state/base/secret.go).
import { secretDeleteResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeWrite } from '../store-call.js';
import { guardDelete } from './delete-guard.js';
import type { ValidVersions } from './versions-guard.js';

export function handleDelete(v: ValidVersions, deps: RouteDeps): Promise<Reply> {
  return storeWrite(deps, { route: 'secretDelete', event: 'secret_delete', caller: v.caller, fields: { path: v.path, versions: v.versions } }, async (store) => {
    await store.grouped.deleteSecretVersions(v.path, v.versions);
    return { status: 200, body: secretDeleteResponse.encode({ err: '' }) };
  });
}

export function deleteSecretRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretDelete',
    badRequest: () => secretDeleteResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardDelete(req, deps);
      return g.ok ? handleDelete(g.value, deps) : g.reply;
    },
  };
}
