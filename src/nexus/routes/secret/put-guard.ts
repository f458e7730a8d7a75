// Who may call secret put — superuser, or a policy granting `write` on the
// path (upstream AllowSPIFFEIDForSecretWrite) — and is the body valid
// (upstream's checks: path, key names).
import { secretPutRequest } from '../../../protocol/messages.js';
import { mayAccess } from '../../auth/authorize.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidKeyName, isValidSecretPath } from '../validation.js';

export interface ValidPut {
  caller: string;
  path: string;
  values: Record<string, string>;
}

export function guardPut(req: RouteRequest, deps: RouteDeps): GuardResult<ValidPut> {
  const d = decodeBody('secretPut', (b) => secretPutRequest.decode(b), req.body);
  if (!d.ok) return d;
  const { path } = d.value;
  if (!mayAccess(req.peerId, path, ['write'], deps.state.store(), deps)) return unauthorized('secretPut', 'secret_put', deps, req.peerId, { path });
  if (!isValidSecretPath(path)) return badRequest('secretPut');
  const values = d.value.values ?? {};
  for (const k of Object.keys(values)) if (!isValidKeyName(k)) return badRequest('secretPut');
  return pass({ caller: req.peerId, path, values });
}
