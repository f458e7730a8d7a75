// Who may call /v1/operator/recover, and is the body valid
// (upstream recover_intercept.go, in upstream's order).
import { API_BAD_REQUEST, ACCESS_UNAUTHORIZED } from '../../../protocol/errors.js';
import { isPilotRecover } from '../../../protocol/roles.js';
import { DecodeError, recoverRequest, recoverResponse } from '../../../protocol/messages.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';

export function guardRecover(req: RouteRequest, deps: RouteDeps): GuardResult<{ caller: string }> {
  if (deps.backend === 'memory') return refuse(400, recoverResponse.error(API_BAD_REQUEST));
  try {
    recoverRequest.decode(req.body);
  } catch (e) {
    if (e instanceof DecodeError) return refuse(400, recoverResponse.error(API_BAD_REQUEST));
    throw e;
  }
  if (!peerIs(req.peerId, isPilotRecover, deps.roots.pilot)) {
    deps.log.audit('recover', { caller: req.peerId ?? null, outcome: 'unauthorized' });
    return refuse(401, recoverResponse.error(ACCESS_UNAUTHORIZED));
  }
  return pass({ caller: req.peerId });
}
