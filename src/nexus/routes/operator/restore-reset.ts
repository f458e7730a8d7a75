// POST /v1/operator/restore?action=reset (spike-ts only; upstream answers
// 400): empties the restore collection, zeroing every held value
// (docs/design.md § Restore). Restore role only; charged to the caller's
// restore rate limit (it adds nothing); audited (`restore`, outcome `reset`,
// how many ids were dropped). Answers
// {"collected":0,"remaining":<threshold>,"restored":false,"state":"reset"}.
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { progressOf, rateLimitedReply, READY_PROGRESS, resetReply } from './restore-answers.js';
import { guardRestoreReset, restoreBadRequest } from './restore-guard.js';

export function handleRestoreReset(caller: string, deps: RouteDeps): Promise<Reply> {
  const c = deps.collector;
  return c.exclusive(async () => {
    const d = deps.restoreLimiter.tryTake(caller);
    if (!d.ok) {
      deps.log.audit('restore', { caller, outcome: 'rate_limited', action: 'reset', retryAfterMs: d.retryAfterMs });
      return rateLimitedReply(deps.state.ready() ? READY_PROGRESS : progressOf(c), d.retryAfterMs);
    }
    const dropped = c.reset();
    deps.log.audit('restore', { caller, outcome: 'reset', dropped });
    return resetReply(c.threshold);
  });
}

export function restoreResetRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'operatorRestoreReset',
    badRequest: restoreBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardRestoreReset(req, deps);
      return g.ok ? handleRestoreReset(g.value.caller, deps) : g.reply;
    },
  };
}
