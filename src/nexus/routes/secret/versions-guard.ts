// Shared guard of secret delete and undelete — superuser, or a policy
// granting `write` on the path (upstream AllowSPIFFEIDForSecretDelete /
// Undelete) — and is the body valid (`{"path","versions"}`; null or [] =
// the current version; 0 = the current version).
import type { NexusRouteName } from '../../../protocol/paths.js';
import type { Codec, SecretVersionsRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidSecretPath } from '../validation.js';

export interface ValidVersions {
  caller: string;
  path: string;
  versions: number[];
}

export async function guardVersions(
  route: NexusRouteName,
  event: string,
  codec: Codec<SecretVersionsRequest>,
  req: RouteRequest,
  deps: RouteDeps,
): Promise<GuardResult<ValidVersions>> {
  const d = decodeBody(route, (b) => codec.decode(b), req.body);
  if (!d.ok) return d;
  const { path } = d.value;
  const caller = await authorizedCaller(req.peerId, path, ['write'], deps.state.store(), deps);
  if (caller === undefined) return unauthorized(route, event, deps, req.peerId, { path });
  if (!isValidSecretPath(path)) return badRequest(route);
  return pass({ caller, path, versions: d.value.versions ?? [] });
}
