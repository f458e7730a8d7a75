// Keeper recovery nudged by another replica's restore (docs/design.md §
// Restore through any replica): with an hour between rounds, a nudge starts
// the next round at once — also one that arrives during a round — and the key
// the Keepers now hold is installed. Without the nudge the loop would sleep
// for the hour (the test's own timeout would then fail it).
import { afterEach, describe, expect, it } from 'vitest';
import { NexusState } from '../../../src/nexus/state/nexus-state.js';
import { recoverFromKeepers } from '../../../src/nexus/sync/recovery.js';
import { captureLogger, FakeGate, FakeKeeper, keyOf, sharesOf } from './fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const HOUR = 3_600_000;

function setup(prepare?: (keepers: FakeKeeper[], refill: () => void, nudge: () => void) => void) {
  const key = keyOf(7);
  const logs = captureLogger();
  const state = new NexusState({ gate: new FakeGate(key), log: logs.log });
  const keepers = [new FakeKeeper(1), new FakeKeeper(2), new FakeKeeper(3)];
  const abort = new AbortController();
  const subscribers = new Set<() => void>();
  const nudge = (): void => subscribers.forEach((s) => s());
  const nudges = {
    subscribe: (fn: () => void) => {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
  };
  cleanups.push(async () => {
    abort.abort();
    await state.close();
  });
  const refill = (): void => {
    const s = sharesOf(key);
    keepers.forEach((k, i) => (k.shard = s[i]!.value));
  };
  prepare?.(keepers, refill, nudge);
  const done = recoverFromKeepers({ keepers, threshold: 2, state, log: logs.log, maxIntervalMs: HOUR, initialIntervalMs: HOUR, signal: abort.signal, nudges });
  return { state, keepers, nudge, refill, done, subscribers, logs };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('recovery nudges', () => {
  it('a nudge while the loop sleeps starts a round at once', async () => {
    const t = setup();
    // The first round found nothing; restore_needed is the loop's last line before it sleeps (an hour).
    await until(() => t.logs.events('restore_needed').length === 1);
    t.refill();
    t.nudge();
    await t.done;
    expect(t.state.ready()).toBe(true);
    expect(t.logs.events('root_key_ready')).toEqual([expect.objectContaining({ source: 'keepers' })]);
    expect(t.subscribers.size).toBe(0);
  });

  it('a nudge during a round is not lost', async () => {
    // Nudge from inside the first round's fetch (the Keepers are refilled right after it answered empty).
    const t = setup((keepers, refill, nudge) => {
      const k1 = keepers[0]!;
      const fetch = k1.fetchShard.bind(k1);
      let first = true;
      k1.fetchShard = async () => {
        const v = await fetch();
        if (first) {
          first = false;
          refill();
          nudge();
        }
        return v;
      };
    });
    await t.done;
    expect(t.state.ready()).toBe(true);
  });
});
