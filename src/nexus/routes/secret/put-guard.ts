// Who may call secret put — superuser, or a policy granting `write` on the
// path (upstream AllowSPIFFEIDForSecretWrite) — and is the body valid
// (upstream's checks: path, key names).
import { secretPutRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidKeyName, isValidSecretPath } from '../validation.js';

export interface ValidPut {
  caller: string;
  path: string;
  values: Record<string, string>;
}

export async function guardPut(req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidPut>> {
  const d = decodeBody('secretPut', (b) => secretPutRequest.decode(b), req.body);
  if (!d.ok) return d;
  const { path } = d.value;
  const caller = await authorizedCaller(req.peerId, path, ['write'], deps.state.store(), deps);
  if (caller === undefined) return unauthorized('secretPut', 'secret_put', deps, req.peerId, { path });
  if (!isValidSecretPath(path)) return badRequest('secretPut');
  const values = d.value.values ?? {};
  for (const k of Object.keys(values)) if (!isValidKeyName(k)) return badRequest('secretPut');
  return pass({ caller, path, values });
}
