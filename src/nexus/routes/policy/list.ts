// Policy list (POST /v1/acl/policy?action=list): a non-empty
// `spiffeidPattern` keeps the policies whose stored SPIFFE ID pattern equals
// it, else a non-empty `pathPattern` those whose path pattern equals it
// (exact string equality, as upstream), else all. 200
// `{"policies":[{"id":"","name":"…"},…]}` (upstream's PolicyListItem), `[]`
// when none; sorted by name (upstream: map order).
import { goEncode } from '../../../gocompat/json/encode.js';
import { policyListResponse } from '../../../protocol/messages.js';
import { API_BAD_REQUEST } from '../../../protocol/errors.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { storeCall } from '../store-call.js';
import { guardPolicyList, type ValidPolicyList } from './list-guard.js';

/** `{"policies":[{"id":"","name":…},…]}` */
export function encodePolicyListItems(names: readonly string[]): Buffer {
  return goEncode((w) =>
    w.object([
      [
        'policies',
        (x) =>
          x.array(names, (y, name) =>
            y.object([
              ['id', (z) => z.string('')],
              ['name', (z) => z.string(name)],
            ]),
          ),
      ],
    ]),
  );
}

export function handlePolicyList(v: ValidPolicyList, deps: RouteDeps): Promise<Reply> {
  return storeCall(deps, { route: 'policyList', event: 'policy_list', caller: v.caller, fields: {} }, async (store) => {
    const all = await store.listPolicies();
    const kept =
      v.spiffeidPattern !== ''
        ? all.filter((p) => p.spiffeIdPattern === v.spiffeidPattern)
        : v.pathPattern !== ''
          ? all.filter((p) => p.pathPattern === v.pathPattern)
          : all;
    return { status: 200, body: encodePolicyListItems(kept.map((p) => p.name)) };
  });
}

export function listPoliciesRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'policyList',
    badRequest: () => policyListResponse.error(API_BAD_REQUEST),
    handle: async (req: RouteRequest) => {
      const g = await guardPolicyList(req, deps);
      return g.ok ? handlePolicyList(g.value, deps) : g.reply;
    },
  };
}
