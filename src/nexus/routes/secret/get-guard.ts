// Who may call secret get — superuser, or a policy granting `read` on the
// path (upstream AllowSPIFFEIDForSecretRead) — and is the body valid.
import { secretGetRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidSecretPath } from '../validation.js';

export interface ValidGet {
  caller: string;
  path: string;
  version: number;
}

export async function guardGet(req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidGet>> {
  const d = decodeBody('secretGet', (b) => secretGetRequest.decode(b), req.body);
  if (!d.ok) return d;
  const { path, version } = d.value;
  const caller = await authorizedCaller(req.peerId, path, ['read'], deps.state.store(), deps);
  if (caller === undefined) return unauthorized('secretGet', 'secret_get', deps, req.peerId, { path });
  if (!isValidSecretPath(path)) return badRequest('secretGet');
  return pass({ caller, path, version });
}
