// /v1/operator/status (spike-ts only, optional on the wire): where a restore
// stands, without submitting a shard. Answers
// {"ready":b,"collected":n,"remaining":m,"threshold":t,"ids":[…]} — the ids
// of the shards collected so far, never their values. Served before the root
// key is known (an emergency path, like recover and restore). Audited with
// the caller's SPIFFE ID.
import { statusAnswer, statusResponse } from '../../../protocol/messages.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardStatus, statusBadRequest } from './status-guard.js';

/** What the status route reads of the restore collection (RestoreCollector has it). */
export interface RestoreProgress {
  readonly threshold: number;
  collected(): number;
  /** Ids collected so far, ascending. */
  ids(): readonly number[];
}

export interface StatusDeps extends Pick<RouteDeps, 'roots' | 'log'> {
  /** True once the root key is installed. */
  ready(): boolean;
  progress: RestoreProgress;
}

export function handleStatus(caller: string, deps: StatusDeps): Reply {
  const t = deps.progress.threshold;
  const ready = deps.ready();
  const ids = ready ? [] : [...deps.progress.ids()].sort((a, b) => a - b);
  const collected = ready ? 0 : ids.length;
  const remaining = ready ? 0 : Math.max(0, t - collected);
  deps.log.audit('status', { caller, outcome: ready ? 'ready' : 'collecting', collected });
  return {
    status: 200,
    body: statusResponse.encode(statusAnswer({ ready, collected, remaining, threshold: t, ids })),
  };
}

export function statusRoute(deps: StatusDeps): NexusRoute {
  return {
    name: 'operatorStatus',
    badRequest: statusBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardStatus(req, deps);
      return g.ok ? handleStatus(g.value.caller, deps) : g.reply;
    },
  };
}

/** The status deps from the routes' shared deps (the collector gives the progress). */
export function statusDepsFrom(deps: RouteDeps, progress: RestoreProgress): StatusDeps {
  return { roots: deps.roots, log: deps.log, ready: () => deps.state.ready(), progress };
}
