// The rotation engine on a store shared by replicas (PostgreSQL), two engines
// (replicas A and B) over two pools on one database, with fake Keepers behind a
// real KeeperSync each: a rotate through A starts, one through B meanwhile is
// answered `running` with the fingerprints of the keys B holds for it (the new
// and the old one, as A's answer), A drives it to the end; B's in-memory key
// follows through the store's onKeys hook. Then A is closed mid-rotation (a
// crash): B's resume() waits while A's lease is live and, once it ran out,
// takes the rotation over and finishes it.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { RootKey } from '../../../../src/nexus/state/rootkey.js';
import { KeeperSync } from '../../../../src/nexus/sync/push.js';
import { RotationEngine } from '../../../../src/nexus/rotation/engine.js';
import type { NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import { connectPostgres, openPostgresStore } from '../../../../src/nexus/store/postgres/index.js';
import type { SharedStoreRotation } from '../../../../src/nexus/store/postgres/rotation-api.js';
import { usePostgres } from '../../../helpers/postgres.js';
import { captureLogger, FakeKeeper } from '../fixtures.js';
import { testKey } from '../store/helpers.js';
import { until } from './helpers.js';

const cluster = usePostgres();

const OLD = testKey(0x42);

interface Replica {
  store: NexusStore;
  rotation: SharedStoreRotation;
  rootKey: RootKey;
  engine: RotationEngine;
  sync: KeeperSync;
  close(): Promise<void>;
}

async function replica(url: string, keepers: FakeKeeper[]): Promise<Replica> {
  const { log } = captureLogger();
  const rootKey = new RootKey();
  const box: { store?: NexusStore } = {};
  const adopt = (): void => {
    box.store?.rotation?.withSealingKey((k) => rootKey.set(k));
  };
  const store = await openPostgresStore(await connectPostgres({ url, maxConnections: 4 }), { rootKey: OLD, maxVersions: 10, onKeys: (w) => w === 'changed' && adopt() });
  box.store = store;
  adopt();
  const sync = new KeeperSync({ keepers, rootKey, threshold: 2, shares: 3, log, intervalMs: 3_600_000, retryMaxMs: 20 });
  const engine = new RotationEngine({
    host: { store: () => store, adoptSealingKey: adopt },
    pusher: sync,
    threshold: 2,
    shares: 3,
    log,
    retryInitialMs: 1,
    retryMaxMs: 10,
    batchSize: 5,
  });
  return {
    store,
    rotation: store.rotation as SharedStoreRotation,
    rootKey,
    engine,
    sync,
    close: async () => {
      await engine.close();
      await sync.stop();
      await store.close();
      rootKey.clear();
    },
  };
}

/** Replicas A and B on a fresh database, behind the same three fake Keepers. */
async function twoReplicas(): Promise<{ url: string; a: Replica; b: Replica }> {
  const url = await cluster().createDatabase();
  const keepers = [new FakeKeeper(1), new FakeKeeper(2), new FakeKeeper(3)];
  return { url, a: await replica(url, keepers), b: await replica(url, keepers) };
}

const heldKey = (r: Replica): string => r.rootKey.use((k) => k.toString('hex')) ?? '';

describe('RotationEngine on a shared store', () => {
  it('one rotation across replicas: B answers running with the same fingerprints; A drives it; B holds the new key', async () => {
    const { a, b } = await twoReplicas();
    try {
      for (let i = 0; i < 30; i++) await a.store.grouped.putSecret(`s/${i}`, { v: String(i) });
      const started = await a.engine.start('spiffe://spike.ist/spike/pilot/role/superuser');
      expect(started.kind).toBe('started');
      const second = await b.engine.start('spiffe://spike.ist/spike/pilot/role/superuser');
      expect(second.kind).toBe('running');
      if (started.kind !== 'started' || second.kind !== 'running') return;
      expect(second.progress.fingerprint).toBe(started.progress.fingerprint);
      expect(second.progress.previousFingerprint).toBe(started.progress.previousFingerprint);
      expect(second.progress.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      await until(() => a.engine.progress() === undefined);
      expect(await b.rotation.refresh()).toBe('changed');
      expect(b.engine.progress()).toBeUndefined();
      expect(heldKey(b)).toBe(heldKey(a));
      expect(heldKey(b)).not.toBe(OLD.toString('hex'));
      expect(await b.store.getSecret('s/29')).toEqual({ v: '29' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the driver gone mid-rotation: B takes it over once the lease ran out, not before', async () => {
    const { url, a, b } = await twoReplicas();
    try {
      for (let i = 0; i < 30; i++) await a.store.grouped.putSecret(`s/${i}`, { v: String(i) });
      // A begins and does one batch, then "crashes" (closed, lease left in place).
      await a.rotation.begin(testKey(0x77), 'op');
      await a.rotation.reencryptBatch(5);
      await a.close();
      await b.rotation.refresh();
      b.engine.resume();
      await until(() => b.rotation.status() !== undefined);
      // The lease is live: B's resume() does not take it.
      expect(await b.rotation.claim()).toBe(false);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query("UPDATE spike_ts_rotation SET lease_until = now() - interval '1 second'");
      await c.end();
      b.engine.resume();
      await until(() => b.rotation.status() === undefined && b.engine.progress() === undefined);
      expect(heldKey(b)).toBe(testKey(0x77).toString('hex'));
      expect(await b.store.getSecret('s/0')).toEqual({ v: '0' });
    } finally {
      await b.close();
    }
  });
});
