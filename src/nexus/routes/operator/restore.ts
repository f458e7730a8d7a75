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
  collectorUnavailableReply,
  forwardedReply,
  refusedReply,
  restoredReply,
  tooManyValuesReply,
  type Progress,
} from './restore-answers.js';
import { shardMatchesRootKey } from './restore-drill.js';
import { guardRestore, restoreBadRequest, type ValidRestore } from './restore-guard.js';
import type { CollectorRole } from '../../restore/collector-election.js';
import type { RestoreForwarding } from '../../restore/forward.js';

type AuditFields = Record<string, number | boolean | number[]>;

export async function handleRestore(r: ValidRestore, deps: RouteDeps): Promise<Reply> {
  try {
    return await deps.collector.exclusive(() => restoreOne(r, deps));
  } finally {
    r.shard.fill(0);
  }
}

async function restoreOne({ caller, via, id, shard }: ValidRestore, deps: RouteDeps): Promise<Reply> {
  const c = deps.collector;
  const t = c.threshold;
  // A forwarded call: the operator is the caller (rate limit, audit); `via` names the forwarding replica.
  const audit = (outcome: string, extra: AuditFields = {}): void =>
    deps.log.audit('restore', { caller, ...(via === undefined ? {} : { via }), shardId: id, outcome, ...extra });
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

/**
 * Several replicas (docs/design.md § Restore through any replica): the
 * replica holding the collector lock collects; any other forwards the body as
 * received and passes the collector's answer on. A forwarded call is never
 * forwarded again: a replica that no longer collects answers 503.
 */
async function throughCollector(body: Buffer | undefined, r: ValidRestore, f: RestoreForwarding, deps: RouteDeps): Promise<Reply> {
  const audit = (outcome: string, extra: Record<string, string | number> = {}): void =>
    deps.log.audit('restore', { caller: r.caller, ...(r.via === undefined ? {} : { via: r.via }), shardId: r.id, outcome, ...extra });
  const unavailable = (outcome: string, extra: Record<string, string | number> = {}): Reply => {
    r.shard.fill(0);
    audit(outcome, extra);
    return collectorUnavailableReply();
  };
  if (r.via !== undefined) return f.holds ? handleRestore(r, deps) : unavailable('refused_not_collector');
  let role: CollectorRole;
  try {
    role = await f.resolve();
  } catch (e) {
    deps.log.error('restore: finding the collecting replica failed', { error: describeError(e) });
    return unavailable('collector_unknown');
  }
  if (role.kind === 'self') {
    // This call took the lock from a collector that stopped: its shards are lost; the answers say so.
    if (role.previous !== undefined) deps.collector.markRestarted({ collector: f.name, previous: role.previous });
    return handleRestore(r, deps);
  }
  if (role.kind === 'unknown' || body === undefined) return unavailable('collector_unknown');
  // The decoded copy is not needed: the raw body goes as it came (the app zeroes it).
  r.shard.fill(0);
  try {
    const a = await f.forward(role.url, body, r.caller);
    audit('forwarded', { collector: role.name, status: a.status });
    return forwardedReply(a);
  } catch (e) {
    deps.log.warn('restore: the collecting replica cannot be reached', { collector: role.name, url: role.url, error: describeError(e) });
    return unavailable('forward_failed', { collector: role.name });
  }
}

export function restoreRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'operatorRestore',
    badRequest: restoreBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardRestore(req, deps);
      if (!g.ok) return g.reply;
      // One replica (or a ready one, which answers as healthy itself): as always.
      const f = deps.restoreForward;
      if (f === undefined || deps.state.ready()) return handleRestore(g.value, deps);
      return throughCollector(req.body, g.value, f, deps);
    },
  };
}
