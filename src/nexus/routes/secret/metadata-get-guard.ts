// Who may read secret metadata — superuser, or a policy granting `read` on
// the path (upstream AllowSPIFFEIDForSecretMetaDataRead) — and is the body
// valid (`{"path","version"}`).
import { secretMetadataRequest } from '../../../protocol/messages.js';
import { authorizedCaller } from '../../auth/authorize.js';
import { type GuardResult, type RouteDeps, type RouteRequest, badRequest, decodeBody, pass, unauthorized } from '../route.js';
import { isValidSecretPath } from '../validation.js';
import type { ValidGet } from './get-guard.js';

export async function guardMetadataGet(req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidGet>> {
  const d = decodeBody('secretMetadataGet', (b) => secretMetadataRequest.decode(b), req.body);
  if (!d.ok) return d;
  const { path, version } = d.value;
  const caller = await authorizedCaller(req.peerId, path, ['read'], deps.state.store(), deps);
  if (caller === undefined) {
    return unauthorized('secretMetadataGet', 'secret_metadata_get', deps, req.peerId, { path });
  }
  if (!isValidSecretPath(path)) return badRequest('secretMetadataGet');
  return pass({ caller, path, version });
}
