// Policy delete (POST /v1/acl/policy?action=delete): 200 `{}`; an unknown
// name is a 404 `api_not_found` (upstream: 500). The compiled policy cache
// is dropped so the next check no longer sees the policy.
import { policyDeleteResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import { NotFoundError } from '../../store/index.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeWrite } from '../store-call.js';
import { guardPolicyDelete } from './delete-guard.js';
import type { ValidPolicyName } from './name-guard.js';

export function handlePolicyDelete(v: ValidPolicyName, deps: RouteDeps): Promise<Reply> {
  return storeWrite(deps, { route: 'policyDelete', event: 'policy_delete', caller: v.caller, fields: { name: v.name } }, async (store) => {
    let deleted: boolean;
    try {
      deleted = await store.grouped.deletePolicy(v.name);
    } finally {
      deps.policies.invalidate();
    }
    if (!deleted) throw new NotFoundError('no such policy');
    return { status: 200, body: policyDeleteResponse.encode({ err: '' }) };
  });
}

export function deletePolicyRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'policyDelete',
    badRequest: () => policyDeleteResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardPolicyDelete(req, deps);
      return g.ok ? handlePolicyDelete(g.value, deps) : g.reply;
    },
  };
}
