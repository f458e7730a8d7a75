// POST /v1/operator/restore?action=reset (spike-ts only; upstream answers
// 400): empties the restore collection, zeroing every held value
// (docs/design.md § Restore). Restore role only; charged to the caller's
// restore rate limit (it adds nothing); audited (`restore`, outcome `reset`,
// how many ids were dropped). Answers
// {"collected":0,"remaining":<threshold>,"restored":false,"state":"reset"}.
// Several replicas (docs/design.md § Restore through any replica): a replica
// that does not collect forwards the reset to the collector, as a shard, and
// passes its answer on; nobody collecting: the (empty) local collection.
import { describeError } from '../../../common/log.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { collectorUnavailableReply, forwardedReply, progressOf, rateLimitedReply, READY_PROGRESS, resetReply } from './restore-answers.js';
import { guardRestoreReset, restoreBadRequest } from './restore-guard.js';
import type { RestoreForwarding } from '../../restore/forward.js';

export function handleRestoreReset(caller: string, deps: RouteDeps, via?: string): Promise<Reply> {
  const c = deps.collector;
  const viaField = via === undefined ? {} : { via };
  return c.exclusive(async () => {
    const d = deps.restoreLimiter.tryTake(caller);
    if (!d.ok) {
      deps.log.audit('restore', { caller, ...viaField, outcome: 'rate_limited', action: 'reset', retryAfterMs: d.retryAfterMs });
      return rateLimitedReply(deps.state.ready() ? READY_PROGRESS : progressOf(c), d.retryAfterMs);
    }
    const dropped = c.reset();
    deps.log.audit('restore', { caller, ...viaField, outcome: 'reset', dropped });
    return resetReply(c.threshold);
  });
}

/** The reset through the collector (several replicas); a forwarded reset is never forwarded again. */
async function resetThroughCollector(body: Buffer | undefined, caller: string, via: string | undefined, f: RestoreForwarding, deps: RouteDeps): Promise<Reply> {
  const unavailable = (outcome: string, extra: Record<string, string> = {}): Reply => {
    deps.log.audit('restore', { caller, ...(via === undefined ? {} : { via }), outcome: `reset_${outcome}`, ...extra });
    return collectorUnavailableReply();
  };
  if (via !== undefined) return f.holds ? handleRestoreReset(caller, deps, via) : unavailable('refused_not_collector');
  let role;
  try {
    role = await f.peek();
  } catch (e) {
    deps.log.error('restore reset: finding the collecting replica failed', { error: describeError(e) });
    return unavailable('collector_unknown');
  }
  if (role.kind === 'self' || role.kind === 'none') return handleRestoreReset(caller, deps);
  if (role.kind === 'unknown') return unavailable('collector_unknown');
  try {
    const a = await f.forward(role.url, body ?? Buffer.from('{}'), caller, 'reset');
    deps.log.audit('restore', { caller, outcome: 'reset_forwarded', collector: role.name, status: a.status });
    return forwardedReply(a);
  } catch (e) {
    deps.log.warn('restore reset: the collecting replica cannot be reached', { collector: role.name, url: role.url, error: describeError(e) });
    return unavailable('forward_failed', { collector: role.name });
  }
}

export function restoreResetRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'operatorRestoreReset',
    badRequest: restoreBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardRestoreReset(req, deps);
      if (!g.ok) return g.reply;
      const f = deps.restoreForward;
      if (f === undefined || deps.state.ready()) return handleRestoreReset(g.value.caller, deps, g.value.via);
      return resetThroughCollector(req.body, g.value.caller, g.value.via, f, deps);
    },
  };
}
