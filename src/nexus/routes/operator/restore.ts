// /v1/operator/restore (upstream operator/restore.go, made safe —
// docs/design.md § Restore):
// - rate-limited per caller ID (429, restore body with api_bad_request);
// - a Nexus that already has its root key changes nothing and answers
//   {"collected":0,"remaining":0,"restored":true}: nothing was collected,
//   and `restored:true` tells any Pilot the system is usable;
// - the same id again: first value wins, counts unchanged (as upstream);
// - at `threshold` shards: rebuild, check against the store, install
//   (`root_key_ready` source restore; NexusState then pushes to the keepers
//   in the background, so the answer never waits for keeper I/O);
// - a wrong or mixed set (rebuild failure or key-check mismatch) is refused
//   with 400 {"collected":0,"remaining":t,"restored":false,"err":"api_bad_request"},
//   the collection is reset, nothing else changes, restore stays possible.
// Every call is audited with the caller ID and shard id, never the value.
import { API_BAD_REQUEST, API_INTERNAL_ERROR } from '../../../protocol/errors.js';
import { recoverSecret } from '../../../shamir/index.js';
import { describeError } from '../../../common/log.js';
import { restoreAnswer, restoreResponse } from '../../../protocol/messages.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardRestore, restoreBadRequest, type ValidRestore } from './restore-guard.js';

export async function handleRestore(r: ValidRestore, deps: RouteDeps): Promise<Reply> {
  const { caller, id, shard } = r;
  const t = deps.collector.threshold;
  const audit = (outcome: string, extra: Record<string, number | boolean> = {}): void =>
    deps.log.audit('restore', { caller, shardId: id, outcome, ...extra });
  try {
    if (!deps.restoreLimiter.take(caller)) {
      audit('rate_limited');
      const c = deps.collector.collected();
      return { status: 429, body: restoreResponse.encode(restoreAnswer({ collected: c, remaining: t - c, restored: false, err: API_BAD_REQUEST })) };
    }
    if (deps.state.ready()) {
      audit('already_restored');
      return { status: 200, body: restoreResponse.encode(restoreAnswer({ collected: 0, remaining: 0, restored: true, err: '' })) };
    }
    const sub = deps.collector.submit(id, shard);
    if (sub.kind === 'collecting') {
      audit(sub.duplicate ? 'duplicate_ignored' : 'collected', { collected: sub.collected, remaining: sub.remaining });
      return { status: 200, body: restoreResponse.encode(restoreAnswer({ collected: sub.collected, remaining: sub.remaining, restored: false, err: '' })) };
    }
    const refused: Reply = {
      status: 400,
      body: restoreResponse.encode(restoreAnswer({ collected: 0, remaining: t, restored: false, err: API_BAD_REQUEST })),
    };
    let key: Uint8Array;
    try {
      key = recoverSecret(sub.shares, t);
    } catch (e) {
      deps.log.warn('restore: rebuilding the root key failed', { error: describeError(e) });
      audit('refused_rebuild_failed');
      return refused;
    } finally {
      for (const s of sub.shares) s.value.fill(0);
    }
    try {
      const res = await deps.state.install(key, 'restore');
      if (res.ok) {
        audit('restored');
        return { status: 200, body: restoreResponse.encode(restoreAnswer({ collected: t, remaining: 0, restored: true, err: '' })) };
      }
      switch (res.reason) {
        case 'already_installed':
          audit('already_restored');
          return { status: 200, body: restoreResponse.encode(restoreAnswer({ collected: 0, remaining: 0, restored: true, err: '' })) };
        case 'mismatch':
          audit('refused_key_mismatch');
          return refused;
        default:
          audit('internal_error');
          return {
            status: 500,
            body: restoreResponse.encode(restoreAnswer({ collected: 0, remaining: t, restored: false, err: API_INTERNAL_ERROR })),
          };
      }
    } finally {
      key.fill(0);
    }
  } finally {
    shard.fill(0);
  }
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
