// Who may call /v1/operator/restore, and is the body valid
// (upstream restore_intercept.go, in upstream's order, plus: a shard
// value ≥ the P-256 group order is refused with 400 — upstream crashes).
// Also the guard of spike-ts's `?action=reset`: restore role, body `{}`.
import { API_BAD_REQUEST, ACCESS_UNAUTHORIZED } from '../../../protocol/errors.js';
import { isValidScalar } from '../../../shamir/index.js';
import { restoreCallerOf } from '../../restore/forward-guard.js';
import { isAllZero } from '../../../protocol/bytes.js';
import { DecodeError, decodeRestoreRequest, recoverRequest, restoreResponse } from '../../../protocol/messages.js';
import { type GuardResult, type RouteDeps, type RouteRequest, pass, refuse } from '../route.js';

export const restoreBadRequest = (): Buffer => restoreResponse.error(API_BAD_REQUEST);

export interface ValidRestore {
  /** The operator (for a forwarded call: the one the forwarding replica vouches for). */
  caller: string;
  /** The Nexus replica that forwarded the call (docs/design.md § Restore through any replica). */
  via?: string;
  id: number;
  /** 32 bytes; the handler zeroes it. */
  shard: Buffer;
}

export function guardRestore(req: RouteRequest, deps: RouteDeps): GuardResult<ValidRestore> {
  if (deps.backend === 'memory') return refuse(400, restoreBadRequest());
  let id: number;
  let shard: Buffer | undefined;
  try {
    const r = decodeRestoreRequest(req.body);
    id = r.id;
    // A view on the decoded bytes: zeroing it zeroes them.
    shard = r.shard === null ? undefined : Buffer.from(r.shard.buffer, r.shard.byteOffset, r.shard.byteLength);
  } catch (e) {
    if (e instanceof DecodeError) {
      deps.log.audit('restore', { caller: req.peerId ?? null, outcome: 'malformed_body' });
      return refuse(400, restoreBadRequest());
    }
    throw e;
  }
  // The forwarded-caller header counts only from Nexus; the restore role is the original caller's.
  // Only where replicas forward (PostgreSQL): elsewhere the header is ignored, whoever sends it.
  const forwarded = deps.restoreForward === undefined ? undefined : req.forwardedCaller;
  const who = restoreCallerOf(req.peerId, forwarded, { nexus: deps.roots.nexus, pilot: deps.roots.pilot });
  if (!who.ok) {
    shard?.fill(0);
    deps.log.audit('restore', { caller: who.caller, ...(who.via === undefined ? {} : { via: who.via }), shardId: id, outcome: 'unauthorized' });
    return refuse(401, restoreResponse.error(ACCESS_UNAUTHORIZED));
  }
  const { caller, via } = who;
  const invalid = (why: string): GuardResult<never> => {
    shard?.fill(0);
    deps.log.audit('restore', { caller, ...(via === undefined ? {} : { via }), shardId: id, outcome: `invalid_${why}` });
    return refuse(400, restoreBadRequest());
  };
  if (id < 1 || id > deps.shamir.maxShareCount) return invalid('id');
  if (shard === undefined) return invalid('null_shard');
  if (isAllZero(shard)) return invalid('zero_shard');
  if (!isValidScalar(shard)) return invalid('shard_out_of_range');
  return pass({ caller, ...(via === undefined ? {} : { via }), id, shard });
}

/**
 * `POST /v1/operator/restore?action=reset`: the restore role only; the body
 * is an empty request (`{}`, any JSON object, or `null`), as status's.
 * The memory backend has nothing to restore: 400 before anything else.
 */
export function guardRestoreReset(req: RouteRequest, deps: RouteDeps): GuardResult<{ caller: string; via?: string }> {
  if (deps.backend === 'memory') return refuse(400, restoreBadRequest());
  try {
    recoverRequest.decode(req.body);
  } catch (e) {
    if (e instanceof DecodeError) {
      deps.log.audit('restore', { caller: req.peerId ?? null, outcome: 'reset_malformed_body' });
      return refuse(400, restoreBadRequest());
    }
    throw e;
  }
  // A reset forwarded by another replica acts for the operator it names (restore role), as a forwarded shard.
  const forwarded = deps.restoreForward === undefined ? undefined : req.forwardedCaller;
  const who = restoreCallerOf(req.peerId, forwarded, { nexus: deps.roots.nexus, pilot: deps.roots.pilot });
  if (!who.ok) {
    deps.log.audit('restore', { caller: who.caller, ...(who.via === undefined ? {} : { via: who.via }), outcome: 'reset_unauthorized' });
    return refuse(401, restoreResponse.error(ACCESS_UNAUTHORIZED));
  }
  return pass({ caller: who.caller, ...(who.via === undefined ? {} : { via: who.via }) });
}
