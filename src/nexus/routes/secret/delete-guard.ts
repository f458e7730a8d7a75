// Secret delete guard (write on the path), see versions-guard.ts.
import { secretDeleteRequest } from '../../../protocol/messages.js';
import type { GuardResult, RouteDeps, RouteRequest } from '../route.js';
import { guardVersions, type ValidVersions } from './versions-guard.js';

export const guardDelete = (req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidVersions>> =>
  guardVersions('secretDelete', 'secret_delete', secretDeleteRequest, req, deps);
