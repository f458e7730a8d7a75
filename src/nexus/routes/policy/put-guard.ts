// Who may create or replace a policy — superuser, or a policy granting
// `write` on spike/system/acl (upstream AllowSPIFFEIDForPolicyWrite) — and is
// the policy valid: name, SPIFFE ID pattern and path pattern syntax,
// permissions (each read|write|list|execute|super, at least one), both
// patterns compile under our rules (auth/pattern.ts), and the reserved
// spike/system/* rule holds. Every refusal is a 400 (upstream answers 500
// for patterns that do not compile and for the reserved rule).
import { policyPutRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { compilePolicy, type CompiledPolicy } from '../../auth/compiled-policy.js';
import { PatternError } from '../../auth/pattern.js';
import { isPermission } from '../../auth/permissions.js';
import { PATH_SYSTEM_ACL, reservedViolation } from '../../auth/reserved.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidPathPattern, isValidPolicyName, isValidSpiffeIdPattern } from '../validation.js';

export interface ValidPolicyPut {
  caller: string;
  policy: CompiledPolicy;
}

export async function guardPolicyPut(req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidPolicyPut>> {
  const d = decodeBody('policyPut', (b) => policyPutRequest.decode(b), req.body);
  if (!d.ok) return d;
  const { name, spiffeidPattern, pathPattern, permissions } = d.value;
  const caller = await authorizedCaller(req.peerId, PATH_SYSTEM_ACL, ['write'], deps.state.store(), deps);
  if (caller === undefined) {
    return unauthorized('policyPut', 'policy_put', deps, req.peerId, { name });
  }
  const refuse = (reason: string): GuardResult<never> => {
    deps.log.info('policy refused', { name, reason });
    deps.log.audit('policy_put', { caller: req.peerId ?? null, name, outcome: 'bad_request', reason });
    return badRequest('policyPut');
  };
  if (!isValidPolicyName(name)) return refuse('invalid name');
  if (!isValidSpiffeIdPattern(spiffeidPattern)) return refuse('invalid SPIFFE ID pattern');
  if (!isValidPathPattern(pathPattern)) return refuse('invalid path pattern');
  if (permissions === null || permissions.length === 0) return refuse('no permissions');
  if (!permissions.every(isPermission)) return refuse('invalid permission');
  let policy: CompiledPolicy;
  try {
    policy = compilePolicy({ name, spiffeIdPattern: spiffeidPattern, pathPattern, permissions });
  } catch (e) {
    if (e instanceof PatternError) return refuse(e.message); // names the pattern and Go's reason
    throw e;
  }
  const reserved = reservedViolation(policy, policy.pathRegex);
  if (reserved !== undefined) {
    return refuse(`reaches the reserved system path ${reserved} only by substring match; anchor both patterns with ^ and $ to grant access there deliberately`);
  }
  return pass({ caller, policy });
}
