import { afterEach, describe, expect, it } from 'vitest';
import { NexusState } from '../../../src/nexus/state/nexus-state.js';
import { recoverFromKeepers } from '../../../src/nexus/sync/recovery.js';
import { KeeperSync } from '../../../src/nexus/sync/push.js';
import { captureLogger, FakeGate, FakeKeeper, keyOf, sharesOf } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(storedKey?: Uint8Array) {
  const logs = captureLogger();
  const gate = new FakeGate(storedKey);
  const keepers = [new FakeKeeper(1), new FakeKeeper(2), new FakeKeeper(3)];
  const ref: { sync?: KeeperSync } = {};
  const state = new NexusState({ gate, log: logs.log, onInstalled: () => void ref.sync?.pushNow('installed') });
  const sync = new KeeperSync({ keepers, rootKey: state.rootKey, threshold: 2, shares: 3, log: logs.log, intervalMs: 60_000, retryMaxMs: 40 });
  ref.sync = sync;
  const abort = new AbortController();
  cleanups.push(async () => {
    abort.abort();
    await sync.stop();
    await state.close();
  });
  const run = (): Promise<void> =>
    recoverFromKeepers({ keepers, threshold: 2, state, log: logs.log, maxIntervalMs: 20, initialIntervalMs: 5, signal: abort.signal });
  return { logs, gate, keepers, state, sync, abort, run };
}

describe('recovery from keepers', () => {
  it('enough shards → key checked and installed → every keeper refilled at once', async () => {
    const key = keyOf(1);
    const t = setup(key);
    const s = sharesOf(key);
    t.keepers[0]!.shard = s[0]!.value;
    t.keepers[2]!.shard = s[2]!.value;
    await t.run();
    expect(t.state.ready()).toBe(true);
    expect(t.logs.events('root_key_ready')).toEqual([expect.objectContaining({ source: 'keepers' })]);
    await until(() => t.keepers[1]!.shard !== undefined);
    expect(Buffer.from(t.keepers[1]!.shard!).equals(Buffer.from(s[1]!.value))).toBe(true);
  });

  it('keeps polling while keepers are down or empty; restore_needed once per change when data exists', async () => {
    const key = keyOf(1);
    const t = setup(key);
    const s = sharesOf(key);
    t.keepers[0]!.down = true;
    t.keepers[1]!.nullAnswer = true; // a 200 with a null shard: just a bad answer
    const p = t.run();
    await until(() => t.keepers[2]!.fetches >= 3);
    expect(t.logs.events('restore_needed')).toEqual([expect.objectContaining({ collected: 0, threshold: 2 })]);
    t.keepers[2]!.shard = s[2]!.value;
    await until(() => t.logs.events('restore_needed').length === 2);
    expect(t.logs.events('restore_needed')[1]).toEqual(expect.objectContaining({ collected: 1 }));
    t.keepers[0]!.down = false;
    t.keepers[0]!.shard = s[0]!.value;
    await p;
    expect(t.state.ready()).toBe(true);
  });

  it('no restore_needed on a fresh store (never bootstrapped)', async () => {
    const t = setup();
    const p = t.run();
    await until(() => t.keepers[0]!.fetches >= 3);
    expect(t.logs.events('restore_needed')).toEqual([]);
    const s = sharesOf(keyOf(4));
    t.keepers[1]!.shard = s[1]!.value;
    t.keepers[2]!.shard = s[2]!.value;
    await p;
    expect(t.state.ready()).toBe(true);
  });

  it('stale shards (another key) are rejected: nothing installed, keepers untouched', async () => {
    const key = keyOf(1);
    const t = setup(key);
    const stale = sharesOf(keyOf(2));
    for (const k of t.keepers) k.shard = stale[k.id - 1]!.value;
    const p = t.run();
    await until(() => t.logs.events('root_key_rejected').length >= 1 && t.logs.events('restore_needed').length >= 1);
    expect(t.state.ready()).toBe(false);
    expect(t.keepers.every((k) => k.contributions === 0)).toBe(true);
    expect(t.logs.events('restore_needed')[0]).toEqual(expect.objectContaining({ collected: 0 }));
    t.abort.abort();
    await p;
  });

  it('never mixes shards of different rounds', async () => {
    const key = keyOf(1);
    const t = setup(key);
    const s = sharesOf(key);
    // keeper 1 answers only in odd rounds, keeper 2 only in even rounds
    let round = 0;
    t.keepers[0]!.fetchShard = async () => (++round % 2 === 1 ? Uint8Array.from(s[0]!.value) : undefined);
    t.keepers[1]!.fetchShard = async () => (round % 2 === 0 ? Uint8Array.from(s[1]!.value) : undefined);
    const p = t.run();
    await until(() => round >= 6);
    expect(t.state.ready()).toBe(false);
    t.abort.abort();
    await p;
  });

  it('stops when an operator restore installed the key meanwhile', async () => {
    const t = setup();
    const p = t.run();
    await until(() => t.keepers[0]!.fetches >= 1);
    await t.state.install(keyOf(8), 'restore');
    await p;
    expect(t.logs.events('root_key_ready')).toEqual([expect.objectContaining({ source: 'restore' })]);
  });
});

