// Policy get (POST /v1/acl/policy?action=get): 200 with data.Policy —
// `{"id":"","name","spiffiedPattern" (sic),"pathPattern","permissions","createdAt","updatedAt"}`.
// An unknown name is a 404 `api_not_found` (upstream: 500).
import { policyGetResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeCall } from '../store-call.js';
import { guardPolicyGet } from './get-guard.js';
import type { ValidPolicyName } from './name-guard.js';

export function handlePolicyGet(v: ValidPolicyName, deps: RouteDeps): Promise<Reply> {
  return storeCall(deps, { route: 'policyGet', event: 'policy_get', caller: v.caller, fields: { name: v.name } }, async (store) => {
    const p = await store.getPolicy(v.name);
    const body = policyGetResponse.encode({
      id: '',
      name: p.name,
      spiffeidPattern: p.spiffeIdPattern,
      pathPattern: p.pathPattern,
      permissions: [...p.permissions],
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      err: '',
    });
    return { status: 200, body };
  });
}

export function getPolicyRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'policyGet',
    badRequest: () => policyGetResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardPolicyGet(req, deps);
      return g.ok ? handlePolicyGet(g.value, deps) : g.reply;
    },
  };
}
