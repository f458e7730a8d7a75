// Who may list secrets — superuser, or a policy granting `list` on the
// reserved path spike/system/secret (upstream AllowSPIFFEIDForSecretList;
// the policy must satisfy the reserved rule, auth/reserved.ts) — and is the body valid
// JSON (`{}`; fields are ignored).
import { secretListRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { PATH_SYSTEM_SECRET } from '../../auth/reserved.js';
import { type GuardResult, type RouteDeps, type RouteRequest, decodeBody, pass, unauthorized } from '../route.js';

export interface ValidList {
  caller: string;
}

export async function guardList(req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidList>> {
  const d = decodeBody('secretList', (b) => secretListRequest.decode(b), req.body);
  if (!d.ok) return d;
  const caller = await authorizedCaller(req.peerId, PATH_SYSTEM_SECRET, ['list'], deps.state.store(), deps);
  if (caller === undefined) return unauthorized('secretList', 'secret_list', deps, req.peerId, {});
  return pass({ caller });
}
