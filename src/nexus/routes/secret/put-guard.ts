// Who may call secret put (for now: the Pilot superuser only), and is the
// body valid (upstream-secrets-policy.md §2.3: path, key names).
import { API_BAD_REQUEST, ACCESS_UNAUTHORIZED } from '../../../protocol/errors.js';
import { isPilotOperator } from '../../../protocol/roles.js';
import { decodeSecretPutRequest, encodeSecretPutResponse, WireDecodeError } from '../../wire.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, peerIs, refuse } from '../route.js';
import { isValidKeyName, isValidSecretPath } from '../validation.js';

export interface ValidPut {
  caller: string;
  path: string;
  values: Record<string, string>;
}

export function guardPut(req: RouteRequest, deps: RouteDeps): GuardResult<ValidPut> {
  let path: string;
  let values: Record<string, string> | undefined;
  try {
    ({ path, values } = decodeSecretPutRequest(req.body));
  } catch (e) {
    if (e instanceof WireDecodeError) return refuse(400, encodeSecretPutResponse(API_BAD_REQUEST));
    throw e;
  }
  if (!peerIs(req.peerId, isPilotOperator, deps.roots.pilot)) {
    deps.log.audit('secret_put', { caller: req.peerId ?? null, path, outcome: 'unauthorized' });
    return refuse(401, encodeSecretPutResponse(ACCESS_UNAUTHORIZED));
  }
  if (!isValidSecretPath(path)) return refuse(400, encodeSecretPutResponse(API_BAD_REQUEST));
  const v = values ?? {};
  for (const k of Object.keys(v)) if (!isValidKeyName(k)) return refuse(400, encodeSecretPutResponse(API_BAD_REQUEST));
  return pass({ caller: req.peerId, path, values: v });
}
