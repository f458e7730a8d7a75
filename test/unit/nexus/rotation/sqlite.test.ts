// The rotation engine and NexusState over the real SQLite store: requests
// served between batches, the old key retired at the end, a crash mid-way
// resumed after an install with the OLD key, and keeper recovery from a mix
// of old-key and new-key shards. Plaintexts are the values put in.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFailpoints, type Failpoints } from '../../../../src/common/failpoint.js';
import { checkRootKey } from '../../../../src/nexus/store/index.js';
import { sqliteGate } from '../../../../src/nexus/state/store-gate.js';
import { NexusState } from '../../../../src/nexus/state/nexus-state.js';
import { KeeperSync } from '../../../../src/nexus/sync/push.js';
import { recoverFromKeepers } from '../../../../src/nexus/sync/recovery.js';
import { RotationEngine } from '../../../../src/nexus/rotation/engine.js';
import { computeShares, rootKeyFingerprint } from '../../../../src/shamir/index.js';
import { captureLogger, FakeKeeper, keyOf } from '../fixtures.js';
import { tempDir } from '../store/helpers.js';
import { heldKey, keeperKey, until } from './helpers.js';

const CALLER = 'spiffe://spike.ist/spike/pilot/role/superuser';
const OLD = keyOf(1);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Node {
  state: NexusState;
  engine: RotationEngine;
  sync: KeeperSync;
  logs: ReturnType<typeof captureLogger>;
  stop(): Promise<void>;
}

/** A Nexus's state, push and rotation engine over `dataDir` (wired as nexus.ts wires them). */
function node(dataDir: string, keepers: FakeKeeper[], failpoints?: Failpoints): Node {
  const logs = captureLogger();
  const box: { engine?: RotationEngine } = {};
  const state = new NexusState({ gate: sqliteGate(dataDir, 10), log: logs.log, onRotationFound: () => box.engine?.resume() });
  const sync = new KeeperSync({ keepers, rootKey: state.rootKey, threshold: 2, shares: 3, log: logs.log, intervalMs: 3_600_000, retryMaxMs: 20 });
  const engine = new RotationEngine({ host: state, pusher: sync, threshold: 2, shares: 3, log: logs.log, retryInitialMs: 1, retryMaxMs: 10, batchSize: 7, ...(failpoints ? { failpoints } : {}) });
  box.engine = engine;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await engine.close();
    await sync.stop();
    await state.close();
  };
  cleanups.push(stop);
  return { state, engine, sync, logs, stop };
}

function setup(): { dataDir: string; keepers: FakeKeeper[] } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return { dataDir: join(t.dir, 'data'), keepers: [new FakeKeeper(1), new FakeKeeper(2), new FakeKeeper(3)] };
}

async function seed(n: Node, secrets: number): Promise<void> {
  expect(await n.state.install(OLD, 'keepers')).toEqual({ ok: true });
  const s = n.state.store()!;
  for (let i = 0; i < secrets; i++) await s.grouped.putSecret(`app/s${i}`, { v: `value-${i}` });
  await s.grouped.putPolicy({ name: 'p1', spiffeIdPattern: '^spiffe://spike.ist/w$', pathPattern: '^app/.*$', permissions: ['read'] });
}

