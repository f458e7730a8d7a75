// The early, coarse authorization of a Nexus request: from the peer SPIFFE
// ID and the route alone (path + action, before the body is read), can this
// caller possibly be allowed? A caller that cannot is refused with the answer
// the route's guard would give it for any well-formed body (401 and the
// route's Unauthorized body; 400 for the operator routes a memory backend
// does not serve), so a caller with no permission cannot make Nexus read or
// parse up to a whole body limit (docs/design.md § Limits).
//
// It never refuses what a guard would allow: roles are matched exactly as
// the guards match them; for the policy routes and secret list, whose path is
// fixed, it asks the guards' own question (the caller's policies on the reserved path;
// the cipher routes too, where lite workloads are let through);
// for the secret routes whose path is in the body it asks whether at least
// one policy matches the caller's ID and grants the route's permission (on
// some path). The guards still run in full on every request that passes.
// Answers per (route, ID) are cached for the current compiled policy set
// (PolicyIndex hands out a new array whenever policies change). With the
// policies loaded the answer is synchronous; otherwise it is a promise that
// settles once PolicyIndex has loaded them from the store (the request waits
// for it, its body still unread).
import type { NexusRouteName } from '../../protocol/paths.js';
import type { TrustRoots } from '../../protocol/config/shared.js';
import { ACCESS_UNAUTHORIZED, API_BAD_REQUEST } from '../../protocol/errors.js';
import { errorBodyFor } from '../../protocol/messages.js';
import {
  isBootstrap,
  isLiteWorkload,
  isPilotOperator,
  isPilotRecover,
  isPilotRestore,
  isNexus,
  isWellFormedPeerId,
} from '../../protocol/roles.js';
import { createLogger, type Logger } from '../../common/log.js';
import type { SecretsStore } from '../state/store-interface.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { NexusBackend } from '../config.js';
import { checkPolicyAccess } from './access.js';
import { BoundedCache } from './bounded-cache.js';
import type { CompiledPolicy } from './compiled-policy.js';
import { grants, type Permission } from './permissions.js';
import type { PolicyIndex } from './policy-index.js';
import { PATH_SYSTEM_ACL, PATH_SYSTEM_CIPHER_EXEC, PATH_SYSTEM_SECRET } from './reserved.js';

export interface EarlyFilterDeps {
  roots: TrustRoots;
  backend: NexusBackend;
  policies: PolicyIndex;
  state: { store(): SecretsStore | undefined };
  log: Logger;
}

/**
 * Undefined: the caller may possibly be allowed (the guard decides).
 * Otherwise the refusal to send, and the audit event and outcome the guard
 * would have logged for it (so the audit trail reads the same).
 */
export type EarlyRefusal = { readonly status: number; readonly body: Buffer; readonly audit?: { readonly event: string; readonly outcome: string } } | undefined;

/** The guards' audit events for an unauthorized caller, by route. */
const AUDIT: Partial<Record<NexusRouteName, { event: string; outcome: string }>> = {
  secretPut: { event: 'secret_put', outcome: 'unauthorized' },
  secretGet: { event: 'secret_get', outcome: 'unauthorized' },
  secretDelete: { event: 'secret_delete', outcome: 'unauthorized' },
  secretUndelete: { event: 'secret_undelete', outcome: 'unauthorized' },
  secretList: { event: 'secret_list', outcome: 'unauthorized' },
  secretMetadataGet: { event: 'secret_metadata_get', outcome: 'unauthorized' },
  policyPut: { event: 'policy_put', outcome: 'unauthorized' },
  policyGet: { event: 'policy_get', outcome: 'unauthorized' },
  policyDelete: { event: 'policy_delete', outcome: 'unauthorized' },
  policyList: { event: 'policy_list', outcome: 'unauthorized' },
  operatorRecover: { event: 'recover', outcome: 'unauthorized' },
  operatorRestore: { event: 'restore', outcome: 'unauthorized' },
  operatorRestoreReset: { event: 'restore', outcome: 'reset_unauthorized' },
  operatorStatus: { event: 'status', outcome: 'unauthorized' },
  operatorRotate: { event: 'rotate', outcome: 'unauthorized' },
  bootstrapVerify: { event: 'bootstrap_verify', outcome: 'unauthorized' },
  cipherEncrypt: { event: 'cipher_encrypt', outcome: 'unauthorized' },
  cipherDecrypt: { event: 'cipher_decrypt', outcome: 'unauthorized' },
};

/** Cached (route, ID) verdicts per policy set. */
const CACHE_ENTRIES = 4096;

type PolicyRule =
  /** The permission is checked on this fixed path, exactly as the guard does. */
  | { kind: 'fixed'; path: string; wants: Permission }
  /** The path is in the body: some policy for this ID must grant `wants`. */
  | { kind: 'any-path'; wants: Permission };

const POLICY_RULES: Partial<Record<NexusRouteName, PolicyRule>> = {
  secretGet: { kind: 'any-path', wants: 'read' },
  secretMetadataGet: { kind: 'any-path', wants: 'read' },
  secretPut: { kind: 'any-path', wants: 'write' },
  secretDelete: { kind: 'any-path', wants: 'write' },
  secretUndelete: { kind: 'any-path', wants: 'write' },
  secretList: { kind: 'fixed', path: PATH_SYSTEM_SECRET, wants: 'list' },
  policyPut: { kind: 'fixed', path: PATH_SYSTEM_ACL, wants: 'write' },
  policyGet: { kind: 'fixed', path: PATH_SYSTEM_ACL, wants: 'read' },
  policyDelete: { kind: 'fixed', path: PATH_SYSTEM_ACL, wants: 'write' },
  policyList: { kind: 'fixed', path: PATH_SYSTEM_ACL, wants: 'list' },
  cipherEncrypt: { kind: 'fixed', path: PATH_SYSTEM_CIPHER_EXEC, wants: 'execute' },
  cipherDecrypt: { kind: 'fixed', path: PATH_SYSTEM_CIPHER_EXEC, wants: 'execute' },
};

