// Who may call /v1/operator/rotate (spike-ts only), and is the body valid:
// the body is the empty request (any JSON object or `null`, like recover's)
// → else 400 api_bad_request; the caller must be the Pilot superuser → else
// 401 access_unauthorized (audited); a backend without a root-keyed store
// (memory, lite) → 400 rotation_unsupported (after authorization, so a
// refused caller learns nothing about the backend). SQLite and PostgreSQL rotate.
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST, ROTATION_UNSUPPORTED } from '../../../protocol/errors.js';
import { isPilotOperator } from '../../../protocol/roles.js';
import { DecodeError, rotateRequest, rotateResponse } from '../../../protocol/messages.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';

export const rotateBadRequest = (): Buffer => rotateResponse.error(API_BAD_REQUEST);

export function guardRotate(req: RouteRequest, deps: Pick<RouteDeps, 'roots' | 'log' | 'backend'>): GuardResult<{ caller: string }> {
  try {
    rotateRequest.decode(req.body);
  } catch (e) {
    if (e instanceof DecodeError) return refuse(400, rotateBadRequest());
    throw e;
  }
  if (!peerIs(req.peerId, isPilotOperator, deps.roots.pilot)) {
    deps.log.audit('rotate', { caller: req.peerId ?? null, outcome: 'unauthorized' });
    return refuse(401, rotateResponse.error(ACCESS_UNAUTHORIZED));
  }
  if (deps.backend !== 'sqlite' && deps.backend !== 'postgres') {
    deps.log.audit('rotate', { caller: req.peerId, outcome: 'unsupported', backend: deps.backend });
    return refuse(400, rotateResponse.error(ROTATION_UNSUPPORTED));
  }
  return pass({ caller: req.peerId });
}
