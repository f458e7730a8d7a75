// Who is the caller of a restore call that may have been forwarded by another
// Nexus replica (docs/design.md § Restore through any replica).
//
// A replica that does not collect forwards the operator's call, body as
// received, to the collecting replica over mTLS with its own SVID, and names
// the operator in FORWARDED_CALLER_HEADER. The collector believes that header
// only from a peer whose own SVID is Nexus's ID; from anyone else the header
// is ignored and the TLS peer is the caller, exactly as for a direct call.
// Either way the restore role is checked on the ORIGINAL caller: a Nexus ID
// itself never has it, so a forwarded call without the header is refused.
import { isNexus, isPilotRestore, isWellFormedPeerId } from '../../protocol/roles.js';

/** Set only by a forwarding Nexus replica; lower-case (Node's header names). */
export const FORWARDED_CALLER_HEADER = 'x-spike-forwarded-caller';

export interface RestoreCallerRoots {
  readonly nexus: readonly string[];
  readonly pilot: readonly string[];
}

/** The caller a restore call acts for, and the replica that forwarded it (if any). */
export type RestoreCaller =
  | { readonly ok: true; readonly caller: string; readonly via?: string }
  | {
      readonly ok: false;
      /** What the audit line names as caller: a well-formed ID, or null. */
      readonly caller: string | null;
      readonly via?: string;
      readonly why: 'not_restore_role' | 'forwarded_without_caller' | 'forwarded_caller_malformed';
    };

/**
 * `peerId`: the verified SPIFFE ID of the TLS peer; `forwarded`: the raw
 * FORWARDED_CALLER_HEADER value(s) as Node parsed them.
 */
export function restoreCallerOf(
  peerId: string | undefined,
  forwarded: string | readonly string[] | undefined,
  roots: RestoreCallerRoots,
): RestoreCaller {
  return forwardedCallerOf(peerId, forwarded, roots, isPilotRestore);
}

/**
 * The same rule for any route a replica forwards to the collector (restore,
 * its reset, status): `allowed` is the route's own role check, applied to
 * the original caller.
 */
export function forwardedCallerOf(
  peerId: string | undefined,
  forwarded: string | readonly string[] | undefined,
  roots: RestoreCallerRoots,
  allowed: (id: string, pilotRoots: readonly string[]) => boolean,
): RestoreCaller {
  const wellFormedPeer = peerId !== undefined && isWellFormedPeerId(peerId) ? peerId : undefined;
  if (wellFormedPeer !== undefined && isNexus(wellFormedPeer, roots.nexus)) {
    const via = wellFormedPeer;
    if (forwarded === undefined) return { ok: false, caller: via, via, why: 'forwarded_without_caller' };
    if (typeof forwarded !== 'string' || !isWellFormedPeerId(forwarded)) {
      return { ok: false, caller: null, via, why: 'forwarded_caller_malformed' };
    }
    // A replica never vouches for another replica (nor for itself): only for an operator.
    if (!allowed(forwarded, roots.pilot)) return { ok: false, caller: forwarded, via, why: 'not_restore_role' };
    return { ok: true, caller: forwarded, via };
  }
  // Not Nexus: whatever the header says is ignored.
  if (wellFormedPeer === undefined || !allowed(wellFormedPeer, roots.pilot)) {
    return { ok: false, caller: wellFormedPeer ?? null, why: 'not_restore_role' };
  }
  return { ok: true, caller: wellFormedPeer };
}