/** Routes a lite workload may call (upstream predicate/cipher.go); every other is refused to it. */
const LITE_ALLOWED: ReadonlySet<NexusRouteName> = new Set(['cipherEncrypt', 'cipherDecrypt']);

type RoleRule = (id: string, roots: TrustRoots, backend: NexusBackend) => boolean;

const ROLE_RULES: Partial<Record<NexusRouteName, RoleRule>> = {
  operatorRecover: (id, r) => isPilotRecover(id, r.pilot),
  // PostgreSQL: Nexus may be another replica forwarding an operator's call; the guard checks the operator (docs/design.md § Restore through any replica).
  operatorRestore: (id, r, backend) => isPilotRestore(id, r.pilot) || (backend === 'postgres' && isNexus(id, r.nexus)),
  operatorRestoreReset: (id, r, backend) => isPilotRestore(id, r.pilot) || (backend === 'postgres' && isNexus(id, r.nexus)),
  operatorStatus: (id, r, backend) =>
    isPilotOperator(id, r.pilot) || isPilotRecover(id, r.pilot) || isPilotRestore(id, r.pilot) || (backend === 'postgres' && isNexus(id, r.nexus)),
  operatorRotate: (id, r) => isPilotOperator(id, r.pilot),
  bootstrapVerify: (id, r) => isBootstrap(id, r.bootstrap),
};

/** Routes the memory backend answers with 400 whoever calls (nothing to recover or restore). */
const MEMORY_BAD_REQUEST: ReadonlySet<NexusRouteName> = new Set(['operatorRecover', 'operatorRestore', 'operatorRestoreReset']);

/** Whether some policy matching `id` grants `wants` (on some path). */
function someGrant(policies: readonly CompiledPolicy[], id: string, wants: Permission): boolean {
  return policies.some((p) => grants(p.permissions, [wants]) && p.spiffeIdRegex.test(id));
}

export interface EarlyFilter {
  /**
   * The refusal for `peerId` on `route`, or undefined when the guard must decide;
   * a promise of it when the policies must be loaded from the store first (it never rejects).
   */
  check(route: NexusRouteName, peerId: string | undefined): EarlyRefusal | Promise<EarlyRefusal>;
}

export function createEarlyFilter(deps: EarlyFilterDeps): EarlyFilter {
  let cachedFor: readonly CompiledPolicy[] | undefined;
  const cache = new BoundedCache<boolean>(CACHE_ENTRIES, CACHE_ENTRIES);
  // The guard logs (warnings on ignored policies); the filter's own pass must not repeat them.
  const quiet = createLogger({ component: 'nexus', level: 'error', out: () => {}, auditOut: () => {} });

  const unauthorized = (route: NexusRouteName): EarlyRefusal => {
    const audit = AUDIT[route];
    return { status: 401, body: errorBodyFor(route, ACCESS_UNAUTHORIZED), ...(audit !== undefined ? { audit } : {}) };
  };

  /** `id` is well formed, neither the superuser nor a lite workload (check() decided those). */
  const policyPossible = (route: NexusRouteName, rule: PolicyRule, id: string): boolean | Promise<boolean> => {
    const store = deps.state.store();
    if (store === undefined) return false; // the guard denies too
    const loaded = deps.policies.loaded(store);
    if (loaded !== undefined) return verdict(loaded, route, rule, id);
    return deps.policies.policies(store).then(
      (policies) => verdict(policies, route, rule, id),
      // upstream: a policy load error denies (the guard logs it); the database out of reach: the guard answers 503
      (e: unknown) => e instanceof StoreUnavailableError,
    );
  };

  const verdict = (policies: readonly CompiledPolicy[], route: NexusRouteName, rule: PolicyRule, id: string): boolean => {
    if (policies !== cachedFor) {
      cache.clear();
      cachedFor = policies;
    }
    const key = `${route}\u0000${id}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    // checkPolicyAccess tests each policy's ID pattern itself: the guard's answer on the fixed path.
    const allowed = rule.kind === 'fixed' ? checkPolicyAccess(policies, id, rule.path, [rule.wants], quiet) : someGrant(policies, id, rule.wants);
    cache.set(key, allowed, 1);
    return allowed;
  };

  return {
    check(route, peerId) {
      if (deps.backend === 'memory' && MEMORY_BAD_REQUEST.has(route)) return { status: 400, body: errorBodyFor(route, API_BAD_REQUEST) };
      if (peerId === undefined || !isWellFormedPeerId(peerId)) return unauthorized(route);
      const role = ROLE_RULES[route];
      if (role !== undefined) return role(peerId, deps.roots, deps.backend) ? undefined : unauthorized(route);
      const rule = POLICY_RULES[route];
      if (rule === undefined) return undefined; // not a route we know how to pre-judge: the guard decides
      if (isPilotOperator(peerId, deps.roots.pilot)) return undefined;
      if (isLiteWorkload(peerId, deps.roots.liteWorkload)) return LITE_ALLOWED.has(route) ? undefined : unauthorized(route);
      const possible = policyPossible(route, rule, peerId);
      if (typeof possible === 'boolean') return possible ? undefined : unauthorized(route);
      return possible.then((ok) => (ok ? undefined : unauthorized(route)));
    },
  };
}
