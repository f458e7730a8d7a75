// /v1/operator/recover: every share of the root key (ids 1..n), as upstream's
// exact JSON. Without a root key we answer 503 state_not_ready (upstream: 500
// api_internal_error): it says what is wrong, our Pilot prints the not-ready
// text, and upstream's Pilot fails either way (any non-200 is a failure).
import { API_INTERNAL_ERROR, STATE_NOT_READY } from '../../../protocol/errors.js';
import { computeShares, type Share } from '../../../shamir/index.js';
import { describeError } from '../../../common/log.js';
import { encodeRecoverResponse, recoverResponse } from '../../../protocol/messages.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardRecover } from './recover-guard.js';

export function handleRecover(caller: string, deps: RouteDeps): Reply {
  let shares: Share[] | undefined;
  try {
    shares = deps.state.rootKey.use((k) => computeShares(k, deps.shamir.threshold, deps.shamir.shares));
  } catch (e) {
    deps.log.error('computing recovery shares failed', { error: describeError(e) });
    deps.log.audit('recover', { caller, outcome: 'internal_error' });
    return { status: 500, body: recoverResponse.error(API_INTERNAL_ERROR) };
  }
  if (shares === undefined) {
    deps.log.audit('recover', { caller, outcome: 'not_ready' });
    return { status: 503, body: recoverResponse.error(STATE_NOT_READY) };
  }
  try {
    const body = encodeRecoverResponse(shares);
    deps.log.audit('recover', { caller, outcome: 'shards_sent', shardIds: shares.map((s) => s.id) });
    return { status: 200, body, secret: true };
  } finally {
    for (const s of shares) s.value.fill(0);
  }
}

export function recoverRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'operatorRecover',
    badRequest: () => recoverResponse.error('api_bad_request'),
    handle: async (req: RouteRequest) => {
      const g = guardRecover(req, deps);
      return g.ok ? handleRecover(g.value.caller, deps) : g.reply;
    },
  };
}
