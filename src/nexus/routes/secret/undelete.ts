// Secret undelete (POST /v1/store/secrets?action=undelete): restores the
// listed deleted versions (none = current, or the highest deleted one when
// no version is live; 0 = current). 200 `{}`; 404 when the path does not
// exist or nothing was undeleted (upstream state/base/secret.go).
import { secretUndeleteResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeWrite } from '../store-call.js';
import { guardUndelete } from './undelete-guard.js';
import type { ValidVersions } from './versions-guard.js';

export function handleUndelete(v: ValidVersions, deps: RouteDeps): Promise<Reply> {
  return storeWrite(deps, { route: 'secretUndelete', event: 'secret_undelete', caller: v.caller, fields: { path: v.path, versions: v.versions } }, async (store) => {
    await store.grouped.undeleteSecretVersions(v.path, v.versions);
    return { status: 200, body: secretUndeleteResponse.encode({ err: '' }) };
  });
}

export function undeleteSecretRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'secretUndelete',
    badRequest: () => secretUndeleteResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardUndelete(req, deps);
      return g.ok ? handleUndelete(g.value, deps) : g.reply;
    },
  };
}
