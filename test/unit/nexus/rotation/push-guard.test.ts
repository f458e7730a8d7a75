// KeeperSync's beforePush (replicas on one store: docs/postgres.md § Root-key
// rotation): a false answer holds the shard send back — no Keeper gets a share
// of a key the store retired —, true sends, a throw is logged and sends.
import { describe, expect, it } from 'vitest';
import { RootKey } from '../../../../src/nexus/state/rootkey.js';
import { KeeperSync } from '../../../../src/nexus/sync/push.js';
import { captureLogger, FakeKeeper } from '../fixtures.js';

function sync(beforePush: () => Promise<boolean>): { keepers: FakeKeeper[]; sync: KeeperSync; logs: ReturnType<typeof captureLogger>; rootKey: RootKey } {
  const logs = captureLogger();
  const rootKey = new RootKey();
  rootKey.set(Buffer.alloc(32, 7));
  const keepers = [new FakeKeeper(1), new FakeKeeper(2), new FakeKeeper(3)];
  return { keepers, logs, rootKey, sync: new KeeperSync({ keepers, rootKey, threshold: 2, shares: 3, log: logs.log, intervalMs: 3_600_000, retryMaxMs: 20, beforePush }) };
}

describe('KeeperSync beforePush', () => {
  it('false: nothing is sent, the send is reported skipped', async () => {
    const s = sync(async () => false);
    const report = await s.sync.pushNow('periodic');
    expect(report).toEqual({ ok: [], failed: [], skipped: true });
    expect(s.keepers.map((k) => k.shard)).toEqual([undefined, undefined, undefined]);
  });

  it('true: every keeper gets its share; a throw is logged and the shares are sent', async () => {
    const ok = sync(async () => true);
    expect((await ok.sync.pushNow('periodic')).ok).toEqual([1, 2, 3]);
    expect(ok.keepers.every((k) => k.shard !== undefined)).toBe(true);
    const thrown = sync(async () => {
      throw new Error('database away');
    });
    expect((await thrown.sync.pushNow('periodic')).ok).toEqual([1, 2, 3]);
    expect(JSON.stringify(thrown.logs)).toContain('checking the root key before a shard send failed');
  });
});
