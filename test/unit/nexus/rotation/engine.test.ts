// The rotation engine over a fake store (the store contract's semantics) and
// fake keepers behind the real KeeperSync: begin → batches → push → finish,
// a second start, a keeper that is down, restarts at every failpoint, step
// failures, close, and audit lines that name fingerprints, never keys.
import { afterEach, describe, expect, it } from 'vitest';
import { createFailpoints } from '../../../../src/common/failpoint.js';
import { ROTATION_FAILPOINTS } from '../../../../src/nexus/rotation/failpoint-names.js';
import { RotationEngine } from '../../../../src/nexus/rotation/engine.js';
import { computeShares, rootKeyFingerprint } from '../../../../src/shamir/index.js';
import { captureLogger, keyOf } from '../fixtures.js';
import { FakeRotationStore } from './fake-rotation-store.js';
import { heldKey, keeperKey, rig, until, type Rig } from './helpers.js';

const CALLER = 'spiffe://spike.ist/spike/pilot/role/superuser';
const OLD = keyOf(1);
const NEXT = keyOf(9);
const FP_OLD = rootKeyFingerprint(OLD, 2, 3);
const FP_NEXT = rootKeyFingerprint(NEXT, 2, 3);

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});
function track(r: Rig): Rig {
  rigs.push(r);
  return r;
}
const withNext = { engine: { newKey: () => Uint8Array.from(NEXT) } };

/** Every way a key or a share could appear in a log line. */
function leaks(text: string, secrets: Uint8Array[]): string[] {
  const forms = (b: Uint8Array): string[] => [Buffer.from(b).toString('hex'), Buffer.from(b).toString('base64'), Array.from(b).join(',')];
  return secrets.flatMap(forms).filter((f) => text.includes(f));
}

