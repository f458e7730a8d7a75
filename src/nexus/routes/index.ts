// The routes this Nexus serves, by upstream route name. Routes not built
// here answer 400 like any unknown route.
import type { NexusRouteName } from '../../protocol/paths.js';
import type { NexusRoute, RouteDeps } from './route.js';
import { recoverRoute } from './operator/recover.js';
import { restoreRoute } from './operator/restore.js';
import { restoreResetRoute } from './operator/restore-reset.js';
import { rotateRoute } from './operator/rotate.js';
import { statusDepsFrom, statusRoute } from './operator/status.js';
import { verifyRoute } from './bootstrap/verify.js';
import { putSecretRoute } from './secret/put.js';
import { getSecretRoute } from './secret/get.js';
import { deleteSecretRoute } from './secret/delete.js';
import { undeleteSecretRoute } from './secret/undelete.js';
import { listSecretsRoute } from './secret/list.js';
import { getSecretMetadataRoute } from './secret/metadata-get.js';
import { putPolicyRoute } from './policy/put.js';
import { getPolicyRoute } from './policy/get.js';
import { deletePolicyRoute } from './policy/delete.js';
import { listPoliciesRoute } from './policy/list.js';
import { cipherRoutes } from './cipher/index.js';

export function buildRoutes(deps: RouteDeps): ReadonlyMap<NexusRouteName, NexusRoute> {
  const routes = [
    recoverRoute(deps),
    restoreRoute(deps),
    restoreResetRoute(deps),
    // spike-ts only (optional on the wire): restore progress, never values.
    statusRoute(statusDepsFrom(deps, deps.collector)),
    // spike-ts only: root-key rotation (superuser).
    rotateRoute(deps),
    verifyRoute(deps),
    putSecretRoute(deps),
    getSecretRoute(deps),
    deleteSecretRoute(deps),
    undeleteSecretRoute(deps),
    listSecretsRoute(deps),
    getSecretMetadataRoute(deps),
    putPolicyRoute(deps),
    getPolicyRoute(deps),
    deletePolicyRoute(deps),
    listPoliciesRoute(deps),
    ...cipherRoutes(deps),
  ];
  return new Map(routes.map((r) => [r.name, r]));
}
