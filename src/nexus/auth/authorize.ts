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
import { StoreUnavailableError } from '../store/errors.js';
import type { SecretsStore } from '../state/store-interface.js';
import { checkPolicyAccess } from './access.js';
import type { CompiledPolicy } from './compiled-policy.js';
import type { Permission } from './permissions.js';
import type { PolicyIndex } from './policy-index.js';

export interface AuthorizeDeps {
  roots: TrustRoots;
  policies: PolicyIndex;
  log: Logger;
}

/**
 * The caller's SPIFFE ID when `peerId` may act with `wants` on `path` (a
 * secret path or a reserved `spike/system/*` path), else undefined. Policies
 * are read from `store` (through the PolicyIndex) only for a caller that is
 * neither the superuser nor a lite workload.
 */
export async function authorizedCaller(
  peerId: string | undefined,
  path: string,
  wants: readonly Permission[],
  store: SecretsStore | undefined,
  deps: AuthorizeDeps,
): Promise<string | undefined> {
  if (peerId === undefined || !isWellFormedPeerId(peerId)) return undefined;
  if (isPilotOperator(peerId, deps.roots.pilot)) return peerId;
  if (isLiteWorkload(peerId, deps.roots.liteWorkload)) return undefined;
  if (store === undefined) return undefined;
  let mine: readonly CompiledPolicy[];
  try {
    mine = await deps.policies.policiesFor(store, peerId);
  } catch (e) {
    // The database out of reach (postgres) is no answer on the policies: the route answers 503 (server/app.ts).
    if (e instanceof StoreUnavailableError) throw e;
    // Upstream: a policy load error denies.
    deps.log.error('loading policies failed; access denied', { error: describeError(e) });
    return undefined;
  }
  return checkPolicyAccess(mine, peerId, path, wants, deps.log) ? peerId : undefined;
}
