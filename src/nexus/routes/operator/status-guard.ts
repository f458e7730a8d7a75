// Who may call /v1/operator/status (spike-ts only; upstream has no such route
// and answers 400): any Pilot role — superuser, recover or restore — each
// matched exactly as the other routes match it (a superuser whose `spike
// secret` meets a not-ready Nexus is sent to `spike operator status`). The body is upstream's empty request: any JSON
// object or `null` (the Pilot sends `{}`).
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../../protocol/errors.js';
import { DecodeError, recoverRequest, statusResponse } from '../../../protocol/messages.js';
import { isPilotOperator, isPilotRecover, isPilotRestore } from '../../../protocol/roles.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';

/** `{"ready":false,"collected":0,"remaining":0,"threshold":0,"ids":null,"err":"<code>"}` */
export const statusError = (code: string): Buffer => statusResponse.error(code);

export const statusBadRequest = (): Buffer => statusError(API_BAD_REQUEST);

const isPilotRole = (id: string, roots: readonly string[]): boolean => isPilotOperator(id, roots) || isPilotRecover(id, roots) || isPilotRestore(id, roots);

export function guardStatus(req: RouteRequest, deps: Pick<RouteDeps, 'roots' | 'log'>): GuardResult<{ caller: string }> {
  try {
    // Upstream's empty request struct (reqres.RecoverRequest's shape).
    recoverRequest.decode(req.body);
  } catch (e) {
    if (e instanceof DecodeError) return refuse(400, statusBadRequest());
    throw e;
  }
  if (!peerIs(req.peerId, isPilotRole, deps.roots.pilot)) {
    deps.log.audit('status', { caller: req.peerId ?? null, outcome: 'unauthorized' });
    return refuse(401, statusError(ACCESS_UNAUTHORIZED));
  }
  return pass({ caller: req.peerId });
}
