// Secret undelete guard (write on the path), see versions-guard.ts.
import { secretUndeleteRequest } from '../../../protocol/messages.js';
import type { GuardResult, RouteDeps, RouteRequest } from '../route.js';
import { guardVersions, type ValidVersions } from './versions-guard.js';

export const guardUndelete = (req: RouteRequest, deps: RouteDeps): Promise<GuardResult<ValidVersions>> =>
  guardVersions('secretUndelete', 'secret_undelete', secretUndeleteRequest, req, deps);
