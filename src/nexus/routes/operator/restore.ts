// /v1/operator/restore (upstream operator/restore.go, made safe and truthful —
// docs/design.md § Restore). One call at a time (the collector's queue):
// - a healthy Nexus (root key installed) changes nothing: it answers
//   `state:"healthy"`, `restored:true` and whether the shard is share `id`
//   of the live root key (`match`);
// - an id above the configured share count cannot belong: 400;
// - the same id and value again: `duplicate`, nothing changes;
// - a new value is kept (up to MAX_VALUES_PER_ID per id; beyond: 400
//   `too_many_values`); once `threshold` ids are held, the one-value-per-id
//   sets through the new value are searched for a key that passes the
//   store's key check (nothing is installed meanwhile). A fit is installed
//   (`root_key_ready` source restore; the Keepers are refilled in the
//   background) and answered `restored` with the ids whose values do not
//   belong (`rejected`); no fit is `no_fit`, every value kept (with
//   `retired:true` when a set rebuilds a key a rotation retired);
// - rate limit per caller ID, charged only for calls that add nothing
//   (429 + Retry-After), so a flood of repeats never refuses a new shard.
// Every call is audited with the caller ID, shard id and outcome, never a value.
import { describeError } from '../../../common/log.js';
import type { Share } from '../../../shamir/index.js';
import { idsNotOn, searchThrough } from '../../restore/search.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import {
  healthyReply,
  internalErrorReply,
  progressOf,
  progressReply,
  rateLimitedReply,
  READY_PROGRESS,
  refusedReply,
  restoredReply,
  tooManyValuesReply,
  type Progress,
} from './restore-answers.js';
import { shardMatchesRootKey } from './restore-drill.js';
import { guardRestore, restoreBadRequest, type ValidRestore } from './restore-guard.js';

type AuditFields = Record<string, number | boolean | number[]>;

export async function handleRestore(r: ValidRestore, deps: RouteDeps): Promise<Reply> {
  try {
    return await deps.collector.exclusive(() => restoreOne(r, deps));
  } finally {
    r.shard.fill(0);
  }
}

async function restoreOne({ caller, id, shard }: ValidRestore, deps: RouteDeps): Promise<Reply> {
  const c = deps.collector;
  const t = c.threshold;
  const audit = (outcome: string, extra: AuditFields = {}): void => deps.log.audit('restore', { caller, shardId: id, outcome, ...extra });
  const progress = (): Progress => (deps.state.ready() ? READY_PROGRESS : progressOf(c));
  /** Charges a call that adds nothing: undefined when a token was taken, else the 429. */
  const charge = (): Reply | undefined => {
    const d = deps.restoreLimiter.tryTake(caller);
    if (d.ok) return undefined;
    audit('rate_limited', { retryAfterMs: d.retryAfterMs });
    return rateLimitedReply(progress(), d.retryAfterMs);
  };

  if (deps.state.ready()) return charge() ?? healthy(id, shard, deps, audit);

  if (id > deps.shamir.shares) {
    const limited = charge();
    if (limited) return limited;
    audit('refused_id_above_share_count', { shares: deps.shamir.shares });
    return refusedReply(progress());
  }

  const offer = c.offer(id, shard);
  if (offer !== 'new') {
    const limited = charge();
    if (limited) return limited;
    const p = progress();
    if (offer === 'duplicate') {
      audit('duplicate', { collected: p.collected, remaining: p.remaining });
      return progressReply(p, t, true);
    }
    audit('refused_too_many_values', { collected: p.collected });
    return tooManyValuesReply(p);
  }

  c.add(id, shard);
  if (c.collected() < t) {
    const p = progress();
    audit('collected', { collected: p.collected, remaining: p.remaining });
    return progressReply(p, t, false);
  }
  return searchAndInstall(id, shard, deps, audit, charge);
}

async function searchAndInstall(
  id: number,
  shard: Buffer,
  deps: RouteDeps,
  audit: (outcome: string, extra?: AuditFields) => void,
  charge: () => Reply | undefined,
): Promise<Reply> {
  const c = deps.collector;
  const t = c.threshold;
  /** The value is not kept: the call added nothing, so it is charged. */
  const undo = (outcome: string, e?: unknown): Reply => {
    c.undoAdd(id);
    if (e !== undefined) deps.log.error('restore: searching or installing the root key failed', { error: describeError(e) });
    const limited = charge();
    if (limited) return limited;
    audit(outcome);
    return internalErrorReply(progressOf(c));
  };
  let result;
  try {
    result = await deps.state.withKeyCheck((check) => searchThrough(c.held(), t, { id, value: shard }, check, c.limits.maxCandidateSets));
  } catch (e) {
    return undo('internal_error', e);
  }
  if (result.kind === 'too_many') {
    c.undoAdd(id);
    const limited = charge();
    if (limited) return limited;
    const p = progressOf(c);
    audit('refused_too_many_sets', { sets: result.count, collected: p.collected });
    return tooManyValuesReply(p);
  }
  if (result.kind === 'no_fit') {
    const p = progressOf(c);
    // A set rebuilt a key a rotation retired: these are shards of a previous root key.
    audit(result.retired ? 'refused_retired_key' : 'no_fit', { tried: result.tried, collected: p.collected, conflict: [...p.conflict] });
    return progressReply(p, t, false, result.retired);
  }
  const { key, set } = result;
  try {
    const rejected = idsNotOn(c.held(), set);
    const conflict = c.conflicts();
    const collected = c.collected();
    const res = await deps.state.install(key, 'restore');
    if (res.ok) {
      c.reset();
      audit('restored', { collected, used: set.map((s) => s.id).sort((a, b) => a - b), rejected, conflict });
      return restoredReply(collected, rejected, conflict);
    }
    if (res.reason === 'already_installed') {
      // The Keepers gave the key back meanwhile: a drill from here on.
      c.reset();
      return healthy(id, shard, deps, audit);
    }
    return undo(res.reason === 'mismatch' ? 'refused_key_mismatch' : res.reason === 'retired' ? 'refused_retired_key' : 'internal_error');
  } catch (e) {
    return undo('internal_error', e);
  } finally {
    key.fill(0);
    for (const s of set as Share[]) s.value.fill(0);
  }
}

function healthy(id: number, shard: Buffer, deps: RouteDeps, audit: (outcome: string, extra?: AuditFields) => void): Reply {
  // Values collected before the key came back (from the Keepers) are of no use any more.
  deps.collector.reset();
  let match: boolean | undefined;
  try {
    match = shardMatchesRootKey(deps.state.rootKey, deps.shamir, id, shard);
  } catch (e) {
    deps.log.error('restore: computing the shares of the root key failed', { error: describeError(e) });
  }
  if (match === undefined) {
    audit('internal_error');
    return internalErrorReply(READY_PROGRESS);
  }
  audit(match ? 'healthy_match' : 'healthy_mismatch');
  return healthyReply(match);
}

export function restoreRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'operatorRestore',
    badRequest: restoreBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardRestore(req, deps);
      return g.ok ? handleRestore(g.value, deps) : g.reply;
    },
  };
}