describe('keeper sync (push)', () => {
  it('validates interval and keeper count', () => {
    const logs = captureLogger();
    const state = new NexusState({ gate: new FakeGate(), log: logs.log });
    const keepers = [new FakeKeeper(1), new FakeKeeper(2)];
    expect(() => new KeeperSync({ keepers, rootKey: state.rootKey, threshold: 2, shares: 3, log: logs.log, intervalMs: 1000, retryMaxMs: 10 })).toThrow(/keeper count/);
    expect(() => new KeeperSync({ keepers, rootKey: state.rootKey, threshold: 2, shares: 2, log: logs.log, intervalMs: 0, retryMaxMs: 10 })).toThrow(/interval/);
  });

  it('skips without a key; pushes share i to keeper i; retries a failing keeper quickly and logs keeper_refilled', async () => {
    const t = setup();
    const none = await t.sync.pushNow('test');
    expect(none.skipped).toBe(true);
    await t.state.install(keyOf(1), 'restore');
    await until(() => t.keepers.every((k) => k.shard !== undefined));
    const s = sharesOf(keyOf(1));
    for (const k of t.keepers) expect(Buffer.from(k.shard!).equals(Buffer.from(s[k.id - 1]!.value))).toBe(true);
    t.keepers[1]!.down = true;
    t.keepers[1]!.shard = undefined;
    const r = await t.sync.pushNow('test');
    expect(r.failed).toEqual([2]);
    expect(t.logs.lines.filter((l) => l.msg === 'keeper_push_failed')).toHaveLength(1);
    t.sync.start();
    t.keepers[1]!.down = false;
    await until(() => t.keepers[1]!.shard !== undefined, 3000);
    await until(() => t.logs.lines.some((l) => l.msg === 'keeper_refilled'));
    const refilled = t.logs.lines.find((l) => l.msg === 'keeper_refilled');
    expect(refilled).toEqual(expect.objectContaining({ keeper: 2, level: 'INFO' }));
    expect(typeof refilled?.withoutShardMs).toBe('number');
  });

  it('periodic push refills a keeper that lost its shard without Nexus noticing', async () => {
    const logs = captureLogger();
    const state = new NexusState({ gate: new FakeGate(), log: logs.log });
    await state.install(keyOf(1), 'keepers');
    const keepers = [new FakeKeeper(1), new FakeKeeper(2)];
    const sync = new KeeperSync({ keepers, rootKey: state.rootKey, threshold: 2, shares: 2, log: logs.log, intervalMs: 30, retryMaxMs: 10 });
    cleanups.push(async () => {
      await sync.stop();
      await state.close();
    });
    sync.start();
    await until(() => keepers.every((k) => k.shard !== undefined));
    const [, second] = sharesOf(keyOf(1), 2, 2);
    // keeper 2 restarts empty; nothing tells Nexus
    keepers[1]!.shard = undefined;
    const before = keepers[1]!.contributions;
    await until(() => keepers[1]!.shard !== undefined);
    expect(keepers[1]!.contributions).toBeGreaterThan(before);
    expect(Buffer.from(keepers[1]!.shard!).equals(Buffer.from(second!.value))).toBe(true);
  });
});
