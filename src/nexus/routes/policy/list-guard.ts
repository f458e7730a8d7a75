// Who may list policies — superuser, or a policy granting `list` on
// spike/system/acl (upstream AllowSPIFFEIDForPolicyList) — and is the body
// valid (`{"spiffeidPattern","pathPattern"}`, both optional; not validated,
// as upstream: they are compared, never compiled).
import { policyListRequest, type PolicyListRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { PATH_SYSTEM_ACL } from '../../auth/reserved.js';
import { type GuardResult, type RouteDeps, type RouteRequest, decodeBody, pass, unauthorized } from '../route.js';

export interface ValidPolicyList extends PolicyListRequest {
  caller: string;
}

export async function guardPolicyList(req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidPolicyList>> {
  const d = decodeBody('policyList', (b) => policyListRequest.decode(b), req.body);
  if (!d.ok) return d;
  const caller = await authorizedCaller(req.peerId, PATH_SYSTEM_ACL, ['list'], deps.state.store(), deps);
  if (caller === undefined) return unauthorized('policyList', 'policy_list', deps, req.peerId, {});
  return pass({ caller, ...d.value });
}
