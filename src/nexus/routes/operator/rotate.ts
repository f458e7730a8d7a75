// /v1/operator/rotate (spike-ts only): begins a root-key rotation, or reports
// the one in progress (docs/design.md § Root-key rotation). The answer comes
// as soon as the rotation began (`state:"started"`) or was found running
// (`state:"running"`); re-encryption and the keeper push go on in the
// background (progress: /v1/operator/status). Answers carry shard-set
// fingerprints and row counts, never key material. Audited (`rotate`, and
// the engine's `rotation_*` lines).
import { API_INTERNAL_ERROR, ROTATION_UNSUPPORTED, STATE_NOT_READY } from '../../../protocol/errors.js';
import { rotateResponse } from '../../../protocol/messages.js';
import { formatRfc3339, goTimeFromDate } from '../../../gocompat/time.js';
import { describeError } from '../../../common/log.js';
import type { RotationProgress, StartResult } from '../../rotation/engine.js';
import type { NexusRoute, Reply, RouteDeps, RouteRequest } from '../route.js';
import { guardRotate, rotateBadRequest } from './rotate-guard.js';

export const rfc3339 = (d: Date): string => formatRfc3339(goTimeFromDate(d));

export function rotateAnswer(state: 'started' | 'running', p: RotationProgress): Buffer {
  return rotateResponse.encode({
    state,
    phase: p.phase,
    done: p.done,
    total: p.total,
    previousFingerprint: p.previousFingerprint,
    fingerprint: p.fingerprint,
    startedAt: rfc3339(p.startedAt),
    err: '',
  });
}

export async function handleRotate(caller: string, deps: RouteDeps): Promise<Reply> {
  let r: StartResult;
  try {
    r = await deps.rotation.start(caller);
  } catch (e) {
    // The engine logs its own failures: this is a bug; no details to the caller.
    deps.log.error('rotation start failed', { error: describeError(e) });
    r = { kind: 'failed' };
  }
  switch (r.kind) {
    case 'started':
    case 'running':
      deps.log.audit('rotate', { caller, outcome: r.kind, phase: r.progress.phase, previousFingerprint: r.progress.previousFingerprint, fingerprint: r.progress.fingerprint });
      return { status: 200, body: rotateAnswer(r.kind, r.progress) };
    case 'unsupported':
      deps.log.audit('rotate', { caller, outcome: 'unsupported' });
      return { status: 400, body: rotateResponse.error(ROTATION_UNSUPPORTED) };
    case 'not_ready':
    case 'closed':
      deps.log.audit('rotate', { caller, outcome: 'not_ready' });
      return { status: 503, body: rotateResponse.error(STATE_NOT_READY) };
    case 'failed':
      deps.log.audit('rotate', { caller, outcome: 'internal_error' });
      return { status: 500, body: rotateResponse.error(API_INTERNAL_ERROR) };
  }
}

export function rotateRoute(deps: RouteDeps): NexusRoute {
  return {
    name: 'operatorRotate',
    badRequest: rotateBadRequest,
    handle: async (req: RouteRequest) => {
      const g = guardRotate(req, deps);
      return g.ok ? handleRotate(g.value.caller, deps) : g.reply;
    },
  };
}
