// The answers of /v1/operator/restore (the wire contract of
// src/protocol/messages/operator.ts, docs/design.md § Restore). Upstream's
// four fields come first; `state` and the other spike-ts fields are
// omitted when empty.
import { API_BAD_REQUEST, API_INTERNAL_ERROR, STATE_NOT_READY } from '../../../protocol/errors.js';
import { restoreAnswer, restoreResponse, type RestoreResponse } from '../../../protocol/messages.js';
import type { Reply } from '../route.js';
import type { CollectionRestart } from '../../restore/collector.js';

/** Where the collection stands (no values). */
export interface Progress {
  /** Distinct ids held. */
  readonly collected: number;
  /** `threshold − collected` while fewer ids are held; at least 1 once `threshold` ids are held without a fit; 0 when ready. */
  readonly remaining: number;
  readonly ids: readonly number[];
  readonly conflict: readonly number[];
  /** Several replicas: the collection began after another collector's was lost. */
  readonly restart?: CollectionRestart;
}

/** What `RestoreCollector` tells about itself (the ids, never a value). */
export interface ProgressSource {
  readonly threshold: number;
  ids(): number[];
  conflicts(): number[];
  restart?(): CollectionRestart | undefined;
}

export const READY_PROGRESS: Progress = { collected: 0, remaining: 0, ids: [], conflict: [] };

export function progressOf(c: ProgressSource): Progress {
  const ids = c.ids();
  const collected = ids.length;
  const remaining = collected < c.threshold ? c.threshold - collected : 1;
  const restart = c.restart?.();
  return { collected, remaining, ids, conflict: c.conflicts(), ...(restart === undefined ? {} : { restart }) };
}

function reply(status: number, a: RestoreResponse, headers?: Record<string, string>): Reply {
  return { status, body: restoreResponse.encode(a), ...(headers === undefined ? {} : { headers }) };
}

function fields(p: Progress): Pick<RestoreResponse, 'collected' | 'remaining' | 'ids' | 'conflict'> & Partial<RestoreResponse> {
  const restart = p.restart === undefined ? {} : { restarted: true, collector: p.restart.collector, previousCollector: p.restart.previous };
  return { collected: p.collected, remaining: p.remaining, ids: [...p.ids], conflict: [...p.conflict], ...restart };
}

/**
 * 200: the value is held (or was already: `duplicate`); `collecting` below the
 * threshold, `no_fit` at or above it. `retired` (only with `no_fit`): a set of
 * the held values rebuilds a root key this store retired by a rotation.
 */
export function progressReply(p: Progress, threshold: number, duplicate: boolean, retired = false): Reply {
  const state = p.collected < threshold ? 'collecting' : 'no_fit';
  return reply(200, restoreAnswer({ ...fields(p), restored: false, state, duplicate, retired: retired && state === 'no_fit' }));
}

/** 200: this call completed the restore; the collection is empty now. */
export function restoredReply(collected: number, rejected: readonly number[], conflict: readonly number[]): Reply {
  return reply(
    200,
    restoreAnswer({ collected, remaining: 0, restored: true, state: 'restored', rejected: [...rejected], conflict: [...conflict] }),
  );
}

/** 200: Nexus already has its root key; `match`: the shard is share `id` of it. */
export function healthyReply(match: boolean): Reply {
  return reply(200, restoreAnswer({ collected: 0, remaining: 0, restored: true, state: 'healthy', match }));
}

/** 200: the collection was emptied. */
export function resetReply(threshold: number): Reply {
  return reply(200, restoreAnswer({ collected: 0, remaining: threshold, restored: false, state: 'reset' }));
}

/** 429 with `Retry-After` (whole seconds, rounded up) in the header and the body. */
export function rateLimitedReply(p: Progress, retryAfterMs: number): Reply {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return reply(
    429,
    restoreAnswer({ ...fields(p), restored: false, err: API_BAD_REQUEST, state: 'rate_limited', retryAfter }),
    { 'retry-after': String(retryAfter) },
  );
}

/** 400: nothing was added (the id is full, or the search through the value would be too large). */
export function tooManyValuesReply(p: Progress): Reply {
  return reply(400, restoreAnswer({ ...fields(p), restored: false, err: API_BAD_REQUEST, state: 'too_many_values' }));
}

/** 400 without a state: the shard cannot be used at all (an id above the configured share count). */
export function refusedReply(p: Progress): Reply {
  return reply(400, restoreAnswer({ ...fields(p), restored: false, err: API_BAD_REQUEST }));
}

/** 500: nothing was added; the collection is as before. */
export function internalErrorReply(p: Progress): Reply {
  return reply(500, restoreAnswer({ ...fields(p), restored: false, err: API_INTERNAL_ERROR }));
}

/**
 * 503: several replicas, and the replica collecting shards cannot be reached
 * or is changing (docs/design.md § Restore through any replica). Nothing was
 * kept: send this shard again shortly; if a collector died, every shard.
 */
export function collectorUnavailableReply(): Reply {
  return reply(503, restoreAnswer({ collected: 0, remaining: 0, ids: [], conflict: [], restored: false, err: STATE_NOT_READY }), { 'retry-after': '1' });
}

/** The collecting replica's answer to a forwarded call, passed on unchanged. */
export function forwardedReply(a: { status: number; body: Buffer; retryAfter?: string }): Reply {
  return { status: a.status, body: a.body, ...(a.retryAfter === undefined ? {} : { headers: { 'retry-after': a.retryAfter } }) };
}
