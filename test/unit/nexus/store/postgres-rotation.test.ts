// Root-key rotation on a PostgreSQL store shared by replicas (several pools on
// one database, as several Nexus processes): begin/batches/finish, what every
// row is sealed with afterwards (opened here with the keys directly, not through
// the store), a replica that has not heard of the rotation (its writes are
// fenced onto the new key, its reads learn the key or answer 503), one rotation
// at a time, the driver lease and a take-over after a "crash", and store copy's
// refusal of a store mid-rotation.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StoreError, StoreUnavailableError } from '../../../../src/nexus/store/index.js';
import { openMetadata, openPolicyFields, openSecretValues } from '../../../../src/nexus/store/sqlite/rows.js';
import type { NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import { checkPostgresRootKey, connectPostgres, openPostgresStore } from '../../../../src/nexus/store/postgres/index.js';
import type { SharedStoreRotation } from '../../../../src/nexus/store/postgres/rotation-api.js';
import { copyStore, CopyError, openCopySource, openCopyTarget, parseStoreEndpoint } from '../../../../src/nexus/store/copy/index.js';
import { keysInStep } from '../../../../src/nexus/rotation/replica-watch.js';
import { usePostgres } from '../../../helpers/postgres.js';
import { tempDir, testKey } from './helpers.js';

const cluster = usePostgres();

const OLD = testKey(0x42);
const NEW = testKey(0x17);

interface Replica {
  store: NexusStore;
  rotation: SharedStoreRotation;
  events: string[];
}

async function replica(url: string, key: Uint8Array): Promise<Replica> {
  const events: string[] = [];
  const store = await openPostgresStore(await connectPostgres({ url, maxConnections: 4 }), { rootKey: key, maxVersions: 10, onKeys: (w) => events.push(w) });
  const rotation = store.rotation as SharedStoreRotation;
  expect(rotation.shared).toBe(true);
  return { store, rotation, events };
}

async function raw(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

function opens(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

/** Every sealed row of the database, and which of the two keys opens it (independently of the store's code paths). */
async function sealedWith(url: string): Promise<{ old: number; new: number; neither: number; rows: number }> {
  const c = await raw(url);
  try {
    const out = { old: 0, new: 0, neither: 0, rows: 0 };
    const tally = (byOld: boolean, byNew: boolean): void => {
      out.rows++;
      if (byNew) out.new++;
      else if (byOld) out.old++;
      else out.neither++;
    };
    for (const r of (await c.query('SELECT nonce, encrypted_data FROM secrets')).rows) {
      tally(
        opens(() => openSecretValues(OLD, r.nonce, r.encrypted_data)),
        opens(() => openSecretValues(NEW, r.nonce, r.encrypted_data)),
      );
    }
    for (const r of (await c.query('SELECT * FROM secret_metadata')).rows) tally(opens(() => openMetadata(OLD, r)), opens(() => openMetadata(NEW, r)));
    for (const r of (await c.query('SELECT * FROM policies')).rows) tally(opens(() => openPolicyFields(OLD, r)), opens(() => openPolicyFields(NEW, r)));
    return out;
  } finally {
    await c.end();
  }
}

async function fill(store: NexusStore, secrets: number, policies: number): Promise<void> {
  for (let i = 0; i < secrets; i++) {
    await store.grouped.putSecret(`app/s${String(i).padStart(3, '0')}`, { v: `one-${i}` });
    if (i % 3 === 0) await store.grouped.putSecret(`app/s${String(i).padStart(3, '0')}`, { v: `two-${i}` });
  }
  for (let i = 0; i < policies; i++) await store.grouped.putPolicy({ name: `p${i}`, spiffeIdPattern: '^spiffe://x/.*$', pathPattern: `^app/${i}$`, permissions: ['read'] });
}

async function runToPushing(r: Replica, batch: number, between?: () => Promise<void>): Promise<number> {
  let batches = 0;
  for (;;) {
    const s = await r.rotation.reencryptBatch(batch);
    batches++;
    if (s.phase === 'pushing') return batches;
    await between?.();
  }
}

describe('PostgreSQL root-key rotation across replicas', () => {
  it('re-seals every row under the new key in batches; a replica that never heard of it writes under the new key and reads everything', async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url, OLD);
    const b = await replica(url, OLD);
    try {
      await fill(a.store, 40, 5);
      const before = await sealedWith(url);
      expect(before).toMatchObject({ old: before.rows, new: 0, neither: 0 });

      const begun = await a.rotation.begin(NEW, 'spiffe://spike.ist/spike/pilot/role/superuser');
      expect(begun).toMatchObject({ phase: 'reencrypting', done: 0, total: before.rows });
      // The new key is a match while the rotation runs, as the old one.
      const db = await connectPostgres({ url });
      expect(await checkPostgresRootKey(db, NEW)).toBe('match');
      expect(await checkPostgresRootKey(db, OLD)).toBe('match');

      // B has not refreshed: its write is fenced, it learns the new key and seals with it.
      expect(b.rotation.status()).toBeUndefined();
      await b.store.grouped.putSecret('zz/by-b', { v: 'written by B mid-rotation' });
      expect(b.events).toEqual(['changed']);
      expect(b.rotation.status()).toMatchObject({ phase: 'reencrypting' });
      const c = await raw(url);
      const row = (await c.query("SELECT nonce, encrypted_data FROM secrets WHERE path = 'zz/by-b'")).rows[0];
      await c.end();
      expect(openSecretValues(NEW, row.nonce, row.encrypted_data)).toEqual({ v: 'written by B mid-rotation' });
      expect(opens(() => openSecretValues(OLD, row.nonce, row.encrypted_data))).toBe(false);

      // Batches of 7 rows, with writes through both replicas between them.
      let n = 0;
      const batches = await runToPushing(a, 7, async () => {
        n++;
        await b.store.grouped.putSecret(`app/s${String(n).padStart(3, '0')}`, { v: `b-${n}` });
        await a.store.grouped.putPolicy({ name: `q${n}`, spiffeIdPattern: '^spiffe://y/.*$', pathPattern: '^q$', permissions: ['write'] });
      });
      expect(batches).toBeGreaterThan(Math.floor(before.rows / 7));
      expect(a.rotation.status()).toMatchObject({ phase: 'pushing', done: before.rows, total: before.rows, unreadable: 0 });
      await a.rotation.finish();
      expect(a.rotation.status()).toBeUndefined();

      const after = await sealedWith(url);
      expect(after).toMatchObject({ new: after.rows, old: 0, neither: 0 });
      expect(await checkPostgresRootKey(db, OLD)).toBe('retired');
      expect(await checkPostgresRootKey(db, NEW)).toBe('match');
      await db.close();

      // B reads every secret (old and written during the rotation) and drops the old key on refresh.
      expect(await b.rotation.refresh()).toBe('changed');
      expect(b.rotation.withPreviousKey(() => true)).toBeUndefined();
      expect(b.rotation.withSealingKey((k) => k.equals(NEW))).toBe(true);
      expect(await b.store.getSecret('app/s000')).toEqual({ v: 'two-0' });
      expect(await b.store.getSecret('app/s001')).toEqual({ v: 'b-1' });
      expect(await b.store.getSecret('app/s038')).toEqual({ v: 'one-38' });
      expect(await b.store.getSecret('zz/by-b')).toEqual({ v: 'written by B mid-rotation' });
      expect((await b.store.listPolicies()).length).toBe(5 + n);
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('writes and reads through a replica racing its own key refresh right after a begin all succeed (none answered 503)', async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url, OLD);
    const b = await replica(url, OLD);
    try {
      await fill(a.store, 20, 1);
      for (let round = 0; round < 3; round++) {
        const next = testKey(0x20 + round);
        await a.rotation.begin(next, 'op');
        // B learns the key through whichever comes first: a refresh of its own or a fenced write / unreadable read.
        const results = await Promise.allSettled([
          b.rotation.refresh(),
          ...Array.from({ length: 20 }, (_, i) => b.store.grouped.putSecret(`race/${round}/${i}`, { v: String(i) })),
          ...Array.from({ length: 10 }, (_, i) => a.store.grouped.putSecret(`app/s${String(i).padStart(3, '0')}`, { v: `r${round}` }).then(() => b.store.getSecret(`app/s${String(i).padStart(3, '0')}`))),
        ]);
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
        await runToPushing(a, 50);
        await a.rotation.finish();
      }
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('a replica that slept through a whole rotation answers 503 (reads and writes), never data, and is told it lacks the key', async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url, OLD);
    const c = await replica(url, OLD);
    try {
      await fill(a.store, 5, 1);
      await a.rotation.begin(NEW, 'op');
      await runToPushing(a, 100);
      await a.rotation.finish();
      const read = await c.store.getSecret('app/s001').then(
        (v) => v,
        (e: unknown) => e,
      );
      expect(read).toBeInstanceOf(StoreUnavailableError);
      expect(c.events).toEqual(['stale']);
      await expect(c.store.grouped.putSecret('x', { v: '1' })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(c.store.listPolicies()).rejects.toBeInstanceOf(StoreUnavailableError);
      // Its shard sends are held back (KeeperSync's beforePush): its key must not reach a Keeper.
      expect(await keysInStep({ store: () => c.store })).toBe(false);
      expect(await keysInStep({ store: () => a.store })).toBe(true);
      // Nothing was written by the stale replica.
      expect(await sealedWith(url)).toMatchObject({ old: 0, neither: 0 });
    } finally {
      await a.store.close();
      await c.store.close();
    }
  });

  it('one rotation at a time across replicas; only the lease holder drives; a replica takes over an expired lease and finishes', async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url, OLD);
    const b = await replica(url, OLD);
    try {
      await fill(a.store, 12, 2);
      const both = await Promise.allSettled([a.rotation.begin(NEW, 'a'), b.rotation.begin(testKey(0x55), 'b')]);
      expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StoreError);
      expect((lost.reason as StoreError).code).toBe('conflict');
      const [driver, other] = both[0]?.status === 'fulfilled' ? [a, b] : [b, a];
      const newKey = driver === a ? NEW : testKey(0x55);

      await driver.rotation.reencryptBatch(5);
      await other.rotation.refresh();
      await expect(other.rotation.begin(testKey(0x66), 'late')).rejects.toMatchObject({ code: 'conflict' });
      await expect(other.rotation.reencryptBatch(5)).rejects.toMatchObject({ code: 'conflict' });
      expect(await other.rotation.claim()).toBe(false);

      // The driver "dies": its lease runs out.
      const c = await raw(url);
      await c.query("UPDATE spike_ts_rotation SET lease_until = now() - interval '1 second'");
      await c.end();
      expect(await other.rotation.claim()).toBe(true);
      await expect(driver.rotation.reencryptBatch(5)).rejects.toMatchObject({ code: 'conflict' });
      await runToPushing(other, 5);
      await expect(driver.rotation.finish()).rejects.toMatchObject({ code: 'conflict' });
      await other.rotation.finish();

      const db = await connectPostgres({ url });
      const c2 = await raw(url);
      const rows = (await c2.query('SELECT nonce, encrypted_data FROM secrets')).rows;
      await c2.end();
      expect(rows.every((r) => opens(() => openSecretValues(newKey, r.nonce, r.encrypted_data)))).toBe(true);
      expect(await checkPostgresRootKey(db, OLD)).toBe('retired');
      await db.close();
      expect(await driver.rotation.refresh()).toBe('changed');
      expect(await driver.store.getSecret('app/s011')).toEqual({ v: 'one-11' });
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it('a replica started mid-rotation with either key opens the store, learns the other key and can finish it', async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url, OLD);
    await fill(a.store, 9, 1);
    await a.rotation.begin(NEW, 'op');
    await a.rotation.reencryptBatch(4);
    await a.store.close(); // the rotating replica is gone mid-rotation
    const c = await raw(url);
    await c.query("UPDATE spike_ts_rotation SET lease_until = now() - interval '1 second'");
    await c.end();
    const withOld = await replica(url, OLD);
    const withNew = await replica(url, NEW);
    try {
      for (const r of [withOld, withNew]) {
        expect(r.rotation.withSealingKey((k) => k.equals(NEW))).toBe(true);
        expect(r.rotation.withPreviousKey((k) => k.equals(OLD))).toBe(true);
        expect(await r.store.getSecret('app/s008')).toEqual({ v: 'one-8' });
      }
      expect(await withNew.rotation.claim()).toBe(true);
      await runToPushing(withNew, 4);
      await withNew.rotation.finish();
      expect(await sealedWith(url)).toMatchObject({ old: 0, neither: 0 });
    } finally {
      await withOld.store.close();
      await withNew.store.close();
    }
  });

  it('store copy refuses a PostgreSQL source with a rotation in progress, in one line', async () => {
    const url = await cluster().createDatabase();
    const a = await replica(url, OLD);
    await fill(a.store, 2, 0);
    await a.rotation.begin(NEW, 'op');
    await a.store.close();
    const t = tempDir();
    try {
      const source = await openCopySource(parseStoreEndpoint(`postgres:${url}`));
      const target = await openCopyTarget(parseStoreEndpoint(`sqlite:${t.dir}`));
      const e = await copyStore(source, target).then(
        () => undefined,
        (err: unknown) => err,
      );
      await source.close();
      await target.close();
      expect(e).toBeInstanceOf(CopyError);
      expect((e as CopyError).reason).toBe('rotation');
      expect((e as CopyError).message).toMatch(/^postgres:.*: a root-key rotation is in progress: finish the rotation first/);
      expect((e as CopyError).message).not.toContain('\n');
    } finally {
      t.cleanup();
    }
  });
});
