// Shared bits of the rotation unit tests: an engine host over a fake store
// (the in-memory root key as NexusState holds it), keepers behind a real
// KeeperSync, and a condition wait (no time bound of its own: the test
// runner's timeout is the bound).
import { RootKey } from '../../../../src/nexus/state/rootkey.js';
import { KeeperSync } from '../../../../src/nexus/sync/push.js';
import { RotationEngine, type RotationEngineOptions } from '../../../../src/nexus/rotation/engine.js';
import { recoverSecret } from '../../../../src/shamir/index.js';
import type { Failpoints } from '../../../../src/common/failpoint.js';
import { captureLogger, FakeKeeper } from '../fixtures.js';
import { FakeRotationStore } from './fake-rotation-store.js';

export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
}

export interface Rig {
  store: FakeRotationStore;
  rootKey: RootKey;
  keepers: FakeKeeper[];
  sync: KeeperSync;
  engine: RotationEngine;
  logs: ReturnType<typeof captureLogger>;
  close(): Promise<void>;
}

/** An engine (threshold 2 of 3 keepers) over `store`; the in-memory key starts as the store's sealing key (as after an install). */
export function rig(store: FakeRotationStore, o: { keepers?: FakeKeeper[]; failpoints?: Failpoints; engine?: Partial<RotationEngineOptions> } = {}): Rig {
  const logs = captureLogger();
  const rootKey = new RootKey();
  store.withSealingKey((k) => rootKey.set(k));
  const keepers = o.keepers ?? [new FakeKeeper(1), new FakeKeeper(2), new FakeKeeper(3)];
  const sync = new KeeperSync({ keepers, rootKey, threshold: 2, shares: 3, log: logs.log, intervalMs: 3_600_000, retryMaxMs: 20 });
  const engine = new RotationEngine({
    host: { store: () => ({ rotation: store }), adoptSealingKey: () => store.withSealingKey((k) => rootKey.set(k)) },
    pusher: sync,
    threshold: 2,
    shares: 3,
    log: logs.log,
    retryInitialMs: 1,
    retryMaxMs: 10,
    ...(o.failpoints ? { failpoints: o.failpoints } : {}),
    ...o.engine,
  });
  return {
    store,
    rootKey,
    keepers,
    sync,
    engine,
    logs,
    close: async () => {
      await engine.close();
      await sync.stop();
      rootKey.clear();
    },
  };
}

/** The key the keepers' shards rebuild (ids `ids`, threshold 2). */
export function keeperKey(keepers: readonly FakeKeeper[], ids: readonly number[] = [1, 2]): Buffer {
  const shares = ids.map((id) => {
    const k = keepers.find((x) => x.id === id);
    if (k?.shard === undefined) throw new Error(`keeper ${id} holds no shard`);
    return { id, value: Uint8Array.from(k.shard) };
  });
  return Buffer.from(recoverSecret(shares, 2));
}

export const heldKey = (rootKey: RootKey): Buffer => rootKey.use((k) => Buffer.from(k)) ?? Buffer.alloc(0);
