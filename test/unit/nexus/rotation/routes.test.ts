// The rotation's routes: POST /v1/operator/rotate (guard order, superuser
// only — refused before the body is read —, rotation_unsupported on memory
// and lite, 503 before the key, the answer's exact bytes), the status
// answer's fingerprint and rotation fields, and restore's retired answer.
import { timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { guardRotate } from '../../../../src/nexus/routes/operator/rotate-guard.js';
import type { RotationControl } from '../../../../src/nexus/routes/route.js';
import type { RotationProgress, StartResult } from '../../../../src/nexus/rotation/engine.js';
import type { KeyCheck } from '../../../../src/nexus/state/store-interface.js';
import { NexusState } from '../../../../src/nexus/state/nexus-state.js';
import { rootKeyFingerprint } from '../../../../src/shamir/index.js';
import { captureLogger, FakeGate, IDS, keyOf, makeHarness, restoreBody, sharesOf, TD, type Harness } from '../fixtures.js';

const ROTATE = '/v1/operator/rotate';
const STATUS = '/v1/operator/status';
const RESTORE = '/v1/operator/restore';
const FP1 = rootKeyFingerprint(keyOf(1), 2, 3);
const FP9 = rootKeyFingerprint(keyOf(9), 2, 3);
const STARTED_AT = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A RotationControl that records its callers and answers `result`. */
function fakeRotation(result: StartResult, progress?: RotationProgress): RotationControl & { callers: string[] } {
  const callers: string[] = [];
  return {
    callers,
    start: async (caller) => {
      callers.push(caller);
      return result;
    },
    progress: () => progress,
  };
}

const PROGRESS: RotationProgress = {
  phase: 'reencrypting',
  done: 500,
  total: 1200,
  unreadable: 0,
  startedAt: STARTED_AT,
  startedBy: IDS.superuser,
  previousFingerprint: FP1,
  fingerprint: FP9,
  waiting: [],
};

describe('POST /v1/operator/rotate', () => {
  it('superuser on a ready sqlite Nexus: 200 with the engine answer (RFC 3339 start, both fingerprints), audited', async () => {
    const rot = fakeRotation({ kind: 'started', progress: { ...PROGRESS, done: 0 } });
    h = await makeHarness({ storedKey: keyOf(1), installed: keyOf(1), rotation: rot });
    const r = await h.post(ROTATE, '{}', IDS.superuser);
    expect(r.status).toBe(200);
    expect(r.body).toBe(
      `{"state":"started","phase":"reencrypting","done":0,"total":1200,"previousFingerprint":"${FP1}","fingerprint":"${FP9}","startedAt":"2026-01-02T03:04:05Z"}`,
    );
    expect(rot.callers).toEqual([IDS.superuser]);
    expect(h.logs.audits.filter((a) => a.action === 'rotate')).toEqual([expect.objectContaining({ caller: IDS.superuser, outcome: 'started', fingerprint: FP9 })]);
    // `null` is the empty request too; a running rotation answers "running".
    const running = fakeRotation({ kind: 'running', progress: { ...PROGRESS, phase: 'pushing', done: 1200 } });
    await h.close();
    h = await makeHarness({ storedKey: keyOf(1), installed: keyOf(1), rotation: running });
    const r2 = await h.post(ROTATE, 'null', `${IDS.superuser}/alice`);
    expect(r2.status).toBe(200);
    expect(JSON.parse(r2.body)).toMatchObject({ state: 'running', phase: 'pushing', done: 1200, total: 1200 });
  });

  it('refuses every other caller with 401 access_unauthorized before reading the body (early filter), audited', async () => {
    const rot = fakeRotation({ kind: 'started', progress: PROGRESS });
    h = await makeHarness({ storedKey: keyOf(1), installed: keyOf(1), rotation: rot });
    for (const who of [IDS.recover, IDS.restore, IDS.nexus, IDS.keeper, IDS.bootstrap, `spiffe://${TD}/workload`, 'spiffe://other.td/spike/pilot/role/superuser', undefined]) {
      // A malformed body: the guard would answer 400; the early filter answers first.
      for (const body of ['{}', '[']) {
        const r = await h.post(ROTATE, body, who);
        expect(r.status, `${who} ${body}`).toBe(401);
        expect(JSON.parse(r.body)).toMatchObject({ err: 'access_unauthorized' });
      }
    }
    expect(rot.callers).toEqual([]);
    expect(h.logs.audits.filter((a) => a.action === 'rotate' && a.outcome === 'unauthorized').length).toBeGreaterThanOrEqual(16);
  });

  it('the guard alone: a malformed body is 400 api_bad_request from anyone; then the role (401, audited); then the backend', () => {
    const { log, audits } = captureLogger();
    const roots = { pilot: [TD], nexus: [TD], keeper: [TD], bootstrap: [TD], liteWorkload: [TD] };
    const g = (body: string | undefined, peerId: string | undefined, backend: 'sqlite' | 'memory' | 'lite' | 'postgres' = 'sqlite') =>
      guardRotate({ body: body === undefined ? undefined : Buffer.from(body), peerId }, { roots, log, backend });
    for (const bad of ['[', '"x"', '[]', '{} x', '']) {
      const r = g(bad, IDS.restore);
      expect(r.ok, bad).toBe(false);
      expect(r.ok ? undefined : { status: r.reply.status, err: JSON.parse(r.reply.body.toString()).err }).toEqual({ status: 400, err: 'api_bad_request' });
    }
    const refused = g('{}', IDS.recover, 'memory');
    expect(refused.ok ? undefined : { status: refused.reply.status, err: JSON.parse(refused.reply.body.toString()).err }).toEqual({ status: 401, err: 'access_unauthorized' });
    expect(audits).toEqual([expect.objectContaining({ action: 'rotate', caller: IDS.recover, outcome: 'unauthorized' })]);
    for (const backend of ['memory', 'lite'] as const) {
      const r = g('{}', IDS.superuser, backend);
      expect(r.ok ? undefined : { status: r.reply.status, err: JSON.parse(r.reply.body.toString()).err }).toEqual({ status: 400, err: 'rotation_unsupported' });
    }
    // PostgreSQL rotates (docs/postgres.md § Root-key rotation).
    expect(g('{}', IDS.superuser, 'postgres')).toEqual({ ok: true, value: { caller: IDS.superuser } });
    expect(g('{"extra":1}', IDS.superuser)).toEqual({ ok: true, value: { caller: IDS.superuser } });
  });

  it('memory and lite backends: 400 rotation_unsupported for the superuser (the engine is never asked)', async () => {
    for (const backend of ['memory', 'lite'] as const) {
      const rot = fakeRotation({ kind: 'started', progress: PROGRESS });
      h = await makeHarness({ backend, ...(backend === 'lite' ? { storedKey: keyOf(1), installed: keyOf(1) } : {}), rotation: rot });
      const r = await h.post(ROTATE, '{}', IDS.superuser);
      expect({ backend, status: r.status, err: JSON.parse(r.body).err }).toEqual({ backend, status: 400, err: 'rotation_unsupported' });
      expect(rot.callers).toEqual([]);
      await h.close();
      h = undefined;
    }
  });

  it('a store that cannot rotate (the real engine says so) → 400 rotation_unsupported; no root key yet → 503 state_not_ready', async () => {
    h = await makeHarness({ storedKey: keyOf(1), installed: keyOf(1) }); // the fake gate opens memory stores
    const r = await h.post(ROTATE, '{}', IDS.superuser);
    expect({ status: r.status, err: JSON.parse(r.body).err }).toEqual({ status: 400, err: 'rotation_unsupported' });
    await h.close();
    h = await makeHarness({ storedKey: keyOf(1) });
    const nr = await h.post(ROTATE, '{}', IDS.superuser);
    expect({ status: nr.status, err: JSON.parse(nr.body).err }).toEqual({ status: 503, err: 'state_not_ready' });
  });

  it('engine outcomes map to answers: not_ready → 503, failed → 500 api_internal_error', async () => {
    for (const [kind, status, err] of [
      ['not_ready', 503, 'state_not_ready'],
      ['closed', 503, 'state_not_ready'],
      ['failed', 500, 'api_internal_error'],
    ] as const) {
      h = await makeHarness({ storedKey: keyOf(1), installed: keyOf(1), rotation: fakeRotation({ kind }) });
      const r = await h.post(ROTATE, '{}', IDS.superuser);
      expect({ kind, status: r.status, err: JSON.parse(r.body).err }).toEqual({ kind, status, err });
      await h.close();
      h = undefined;
    }
  });
});

describe('POST /v1/operator/status: fingerprint and rotation', () => {
  it('ready: the live key fingerprint; during a rotation its phase, progress, new fingerprint, start and waiting keepers', async () => {
    h = await makeHarness({ storedKey: keyOf(1), installed: keyOf(1), rotation: fakeRotation({ kind: 'failed' }, { ...PROGRESS, phase: 'pushing', done: 1200, waiting: [2, 3] }) });
    const r = await h.post(STATUS, '{}', IDS.restore);
    expect(r.body).toBe(
      `{"ready":true,"collected":0,"remaining":0,"threshold":2,"ids":[],"fingerprint":"${FP1}","rotation":"pushing","rotationDone":1200,"rotationTotal":1200,` +
        `"rotationFingerprint":"${FP9}","rotationStartedAt":"2026-01-02T03:04:05Z","rotationWaiting":[2,3]}`,
    );
  });

  it('not ready: neither fingerprint nor rotation fields', async () => {
    h = await makeHarness({ storedKey: keyOf(1), rotation: fakeRotation({ kind: 'failed' }, PROGRESS) });
    const r = await h.post(STATUS, '{}', IDS.restore);
    expect(r.body).toBe('{"ready":false,"collected":0,"remaining":2,"threshold":2,"ids":[]}');
  });
});

/** The fake gate with a retired key (a finished rotation replaced it). */
class RetiringGate extends FakeGate {
  constructor(
    current: Uint8Array,
    readonly retired: Uint8Array,
  ) {
    super(current);
  }
  #verdict(key: Uint8Array): KeyCheck {
    if (key.length === 32 && timingSafeEqual(key, this.retired)) return 'retired';
    return this.keyCheck !== undefined && key.length === 32 && timingSafeEqual(this.keyCheck, key) ? 'match' : 'mismatch';
  }
  override async checkKey(key: Uint8Array): Promise<KeyCheck> {
    return this.#verdict(key);
  }
  override async withKeyCheck<T>(fn: (check: (key: Uint8Array) => KeyCheck) => T): Promise<T> {
    return fn((k) => this.#verdict(k));
  }
}

describe('retired keys', () => {
  it('restore: shards of the retired key → 200 no_fit with retired:true, audited refused_retired_key, nothing installed', async () => {
    h = await makeHarness({ gate: new RetiringGate(keyOf(2), keyOf(1)) });
    const [s1, s2] = sharesOf(keyOf(1));
    const a1 = await h.post(RESTORE, restoreBody(1, Array.from(s1!.value)), IDS.restore);
    expect(JSON.parse(a1.body)).toMatchObject({ state: 'collecting' });
    const a2 = await h.post(RESTORE, restoreBody(2, Array.from(s2!.value)), IDS.restore);
    expect(a2.status).toBe(200);
    expect(JSON.parse(a2.body)).toMatchObject({ state: 'no_fit', restored: false, retired: true, collected: 2 });
    expect(h.logs.audits.filter((a) => a.action === 'restore').map((a) => a.outcome)).toEqual(['collected', 'refused_retired_key']);
    expect(h.state.ready()).toBe(false);
    expect(h.gate.opened).toBe(0);
    // A foreign set is a plain no_fit (no retired flag).
    await h.post(`${RESTORE}?action=reset`, '{}', IDS.restore);
    const [x1, x2] = sharesOf(keyOf(5));
    await h.post(RESTORE, restoreBody(1, Array.from(x1!.value)), IDS.restore);
    const a3 = await h.post(RESTORE, restoreBody(2, Array.from(x2!.value)), IDS.restore);
    expect(JSON.parse(a3.body)).toMatchObject({ state: 'no_fit' });
    expect(JSON.parse(a3.body).retired).toBeUndefined();
    expect(h.logs.audits.filter((a) => a.action === 'restore').at(-1)).toMatchObject({ outcome: 'no_fit' });
  });

  it('NexusState: a retired key is refused (reason retired, root_key_rejected), nothing opened', async () => {
    const { log, lines } = captureLogger();
    const gate = new RetiringGate(keyOf(2), keyOf(1));
    const state = new NexusState({ gate, log });
    expect(await state.install(keyOf(1), 'keepers')).toEqual({ ok: false, reason: 'retired' });
    expect(lines.filter((l) => l.msg === 'root_key_rejected')).toEqual([expect.objectContaining({ source: 'keepers', reason: 'retired' })]);
    expect(gate.opened).toBe(0);
    expect(state.ready()).toBe(false);
    expect(await state.install(keyOf(2), 'keepers')).toEqual({ ok: true });
    await state.close();
  });
});
