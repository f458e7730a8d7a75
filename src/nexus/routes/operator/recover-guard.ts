// Who may call /v1/operator/recover, and is the body valid
// (upstream-recovery.md §4.3 rows 1–5, in upstream's order).
import { API_BAD_REQUEST, ACCESS_UNAUTHORIZED } from '../../../protocol/errors.js';
import { isPilotRecover } from '../../../protocol/roles.js';
import { decodeRecoverRequest, encodeRecoverError, WireDecodeError } from '../../wire.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';

export function guardRecover(req: RouteRequest, deps: RouteDeps): GuardResult<{ caller: string }> {
  if (deps.backend === 'memory') return refuse(400, encodeRecoverError(API_BAD_REQUEST));
  try {
    decodeRecoverRequest(req.body);
  } catch (e) {
    if (e instanceof WireDecodeError) return refuse(400, encodeRecoverError(API_BAD_REQUEST));
    throw e;
  }
  if (!peerIs(req.peerId, isPilotRecover, deps.roots.pilot)) {
    deps.log.audit('recover', { caller: req.peerId ?? null, outcome: 'unauthorized' });
    return refuse(401, encodeRecoverError(ACCESS_UNAUTHORIZED));
  }
  return pass({ caller: req.peerId });
}
