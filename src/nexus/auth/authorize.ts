// Per-route authorization of the secret and policy routes (upstream
// spike-sdk-go predicate/secret.go, policy.go and
// the route guards): a well-formed peer ID (else 401), then the Pilot superuser is
// allowed everything, a lite workload nothing, anyone else what a policy
// grants on the route's path. Recover, restore and bootstrap verify have
// their own role-only guards and never consult policies.
import type { TrustRoots } from '../../protocol/config/shared.js';
import { isLiteWorkload, isPilotOperator, isWellFormedPeerId } from '../../protocol/roles.js';
import type { Logger } from '../../common/log.js';
import { describeError } from '../../common/log.js';
import type { SecretsStore } from '../state/store-interface.js';
import { checkPolicyAccess } from './access.js';
import type { Permission } from './permissions.js';
import type { PolicyIndex } from './policy-index.js';

export interface AuthorizeDeps {
  roots: TrustRoots;
  policies: PolicyIndex;
  log: Logger;
}

/** Whether `peerId` may act with `wants` on `path` (a secret path or a reserved `spike/system/*` path). */
export function mayAccess(
  peerId: string | undefined,
  path: string,
  wants: readonly Permission[],
  store: SecretsStore | undefined,
  deps: AuthorizeDeps,
): peerId is string {
  if (peerId === undefined || !isWellFormedPeerId(peerId)) return false;
  if (isPilotOperator(peerId, deps.roots.pilot)) return true;
  if (isLiteWorkload(peerId, deps.roots.liteWorkload)) return false;
  if (store === undefined) return false;
  try {
    return checkPolicyAccess(deps.policies.policiesFor(store, peerId), peerId, path, wants, deps.log);
  } catch (e) {
    // Upstream: a policy load error denies.
    deps.log.error('loading policies failed; access denied', { error: describeError(e) });
    return false;
  }
}