describe('RotationEngine', () => {
  it('begins, holds the new key at once, re-encrypts in batches of 500 with the event loop turning between them, pushes, finishes', async () => {
    const store = FakeRotationStore.create(OLD, 1200);
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    store.onBatch = () => ticks;
    const r = track(rig(store, withNext));

    const res = await r.engine.start(CALLER);
    expect(res).toMatchObject({ kind: 'started', progress: { phase: 'reencrypting', done: 0, total: 1200, previousFingerprint: FP_OLD, fingerprint: FP_NEXT, startedBy: CALLER } });
    // Right after begin: Nexus holds (and would push and export) the new key; nothing re-encrypted yet.
    expect(heldKey(r.rootKey).equals(Buffer.from(NEXT))).toBe(true);
    expect(store.batches).toHaveLength(0);

    await until(() => store.status() === undefined);
    ticking = false;
    expect(store.batches.map((b) => b.maxRows)).toEqual([500, 500, 500]);
    const marks = store.batches.map((b) => b.mark);
    for (let i = 1; i < marks.length; i++) expect(marks[i]).toBeGreaterThan(marks[i - 1] as number);
    expect(store.allSealedWith(NEXT)).toBe(true);
    expect(store.db.current.equals(Buffer.from(NEXT))).toBe(true);
    expect(store.db.retired.map((k) => k.toString('hex'))).toEqual([Buffer.from(OLD).toString('hex')]);
    expect(keeperKey(r.keepers, [1, 2]).equals(Buffer.from(NEXT))).toBe(true);
    expect(keeperKey(r.keepers, [2, 3]).equals(Buffer.from(NEXT))).toBe(true);

    const audit = (a: string) => r.logs.audits.filter((l) => l.action === a);
    expect(audit('rotation_started')).toEqual([expect.objectContaining({ caller: CALLER, previousFingerprint: FP_OLD, fingerprint: FP_NEXT, total: 1200 })]);
    expect(audit('rotation_progress')).toEqual([expect.objectContaining({ done: 500, total: 1200 }), expect.objectContaining({ done: 1000, total: 1200 })]);
    expect(audit('rotation_reencrypted')).toEqual([expect.objectContaining({ rows: 1200, unreadable: 0 })]);
    expect(audit('rotation_finished')).toEqual([expect.objectContaining({ caller: CALLER, previousFingerprint: FP_OLD, fingerprint: FP_NEXT, rows: 1200 })]);
    expect(audit('rotation_finished')[0]?.durationMs).toEqual(expect.any(Number));
    expect(r.engine.progress()).toBeUndefined();
  });

  it('never writes a key or a share into a log or audit line', async () => {
    const store = FakeRotationStore.create(OLD, 30);
    const r = track(rig(store, withNext));
    r.keepers[2]!.down = true; // waiting lines too
    await r.engine.start(CALLER);
    await until(() => r.logs.audits.some((l) => l.action === 'rotation_waiting_keepers'));
    r.keepers[2]!.down = false;
    await until(() => store.status() === undefined);
    const text = JSON.stringify(r.logs.lines) + JSON.stringify(r.logs.audits);
    const secrets = [OLD, NEXT, ...computeShares(OLD, 2, 3).map((s) => s.value), ...computeShares(NEXT, 2, 3).map((s) => s.value)];
    expect(leaks(text, secrets)).toEqual([]);
    expect(text).toContain(FP_NEXT);
  });

  it('a second start while one runs answers "running" for the same rotation (nothing new begun)', async () => {
    const store = FakeRotationStore.create(OLD, 10);
    const r = track(rig(store, withNext));
    r.keepers[0]!.down = true; // holds the rotation in 'pushing'
    const first = await r.engine.start(CALLER);
    expect(first.kind).toBe('started');
    const again = await r.engine.start('spiffe://spike.ist/spike/pilot/role/superuser/bob');
    expect(again.kind).toBe('running');
    if (again.kind !== 'running' || first.kind !== 'started') throw new Error('unreachable');
    expect(again.progress).toMatchObject({ previousFingerprint: FP_OLD, fingerprint: FP_NEXT, startedBy: CALLER, startedAt: first.progress.startedAt });
    await until(() => r.engine.progress()?.phase === 'pushing');
    expect(await r.engine.start(CALLER)).toMatchObject({ kind: 'running', progress: { phase: 'pushing', done: 10, total: 10 } });
    expect(store.begins).toBe(1);
  });

  it('waits for a keeper that is down (progress lists it), then finishes once it is back', async () => {
    const store = FakeRotationStore.create(OLD, 3);
    const r = track(rig(store, withNext));
    r.keepers[1]!.down = true;
    await r.engine.start(CALLER);
    await until(() => r.logs.audits.some((l) => l.action === 'rotation_waiting_keepers'));
    expect(r.engine.progress()).toMatchObject({ phase: 'pushing', waiting: [2], fingerprint: FP_NEXT });
    expect(r.logs.audits.filter((l) => l.action === 'rotation_waiting_keepers')).toEqual([expect.objectContaining({ keepers: [2] })]);
    // Retried, still waiting: not finished, and the old key is not retired yet.
    const tries = r.keepers[0]!.contributions;
    await until(() => r.logs.lines.filter((l) => l.msg === 'keeper_push_failed').length >= 1 && store.status() !== undefined);
    expect(store.db.retired).toHaveLength(0);
    expect(keeperKey(r.keepers, [1, 3]).equals(Buffer.from(NEXT))).toBe(true);
    expect(tries).toBe(1); // acknowledged keepers are not pushed again
    r.keepers[1]!.down = false;
    await until(() => store.status() === undefined);
    expect(keeperKey(r.keepers, [2, 3]).equals(Buffer.from(NEXT))).toBe(true);
    expect(r.keepers[0]!.contributions).toBe(1);
    expect(r.logs.audits.filter((l) => l.action === 'rotation_finished')).toHaveLength(1);
  });

  it('retries a failing batch (logged) and finishes', async () => {
    const store = FakeRotationStore.create(OLD, 700);
    store.failBatches = 2;
    const r = track(rig(store, withNext));
    await r.engine.start(CALLER);
    await until(() => store.status() === undefined);
    expect(r.logs.lines.filter((l) => l.msg === 'rotation step failed; retrying')).toHaveLength(2);
    expect(store.allSealedWith(NEXT)).toBe(true);
  });

  it('draws a fresh random key by default (a new fingerprint, the keepers and the store agree on it)', async () => {
    const store = FakeRotationStore.create(OLD, 2);
    const r = track(rig(store));
    const res = await r.engine.start(CALLER);
    if (res.kind !== 'started') throw new Error(res.kind);
    expect(res.progress.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(res.progress.fingerprint).not.toBe(FP_OLD);
    await until(() => store.status() === undefined);
    expect(keeperKey(r.keepers).equals(store.db.current)).toBe(true);
    expect(rootKeyFingerprint(store.db.current, 2, 3)).toBe(res.progress.fingerprint);
  });

  it('close() stops driving (the rotation stays in the store); start after close answers closed', async () => {
    const store = FakeRotationStore.create(OLD, 5);
    const r = track(rig(store, withNext));
    r.keepers[2]!.down = true;
    await r.engine.start(CALLER);
    await until(() => r.engine.progress()?.waiting.join() === '3');
    await r.engine.close();
    expect(store.status()?.phase).toBe('pushing');
    expect(await r.engine.start(CALLER)).toEqual({ kind: 'closed' });
  });

  it('no open store → not_ready; a store that cannot rotate → unsupported', async () => {
    const { log } = captureLogger();
    const none = new RotationEngine({ host: { store: () => undefined, adoptSealingKey: () => undefined }, threshold: 2, shares: 3, log, retryMaxMs: 10 });
    expect(await none.start(CALLER)).toEqual({ kind: 'not_ready' });
    const memory = new RotationEngine({ host: { store: () => ({}), adoptSealingKey: () => undefined }, threshold: 2, shares: 3, log, retryMaxMs: 10 });
    expect(await memory.start(CALLER)).toEqual({ kind: 'unsupported' });
    expect(memory.progress()).toBeUndefined();
  });
});

describe('RotationEngine after a crash at each failpoint', () => {
  // in_batch and after_batch fire on the 2nd batch: the cursor is mid-way.
  const pass = (name: string): number => (name === 'rotation.in_batch' || name === 'rotation.after_batch' ? 2 : 1);
  const resumedAt: Record<string, { phase: string; done: number } | undefined> = {
    'rotation.before_begin': undefined,
    'rotation.after_begin': { phase: 'reencrypting', done: 0 },
    'rotation.in_batch': { phase: 'reencrypting', done: 500 },
    'rotation.after_batch': { phase: 'reencrypting', done: 1000 },
    'rotation.after_reencrypt': { phase: 'pushing', done: 1200 },
    'rotation.after_push_one': { phase: 'pushing', done: 1200 },
    'rotation.before_finish': { phase: 'pushing', done: 1200 },
    'rotation.after_finish': undefined,
  };

  it('covers every failpoint name', () => {
    expect(Object.keys(resumedAt).sort()).toEqual([...ROTATION_FAILPOINTS].sort());
  });

  for (const name of ROTATION_FAILPOINTS) {
    it(`${name}: the next Nexus resumes from the stored phase and finishes (or finds nothing to do)`, async () => {
      const store = FakeRotationStore.create(OLD, 1200);
      let crashed = false;
      const box: { r?: Rig } = {};
      const fp = createFailpoints(new Map([[name, pass(name)]]), () => {
        // A SIGKILL: this engine does nothing more.
        crashed = true;
        void box.r?.engine.close();
        throw new Error('killed');
      });
      const r1 = track(rig(store, { ...withNext, failpoints: fp }));
      box.r = r1;
      await r1.engine.start(CALLER).catch(() => undefined);
      await until(() => crashed);
      await r1.close();

      // Restart: the keepers keep what they hold; the install leaves the store's sealing key in memory.
      const r2 = track(rig(store, { keepers: r1.keepers }));
      const expected = resumedAt[name];
      const finalKey = Buffer.from(name === 'rotation.before_begin' ? OLD : NEXT);
      const st = store.status();
      expect(st === undefined ? null : { phase: st.phase, done: st.done }).toEqual(expected ?? null);
      expect(heldKey(r2.rootKey).equals(finalKey)).toBe(true);

      r2.engine.resume();
      await until(() => store.status() === undefined);
      await r2.engine.close();
      expect(store.begins).toBe(name === 'rotation.before_begin' ? 0 : 1);
      expect(store.db.current.equals(finalKey)).toBe(true);
      expect(store.allSealedWith(finalKey)).toBe(true);
      // Every keeper that was pushed to holds a share of the new key (none before begin).
      const keepersRebuild = (ids: number[]): string => (r2.keepers.some((k) => ids.includes(k.id) && k.shard === undefined) ? 'none' : keeperKey(r2.keepers, ids).toString('hex'));
      const expectKeepers = name === 'rotation.before_begin' ? 'none' : Buffer.from(NEXT).toString('hex');
      expect(keepersRebuild([1, 2])).toBe(expectKeepers);
      expect(keepersRebuild([1, 3])).toBe(expectKeepers);
      const audits = (a: string, keys: string[]) => r2.logs.audits.filter((l) => l.action === a).map((l) => Object.fromEntries(keys.map((k) => [k, l[k]])));
      const fps = { previousFingerprint: FP_OLD, fingerprint: FP_NEXT };
      expect(audits('rotation_resumed', ['caller', 'phase', 'done', 'total', 'previousFingerprint', 'fingerprint'])).toEqual(
        expected === undefined ? [] : [{ caller: CALLER, ...expected, total: 1200, ...fps }],
      );
      expect(audits('rotation_finished', ['caller', 'previousFingerprint', 'fingerprint', 'rows'])).toEqual(
        expected === undefined ? [] : [{ caller: CALLER, ...fps, rows: 1200 }],
      );
    });
  }
});
