// Policy delete guard: `write` on spike/system/acl (upstream AllowSPIFFEIDForPolicyDelete).
import { policyDeleteRequest } from '../../../protocol/messages.js';
import type { GuardResult, RouteDeps, RouteRequest } from '../route.js';
import { guardPolicyName, type ValidPolicyName } from './name-guard.js';

export const guardPolicyDelete = (req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidPolicyName>> =>
  guardPolicyName('policyDelete', 'policy_delete', 'write', policyDeleteRequest, req, deps);
