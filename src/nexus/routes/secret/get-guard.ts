// Who may call secret get (for now: the Pilot superuser only), and is the
// body valid (upstream-secrets-policy.md §2.3).
import { API_BAD_REQUEST, ACCESS_UNAUTHORIZED } from '../../../protocol/errors.js';
import { isPilotOperator } from '../../../protocol/roles.js';
import { decodeSecretGetRequest, encodeSecretGetError, WireDecodeError } from '../../wire.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';
import { isValidSecretPath } from '../validation.js';

export interface ValidGet {
  caller: string;
  path: string;
  version: number;
}

export function guardGet(req: RouteRequest, deps: RouteDeps): GuardResult<ValidGet> {
  let path: string;
  let version: number;
  try {
    ({ path, version } = decodeSecretGetRequest(req.body));
  } catch (e) {
    if (e instanceof WireDecodeError) return refuse(400, encodeSecretGetError(API_BAD_REQUEST));
    throw e;
  }
  if (!peerIs(req.peerId, isPilotOperator, deps.roots.pilot)) {
    deps.log.audit('secret_get', { caller: req.peerId ?? null, path, outcome: 'unauthorized' });
    return refuse(401, encodeSecretGetError(ACCESS_UNAUTHORIZED));
  }
  if (!isValidSecretPath(path)) return refuse(400, encodeSecretGetError(API_BAD_REQUEST));
  return pass({ caller: req.peerId, path, version });
}
