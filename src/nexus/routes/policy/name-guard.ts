// Shared guard of policy get and delete: `{"id":"<policy name>"}` (the field
// is called id but carries the name), the caller needs `wants` on
// spike/system/acl (superuser, or a policy), and the name must be valid.
import type { NexusRouteName } from '../../../protocol/paths.js';
import type { Codec, PolicyIdRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import type { Permission } from '../../auth/permissions.js';
import { PATH_SYSTEM_ACL } from '../../auth/reserved.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidPolicyName } from '../validation.js';

export interface ValidPolicyName {
  caller: string;
  name: string;
}

export async function guardPolicyName(
  route: NexusRouteName,
  event: string,
  wants: Permission,
  codec: Codec<PolicyIdRequest>,
  req: RouteRequest,
  deps: RouteDeps,
): Promise<GuardResult<ValidPolicyName>> {
  const d = decodeBody(route, (b) => codec.decode(b), req.body);
  if (!d.ok) return d;
  const name = d.value.id;
  const caller = await authorizedCaller(req.peerId, PATH_SYSTEM_ACL, [wants], deps.state.store(), deps);
  if (caller === undefined) return unauthorized(route, event, deps, req.peerId, { name });
  if (!isValidPolicyName(name)) return badRequest(route);
  return pass({ caller, name });
}
