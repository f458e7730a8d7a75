// Who may call /v1/operator/status (spike-ts only; upstream has no such route
// and answers 400): any Pilot role — superuser, recover or restore — each
// matched exactly as the other routes match it (a superuser whose `spike
// secret` meets a not-ready Nexus is sent to `spike operator status`). The body is upstream's empty request: any JSON
// object or `null` (the Pilot sends `{}`).
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../../protocol/errors.js';
import { DecodeError, recoverRequest, statusResponse } from '../../../protocol/messages.js';
import { isPilotOperator, isPilotRecover, isPilotRestore } from '../../../protocol/roles.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, refuse } from '../route.js';
import { forwardedCallerOf } from '../../restore/forward-guard.js';

/** `{"ready":false,"collected":0,"remaining":0,"threshold":0,"ids":null,"err":"<code>"}` */
export const statusError = (code: string): Buffer => statusResponse.error(code);

export const statusBadRequest = (): Buffer => statusError(API_BAD_REQUEST);

const isPilotRole = (id: string, roots: readonly string[]): boolean => isPilotOperator(id, roots) || isPilotRecover(id, roots) || isPilotRestore(id, roots);

export function guardStatus(req: RouteRequest, deps: Pick<RouteDeps, 'roots' | 'log'> & { forward?: unknown }): GuardResult<{ caller: string; via?: string }> {
  try {
    // Upstream's empty request struct (reqres.RecoverRequest's shape).
    recoverRequest.decode(req.body);
  } catch (e) {
    if (e instanceof DecodeError) return refuse(400, statusBadRequest());
    throw e;
  }
  // Several replicas: a replica asking the collector for its collection names the operator (docs/design.md § Restore through any replica).
  const forwarded = deps.forward === undefined ? undefined : req.forwardedCaller;
  const who = forwardedCallerOf(req.peerId, forwarded, { nexus: deps.roots.nexus, pilot: deps.roots.pilot }, isPilotRole);
  if (!who.ok) {
    deps.log.audit('status', { caller: who.caller, ...(who.via === undefined ? {} : { via: who.via }), outcome: 'unauthorized' });
    return refuse(401, statusError(ACCESS_UNAUTHORIZED));
  }
  return pass({ caller: who.caller, ...(who.via === undefined ? {} : { via: who.via }) });
}