describe('rotation over the SQLite store', () => {
  it('serves reads and writes between batches, ends with every value readable under the new key and the old key retired', async () => {
    const { dataDir, keepers } = setup();
    const n = node(dataDir, keepers);
    await seed(n, 30);
    const res = await n.engine.start(CALLER);
    expect(res).toMatchObject({ kind: 'started', progress: { phase: 'reencrypting', previousFingerprint: rootKeyFingerprint(OLD, 2, 3) } });
    const store = n.state.store()!;
    let served = 0;
    const reads: unknown[] = [];
    while (store.rotation?.status() !== undefined) {
      if (store.rotation.status()?.phase === 'reencrypting') {
        // A request between two batches: a read of an old row and a write (sealed with the new key).
        reads.push(await store.getSecret(`app/s${served % 30}`));
        await store.grouped.putSecret(`during/${served}`, { v: `d${served}` });
        served++;
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(served).toBeGreaterThan(1);
    expect(reads).toEqual(reads.map((_, i) => ({ v: `value-${i % 30}` })));
    const next = heldKey(n.state.rootKey);
    expect(next.equals(Buffer.from(OLD))).toBe(false);
    expect(keeperKey(keepers).equals(next)).toBe(true);
    await n.stop();

    expect(checkRootKey(dataDir, OLD)).toBe('retired');
    expect(checkRootKey(dataDir, next)).toBe('match');
    // A new Nexus: old shards are refused as retired; the new key opens everything.
    const again = node(dataDir, keepers);
    expect(await again.state.install(OLD, 'restore')).toEqual({ ok: false, reason: 'retired' });
    expect(again.logs.events('root_key_rejected')).toEqual([expect.objectContaining({ source: 'restore', reason: 'retired' })]);
    expect(await again.state.install(next, 'keepers')).toEqual({ ok: true });
    const s2 = again.state.store()!;
    for (let i = 0; i < 30; i++) expect(await s2.getSecret(`app/s${i}`)).toEqual({ v: `value-${i}` });
    for (let i = 0; i < served; i++) expect(await s2.getSecret(`during/${i}`)).toEqual({ v: `d${i}` });
    expect((await s2.getPolicy('p1')).pathPattern).toBe('^app/.*$');
  });

  it('a crash inside a batch: the next Nexus, given the OLD key, holds the new one, resumes and finishes', async () => {
    const { dataDir, keepers } = setup();
    const box: { n?: Node } = {};
    let crashed = false;
    const fp = createFailpoints(new Map([['rotation.in_batch', 3]]), () => {
      crashed = true;
      void box.n?.engine.close();
      throw new Error('killed');
    });
    const n1 = node(dataDir, keepers, fp);
    box.n = n1;
    await seed(n1, 30);
    await n1.engine.start(CALLER);
    await until(() => crashed);
    const next = heldKey(n1.state.rootKey);
    await n1.stop();
    expect(keepers.every((k) => k.shard === undefined)).toBe(true); // nothing pushed yet

    // The install alone (no engine) already holds the store's sealing key, and says a rotation is there.
    let found = 0;
    const bare = new NexusState({ gate: sqliteGate(dataDir, 10), log: captureLogger().log, onRotationFound: () => found++ });
    expect(await bare.install(OLD, 'keepers')).toEqual({ ok: true });
    expect(heldKey(bare.rootKey).equals(next)).toBe(true);
    expect(found).toBe(1);
    await bare.close();

    const n2 = node(dataDir, keepers);
    expect(await n2.state.install(OLD, 'restore')).toEqual({ ok: true });
    expect(heldKey(n2.state.rootKey).equals(next)).toBe(true);
    expect(n2.logs.audits.filter((l) => l.action === 'rotation_resumed')).toEqual([expect.objectContaining({ phase: 'reencrypting', done: 14 })]);
    await until(() => n2.logs.audits.some((l) => l.action === 'rotation_finished'));
    expect(keeperKey(keepers).equals(next)).toBe(true);
    for (let i = 0; i < 30; i++) expect(await n2.state.store()!.getSecret(`app/s${i}`)).toEqual({ v: `value-${i}` });
    await n2.stop();
    expect(checkRootKey(dataDir, OLD)).toBe('retired');
  });

  it('keeper recovery mid-rotation from mixed shares (one old-key, two new-key) installs the new key and finishes', async () => {
    const { dataDir, keepers } = setup();
    const box: { n?: Node } = {};
    let crashed = false;
    const fp = createFailpoints(new Map([['rotation.after_reencrypt', 1]]), () => {
      crashed = true;
      void box.n?.engine.close();
      throw new Error('killed');
    });
    const n1 = node(dataDir, keepers, fp);
    box.n = n1;
    await seed(n1, 5);
    await n1.engine.start(CALLER);
    await until(() => crashed);
    const next = heldKey(n1.state.rootKey);
    await n1.stop();
    const oldShares = computeShares(OLD, 2, 3);
    const newShares = computeShares(next, 2, 3);
    keepers[0]!.shard = oldShares[0]!.value; // subsets {1,2} and {1,3} rebuild neither key
    keepers[1]!.shard = newShares[1]!.value;
    keepers[2]!.shard = newShares[2]!.value;

    const n2 = node(dataDir, keepers);
    const abort = new AbortController();
    cleanups.push(() => abort.abort());
    await recoverFromKeepers({ keepers, threshold: 2, state: n2.state, log: n2.logs.log, maxIntervalMs: 10, initialIntervalMs: 1, signal: abort.signal });
    expect(n2.state.ready()).toBe(true);
    expect(heldKey(n2.state.rootKey).equals(next)).toBe(true);
    expect(n2.logs.lines.filter((l) => l.msg === 'keeper shards of more than one root key: using the subset the store accepts')).toEqual([
      expect.objectContaining({ used: [2, 3], tried: 3 }),
    ]);
    await until(() => n2.logs.audits.some((l) => l.action === 'rotation_finished'));
    expect(keeperKey(keepers, [1, 2]).equals(next)).toBe(true);
    await n2.stop();
    expect(checkRootKey(dataDir, OLD)).toBe('retired');
  });
});
