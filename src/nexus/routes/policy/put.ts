// Policy put (POST /v1/acl/policy): create or replace the policy `name`
// (createdAt kept on replace, updatedAt = now). 200 `{}`. The compiled
// policy cache is dropped so the next check sees the change.
import { policyPutResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeWrite } from '../store-call.js';
import { guardPolicyPut, type ValidPolicyPut } from './put-guard.js';

export function handlePolicyPut(v: ValidPolicyPut, deps: RouteDeps): Promise<Reply> {
  const { name, spiffeIdPattern, pathPattern, permissions } = v.policy;
  return storeWrite(deps, { route: 'policyPut', event: 'policy_put', caller: v.caller, fields: { name } }, async (store) => {
    try {
      await store.grouped.putPolicy({ name, spiffeIdPattern, pathPattern, permissions });
    } finally {
      deps.policies.invalidate();
    }
    return { status: 200, body: policyPutResponse.encode({ id: '', err: '' }) };
  });
}

export function putPolicyRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'policyPut',
    badRequest: () => policyPutResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardPolicyPut(req, deps);
      return g.ok ? handlePolicyPut(g.value, deps) : g.reply;
    },
  };
}
