// Policy get guard: `read` on spike/system/acl (upstream AllowSPIFFEIDForPolicyRead).
import { policyGetRequest } from '../../../protocol/messages.js';
import type { GuardResult, RouteDeps, RouteRequest } from '../route.js';
import { guardPolicyName, type ValidPolicyName } from './name-guard.js';

export const guardPolicyGet = (req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidPolicyName>> =>
  guardPolicyName('policyGet', 'policy_get', 'read', policyGetRequest, req, deps);
