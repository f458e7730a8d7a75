// Upstream's policy check (upstream spike
// state/base/policy.go CheckPolicyAccess): any policy whose SPIFFE ID regex
// matches the peer and whose path regex matches the path (both unanchored
// unless anchored by the pattern) grants its permissions; on a reserved
// `spike/system/*` path only policies that satisfy the reserved rule count.
import type { Logger } from '../../common/log.js';
import type { CompiledPolicy } from './compiled-policy.js';
import { grants, type Permission } from './permissions.js';
import { isReservedPath, mayReachReserved } from './reserved.js';

export function checkPolicyAccess(
  policies: readonly CompiledPolicy[],
  peerId: string,
  path: string,
  wants: readonly Permission[],
  log?: Logger,
): boolean {
  const reserved = isReservedPath(path);
  for (const p of policies) {
    if (!p.spiffeIdRegex.test(peerId) || !p.pathRegex.test(path)) continue;
    if (reserved && !mayReachReserved(p, path)) {
      log?.warn('policy ignored for a reserved path: it reaches it only by substring match', { policy: p.name, path });
      continue;
    }
    if (grants(p.permissions, wants)) return true;
  }
  return false;
}
