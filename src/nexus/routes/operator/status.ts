// /v1/operator/status (spike-ts only, optional on the wire): where a restore
// stands, without submitting a shard. Answers
// {"ready":b,"collected":n,"remaining":m,"threshold":t,"ids":[…]} — the ids
// of the shards collected so far, never their values. Served before the root
// key is known (an emergency path, like recover and restore). Once ready it
// also names the live key's shard set (`fingerprint`: the key Nexus holds,
// pushes and `recover` exports) and, while a root-key rotation runs, its
// phase, progress, new fingerprint, start and the keepers that have not
// taken their new shard. Audited with the caller's SPIFFE ID.
import { statusAnswer, statusResponse, type StatusResponse } from '../../../protocol/messages.js';
import { describeError } from '../../../common/log.js';
import type { RotationProgress } from '../../rotation/engine.js';
import { fingerprintOf } from '../../rotation/fingerprint.js';
import type { NexusRoute, ReplicaInfo, Reply, RouteDeps, RouteRequest } from '../route.js';
import { rfc3339 } from './rotate.js';
import { guardStatus, statusBadRequest } from './status-guard.js';
import type { RestoreForwarding } from '../../restore/forward.js';
import type { CollectionRestart } from '../../restore/collector.js';

/** What the status route reads of the restore collection (RestoreCollector has it). */
export interface RestoreProgress {
  readonly threshold: number;
  collected(): number;
  /** Ids collected so far, ascending. */
  ids(): readonly number[];
}

export interface StatusDeps extends Pick<RouteDeps, 'roots' | 'log'> {
  /** Several replicas on one database: the restore fields come from the collecting replica (absent: this one's). */
  forward?: RestoreForwarding;
  /** This collection began after another collector's was lost (RestoreCollector.restart). */
  restart?: () => CollectionRestart | undefined;
  /** True once the root key is installed. */
  ready(): boolean;
  progress: RestoreProgress;
  /** The live root key's shard-set fingerprint ('' without a key). Absent: never reported. */
  fingerprint?: () => string;
  /** The root-key rotation in progress, if any. Absent: never reported. */
  rotation?: () => RotationProgress | undefined;
  /** The answering replica and the replicas seen recently. Absent: never reported. */
  replicas?: ReplicaInfo;
}

/** The replica fields of the answer: this replica's name, and the replicas seen recently when they could be read. */
async function replicaFields(deps: StatusDeps): Promise<Partial<StatusResponse>> {
  const info = deps.replicas;
  if (info === undefined) return {};
  const name = info.name();
  const out: Partial<StatusResponse> = name === '' ? {} : { replica: name };
  if (info.list === undefined) return out;
  try {
    const seen = await info.list();
    out.replicas = seen.map((r) => ({
      name: r.name,
      ready: r.ready,
      lastSeen: rfc3339(r.lastSeen),
      ageMs: Math.round(r.ageMs),
      fingerprint: r.fingerprint ?? '',
      rotation: r.rotation ?? '',
    }));
  } catch (e) {
    // The database out of reach: the status still answers (it is an emergency path), without the list.
    deps.log.warn('status: the replicas could not be listed', { error: describeError(e) });
  }
  return out;
}

function rotationFields(p: RotationProgress | undefined): Partial<StatusResponse> {
  if (p === undefined) return {};
  return {
    rotation: p.phase,
    rotationDone: p.done,
    rotationTotal: p.total,
    rotationFingerprint: p.fingerprint,
    rotationStartedAt: rfc3339(p.startedAt),
    rotationWaiting: [...p.waiting],
  };
}

/**
 * The restore fields of the collecting replica (docs/design.md § Restore
 * through any replica), when another replica collects: its status answer,
 * asked for the same caller. undefined: this replica's own fields count
 * (it collects, nobody does, or the call came forwarded already).
 */
async function collectorFields(caller: string, via: string | undefined, deps: StatusDeps): Promise<Partial<StatusResponse> | undefined> {
  const f = deps.forward;
  if (f === undefined || deps.ready()) return undefined;
  const own = (): Partial<StatusResponse> => ({ collector: f.name, restarted: deps.restart?.() !== undefined });
  // Asked by another replica: this one's collection (a forwarded call is never forwarded again).
  if (via !== undefined) return own();
  const role = await f.peek();
  if (role.kind === 'self') return own();
  if (role.kind !== 'forward') return undefined;
  const a = await f.forward(role.url, Buffer.from('{}'), caller, 'status');
  const s = a.status === 200 ? statusResponse.decode(a.body) : undefined;
  if (s === undefined || s.err !== '') throw new Error(`the collector ${role.name} answered HTTP ${a.status}`);
  const ids = [...(s.ids ?? [])].sort((x, y) => x - y);
  return { collected: ids.length, remaining: Math.max(0, s.threshold - ids.length), threshold: s.threshold, ids, collector: role.name, restarted: s.restarted };
}

export function handleStatus(caller: string, deps: StatusDeps, replicas: Partial<StatusResponse> = {}, collector?: Partial<StatusResponse>): Reply {
  const t = collector?.threshold ?? deps.progress.threshold;
  const ready = deps.ready();
  const ids = ready ? [] : collector?.ids ?? [...deps.progress.ids()].sort((a, b) => a - b);
  const collected = ready ? 0 : ids.length;
  const remaining = ready ? 0 : Math.max(0, t - collected);
  const restore: Partial<StatusResponse> =
    ready || collector === undefined ? {} : { collector: collector.collector ?? '', restarted: collector.restarted ?? false };
  let extra: Partial<StatusResponse> = {};
  if (ready) {
    try {
      extra = { fingerprint: deps.fingerprint?.() ?? '', ...rotationFields(deps.rotation?.()) };
    } catch (e) {
      deps.log.error('status: describing the root key failed', { error: describeError(e) });
    }
  }
  deps.log.audit('status', {
    caller,
    outcome: ready ? 'ready' : 'collecting',
    collected,
    ...(restore.collector ? { collector: restore.collector } : {}),
    ...(extra.rotation ? { rotation: extra.rotation } : {}),
  });
  return {
    status: 200,
    body: statusResponse.encode(statusAnswer({ ready, collected, remaining, threshold: t, ids, ...extra, ...replicas, ...restore })),
  };
}

export function statusRoute(deps: StatusDeps): NexusRoute {
  return {
    name: 'operatorStatus',
    badRequest: statusBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardStatus(req, deps);
      if (!g.ok) return g.reply;
      const { caller, via } = g.value;
      let collector: Partial<StatusResponse> | undefined;
      try {
        collector = await collectorFields(caller, via, deps);
      } catch (e) {
        // An emergency path: answer with this replica's own (empty) collection rather than not at all.
        deps.log.warn('status: the collecting replica could not be asked', { error: describeError(e) });
      }
      return handleStatus(caller, deps, await replicaFields(deps), collector);
    },
  };
}

/** The status deps from the routes' shared deps (the collector gives the progress). */
export function statusDepsFrom(deps: RouteDeps, progress: RestoreProgress): StatusDeps {
  return {
    roots: deps.roots,
    log: deps.log,
    ready: () => deps.state.ready(),
    progress,
    fingerprint: () => deps.state.rootKey.use((k) => fingerprintOf(k, deps.shamir)) ?? '',
    rotation: () => deps.rotation.progress(),
    restart: () => deps.collector.restart(),
    ...(deps.replicas === undefined ? {} : { replicas: deps.replicas }),
    ...(deps.restoreForward === undefined ? {} : { forward: deps.restoreForward }),
  };
}
