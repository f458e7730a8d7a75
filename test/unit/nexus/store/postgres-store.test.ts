// The PostgreSQL store beyond the common contract: the root-key check,
// several replicas (pools) on one database — concurrent writers to one path,
// racing first opens, the bootstrap marker —, nothing secret in clear in the
// database or its files, tampered rows, and connections dropped under it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyMismatchError, NotFoundError, RetiredKeyError, StoreError } from '../../../../src/nexus/store/index.js';
import { keyCheckValue } from '../../../../src/nexus/store/crypto.js';
import { sealMetadata } from '../../../../src/nexus/store/sqlite/rows.js';
import type { NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import {
  bootstrapClaimed,
  checkPostgresRootKey,
  claimBootstrap,
  connectPostgres,
  openPostgresStore,
  postgresStoreHoldsData,
  type PostgresDatabase,
} from '../../../../src/nexus/store/postgres/index.js';
import { filesUnder } from '../../../helpers/files-under.js';
import { startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';
import { testKey } from './helpers.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

const KEY = testKey(0x42);
const OTHER_KEY = testKey(0x99);

/** A raw client on the database of `url` (as its owner), for looking under the store. */
async function raw(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

async function replica(url: string, key: Uint8Array = KEY, maxVersions = 1000): Promise<NexusStore> {
  return openPostgresStore(await connectPostgres({ url, maxConnections: 4 }), { rootKey: key, maxVersions });
}

describe('root-key check', () => {
  it('empty, then match for the key that opened it, mismatch for another, retired for a retired one', async () => {
    const url = await cluster.createDatabase();
    const db = await connectPostgres({ url });
    try {
      expect(await checkPostgresRootKey(db, KEY)).toBe('empty');
      expect(await postgresStoreHoldsData(db)).toBe(false);
      const store = await replica(url);
      await store.grouped.putSecret('a', { v: '1' });
      await store.close();
      expect(await checkPostgresRootKey(db, KEY)).toBe('match');
      expect(await checkPostgresRootKey(db, OTHER_KEY)).toBe('mismatch');
      expect(await postgresStoreHoldsData(db)).toBe(true);
      const c = await raw(url);
      // The value SQLite stores for a key a rotation retired (HMAC-SHA256 of the key-check label).
      await c.query("INSERT INTO spike_ts_retired_key_checks (value, algorithm, retired_time) VALUES ($1, 'hmac-sha256/spike-ts-key-check-v1', 0)", [
        keyCheckValue(OTHER_KEY),
      ]);
      await c.end();
      expect(await checkPostgresRootKey(db, OTHER_KEY)).toBe('retired');
      await expect(checkPostgresRootKey(db, Buffer.alloc(16, 1))).rejects.toMatchObject({ code: 'invalid_input' });
    } finally {
      await db.close();
    }
  });

  it('the key-check value is the HMAC SQLite stores (same store, same key, same value)', async () => {
    const url = await cluster.createDatabase();
    await (await replica(url)).close();
    const c = await raw(url);
    const row = (await c.query<{ value: Buffer; algorithm: string }>('SELECT value, algorithm FROM spike_ts_key_check')).rows;
    await c.end();
    expect(row).toHaveLength(1);
    expect(row[0]?.algorithm).toBe('hmac-sha256/spike-ts-key-check-v1');
    expect(row[0]?.value.equals(keyCheckValue(KEY))).toBe(true);
  });

  it('without a key-check value (rows copied from upstream), a stored row decides', async () => {
    const url = await cluster.createDatabase();
    const s = await replica(url);
    await s.grouped.putPolicy({ name: 'p', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
    await s.close();
    const c = await raw(url);
    await c.query('DELETE FROM spike_ts_key_check');
    await c.end();
    const db = await connectPostgres({ url });
    try {
      expect(await checkPostgresRootKey(db, KEY)).toBe('match');
      expect(await checkPostgresRootKey(db, OTHER_KEY)).toBe('mismatch');
    } finally {
      await db.close();
    }
  });

  it('opening with another key fails with KeyMismatchError and writes nothing; a retired key with RetiredKeyError', async () => {
    const url = await cluster.createDatabase();
    const s = await replica(url);
    await s.grouped.putSecret('a', { v: '1' });
    await s.close();
    await expect(replica(url, OTHER_KEY)).rejects.toThrow(KeyMismatchError);
    const c = await raw(url);
    await c.query("INSERT INTO spike_ts_retired_key_checks (value, algorithm, retired_time) VALUES ($1, 'x', 0)", [keyCheckValue(OTHER_KEY)]);
    const before = (await c.query('SELECT value FROM spike_ts_key_check')).rows;
    await c.end();
    await expect(replica(url, OTHER_KEY)).rejects.toThrow(RetiredKeyError);
    const c2 = await raw(url);
    expect((await c2.query('SELECT value FROM spike_ts_key_check')).rows).toEqual(before);
    await c2.end();
    const again = await replica(url);
    expect(await again.getSecret('a')).toEqual({ v: '1' });
    await again.close();
  });

  it('replicas opening an empty store at once with different keys: exactly one key wins, the others mismatch', async () => {
    const url = await cluster.createDatabase();
    const keys = [testKey(1), testKey(2), testKey(3), testKey(4)];
    const outcomes = await Promise.allSettled(keys.map((k) => replica(url, k)));
    const opened = outcomes.filter((o): o is PromiseFulfilledResult<NexusStore> => o.status === 'fulfilled');
    expect(opened).toHaveLength(1);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(refused.map((e) => e instanceof KeyMismatchError)).toEqual([true, true, true]);
    await Promise.all(opened.map((o) => o.value.close()));
  });
});

describe('opening and closing', () => {
  it('refuses a key that is not 32 bytes or is all zero, and maxVersions below 1, writing nothing', async () => {
    const url = await cluster.createDatabase();
    const db = await connectPostgres({ url });
    try {
      await expect(openPostgresStore(db, { rootKey: Buffer.alloc(16, 1), maxVersions: 10 })).rejects.toMatchObject({ code: 'invalid_input' });
      await expect(openPostgresStore(db, { rootKey: Buffer.alloc(32), maxVersions: 10 })).rejects.toMatchObject({
        code: 'invalid_input',
        message: 'the root key must not be all zero',
      });
      await expect(openPostgresStore(db, { rootKey: KEY, maxVersions: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
      expect(await postgresStoreHoldsData(db)).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('the store keeps its own copy of the key: zeroing the caller\'s buffer changes nothing', async () => {
    const url = await cluster.createDatabase();
    const key = Buffer.from(KEY);
    const s = await openPostgresStore(await connectPostgres({ url }), { rootKey: key, maxVersions: 10 });
    key.fill(0);
    await s.grouped.putSecret('k', { v: '1' });
    expect(await s.getSecret('k')).toEqual({ v: '1' });
    await s.close();
    const again = await replica(url);
    expect(await again.getSecret('k')).toEqual({ v: '1' });
    await again.close();
  });

  it('close answers the writes already running, refuses later calls, and ends the pool', async () => {
    const url = await cluster.createDatabase();
    const db = await connectPostgres({ url });
    const s = await openPostgresStore(db, { rootKey: KEY, maxVersions: 100 });
    const running = Array.from({ length: 10 }, (_, i) => s.grouped.putSecret('c', { i: String(i) }));
    const closed = s.close();
    await expect(s.grouped.putSecret('c', { late: 'yes' })).rejects.toMatchObject({ code: 'closed' });
    expect((await Promise.all(running)).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    await closed;
    expect(db.closed).toBe(true);
    await expect(s.getSecret('c')).rejects.toMatchObject({ code: 'closed' });
    const again = await replica(url);
    expect((await again.getSecretMetadata('c')).metadata.currentVersion).toBe(10);
    await again.close();
  });
});

describe('several replicas on one database', () => {
  it('concurrent writers to one path on different pools get distinct, consecutive versions, each with its own value', async () => {
    const url = await cluster.createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    const c = await replica(url);
    try {
      const writes = [];
      for (let i = 0; i < 20; i++) {
        for (const [name, s] of [
          ['a', a],
          ['b', b],
          ['c', c],
        ] as const) {
          writes.push(s.grouped.putSecret('shared/path', { writer: name, i: String(i) }).then((version) => ({ version, writer: name, i: String(i) })));
        }
      }
      const answered = await Promise.all(writes);
      const versions = answered.map((w) => w.version).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      // Every answered version holds exactly what its writer wrote, read through another replica.
      for (const w of answered) expect(await b.getSecret('shared/path', w.version)).toEqual({ writer: w.writer, i: w.i });
      expect((await c.getSecretMetadata('shared/path')).metadata.currentVersion).toBe(60);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('writes and deletes racing on one path stay consistent (current = highest live, oldest = lowest live)', async () => {
    const url = await cluster.createDatabase();
    const a = await replica(url, KEY, 5);
    const b = await replica(url, KEY, 5);
    try {
      await a.grouped.putSecret('p', { v: '0' });
      const ops: Promise<unknown>[] = [];
      const deleteIfAny = (): Promise<void> =>
        b.grouped.deleteSecretVersions('p', []).catch((e: unknown) => {
          if (!(e instanceof NotFoundError)) throw e;
        });
      for (let i = 0; i < 15; i++) {
        ops.push(a.grouped.putSecret('p', { v: `a${i}` }), deleteIfAny(), b.grouped.putSecret('p', { v: `b${i}` }));
      }
      await Promise.all(ops);
      // 31 puts so far: one more is version 32, the current one.
      expect(await a.grouped.putSecret('p', { v: 'last' })).toBe(32);
      const md = await b.getSecretMetadata('p');
      const live = [...md.versions.values()].filter((v) => v.deletedTime === null).map((v) => v.version);
      expect(md.versions.size).toBe(5);
      expect(Math.max(...md.versions.keys())).toBe(32);
      expect(md.metadata.currentVersion).toBe(32);
      expect(md.metadata.oldestVersion).toBe(Math.min(...live));
      expect(await a.getSecret('p')).toEqual({ v: 'last' });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a write through one replica reads back through another at once; a policy deleted through one is gone for the other', async () => {
    const url = await cluster.createDatabase();
    const a = await replica(url);
    const b = await replica(url);
    try {
      await b.getSecret('x').catch(() => undefined); // b has read (and would have cached) the missing secret
      await a.grouped.putSecret('x', { v: '1' });
      expect(await b.getSecret('x')).toEqual({ v: '1' });
      await a.grouped.putSecret('x', { v: '2' });
      expect(await b.getSecret('x')).toEqual({ v: '2' });
      expect(await b.listSecretPaths()).toEqual(['x']);
      await a.grouped.putPolicy({ name: 'p', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
      expect((await b.getPolicy('p')).permissions).toEqual(['read']);
      expect(await b.grouped.deletePolicy('p')).toBe(true);
      await expect(a.getPolicy('p')).rejects.toThrow(NotFoundError);
      expect(await a.listPolicies()).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('the bootstrap marker: of many racing claims on separate pools exactly one wins, and no later one', async () => {
    const url = await cluster.createDatabase();
    const dbs: PostgresDatabase[] = await Promise.all(Array.from({ length: 8 }, () => connectPostgres({ url, maxConnections: 2 })));
    try {
      expect(await bootstrapClaimed(dbs[0] as PostgresDatabase)).toBe(false);
      const claims = await Promise.all(dbs.flatMap((db) => [claimBootstrap(db), claimBootstrap(db)]));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await claimBootstrap(dbs[3] as PostgresDatabase)).toBe(false);
      expect(await bootstrapClaimed(dbs[5] as PostgresDatabase)).toBe(true);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });
});

describe('what the database sees', () => {
  it('no secret value, policy pattern or permission, nor the root key, in any column or in the cluster files', async () => {
    const url = await cluster.createDatabase();
    const s = await replica(url);
    const secretValue = 'Plaintext-Secret-Value-7f3a9c';
    const secretKey = 'plaintext-key-name-b61e';
    const pattern = 'spiffe://plaintext-pattern-example.org/workload-42';
    const pathPattern = '^plaintext/path/pattern/q81$';
    const permission = 'plaintextperm';
    await s.grouped.putSecret('app/db', { [secretKey]: secretValue });
    await s.grouped.putSecret('app/db', { [secretKey]: secretValue, other: secretValue });
    await s.grouped.deleteSecretVersions('app/db', [1]);
    await s.grouped.putPolicy({ name: 'web', spiffeIdPattern: pattern, pathPattern, permissions: [permission, 'read'] });
    await s.close();

    const needles = [secretValue, secretKey, pattern, pathPattern, permission].map((t) => Buffer.from(t, 'utf8'));
    needles.push(Buffer.from(KEY));
    const c = await raw(url);
    try {
      const columns = (
        await c.query<{ table_name: string; column_name: string; data_type: string }>(
          "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        )
      ).rows;
      expect(columns.length).toBeGreaterThan(20);
      let cells = 0;
      for (const { table_name, column_name, data_type } of columns) {
        // Every column as its bytes (bytea as is, anything else as its text form).
        const col = pg.escapeIdentifier(column_name);
        const expr = data_type === 'bytea' ? col : `convert_to(${col}::text, 'UTF8')`;
        const rows = (await c.query<{ v: Buffer | null }>(`SELECT ${expr} AS v FROM ${pg.escapeIdentifier(table_name)}`)).rows;
        for (const { v } of rows) {
          if (v === null) continue;
          cells++;
          for (const n of needles) expect(v.includes(n), `${table_name}.${column_name} holds a plaintext`).toBe(false);
        }
      }
      expect(cells).toBeGreaterThan(20);
      // The paths and policy names are what SQLite stores in clear too.
      expect((await c.query('SELECT path FROM secret_metadata')).rows).toEqual([{ path: 'app/db' }]);
      await c.query('CHECKPOINT').catch(() => undefined); // needs superuser; the WAL holds the rows either way
    } finally {
      await c.end();
    }
    // And the raw files: tables, WAL, server log.
    const admin = await cluster.adminClient();
    await admin.query('CHECKPOINT');
    await admin.end();
    let scanned = 0;
    for (const f of filesUnder(cluster.dir)) {
      const bytes = readFileSync(f);
      scanned += bytes.length;
      for (const n of needles) expect(bytes.includes(n), `${f} holds a plaintext`).toBe(false);
    }
    expect(scanned).toBeGreaterThan(1_000_000);
    // The scan does find what is stored in clear (the path), so it would find a plaintext.
    const clear = Buffer.from('app/db', 'utf8');
    expect(filesUnder(join(cluster.dir, 'data')).some((f) => readFileSync(f).includes(clear))).toBe(true);
  });

  it('the current version is the one the metadata names, even when a higher live version exists (rows from elsewhere)', async () => {
    const url = await cluster.createDatabase();
    const s = await replica(url);
    for (let i = 1; i <= 3; i++) await s.grouped.putSecret('p', { v: String(i) });
    // Metadata as another writer may have left it: current version 2 while 3 is live.
    const md = (await s.getSecretMetadata('p')).metadata;
    const sealed = sealMetadata(KEY, { ...md, currentVersion: 2 });
    const c = await raw(url);
    await c.query(
      `UPDATE secret_metadata SET nonce = $2, encrypted_current_version = $3, encrypted_oldest_version = $4, encrypted_created_time = $5,
         encrypted_updated_time = $6, encrypted_max_versions = $7 WHERE path = $1`,
      ['p', sealed.nonce, sealed.currentVersion, sealed.oldestVersion, sealed.createdTime, sealed.updatedTime, sealed.maxVersions],
    );
    await c.end();
    expect(await s.getSecret('p')).toEqual({ v: '2' });
    expect(await s.getSecret('p', 3)).toEqual({ v: '3' });
    expect((await s.getSecretMetadata('p')).metadata.currentVersion).toBe(2);
    await s.close();
  });

  it('a tampered row fails to open: StoreError integrity, never other data', async () => {
    const url = await cluster.createDatabase();
    const s = await replica(url);
    await s.grouped.putSecret('t', { v: 'value' });
    const c = await raw(url);
    await c.query("UPDATE secrets SET encrypted_data = set_byte(encrypted_data, 0, get_byte(encrypted_data, 0) # 1) WHERE path = 't'");
    await c.end();
    await expect(s.getSecret('t')).rejects.toMatchObject({ code: 'integrity' });
    await s.close();
  });
});

/** The database name of a test URL (postgresql://spike@/NAME?host=…). */
function dbNameOf(url: string): string {
  return new URL(url.replace('@/', '@h/')).pathname.slice(1);
}

describe('durability', () => {
  const FORCED = 'SET LOCAL synchronous_commit TO on';
  const count = (text: string): number => text.split(FORCED).length - 1;

  async function asSuperuser(sql: string): Promise<void> {
    const admin = await cluster.adminClient();
    await admin.query(sql);
    await admin.end();
  }

  async function everyWrite(url: string): Promise<void> {
    const db = await connectPostgres({ url });
    expect(await claimBootstrap(db)).toBe(true);
    const s = await openPostgresStore(db, { rootKey: KEY, maxVersions: 10 });
    await s.grouped.putSecret('d', { v: '1' });
    await s.grouped.putSecret('d', { v: '2' });
    await s.grouped.deleteSecretVersions('d', [1]);
    await s.grouped.undeleteSecretVersions('d', [1]);
    await s.grouped.putPolicy({ name: 'p', spiffeIdPattern: 'a', pathPattern: 'b', permissions: ['read'] });
    expect(await s.grouped.deletePolicy('p')).toBe(true);
    await s.close();
  }

  it('where the database turns synchronous_commit off, every write transaction turns it on (as the server log shows)', async () => {
    const url = await cluster.createDatabase();
    await asSuperuser(`ALTER DATABASE ${dbNameOf(url)} SET synchronous_commit = off`);
    await asSuperuser(`ALTER DATABASE ${dbNameOf(url)} SET log_statement = 'all'`);
    const db = await connectPostgres({ url });
    expect(db.synchronousCommit).toBe('off');
    await db.close();
    const before = count(cluster.log());
    await everyWrite(url);
    // The key claim, the bootstrap claim, 2 puts, delete, undelete, policy put and delete.
    expect(count(cluster.log()) - before).toBe(8);
  });

  it('where synchronous_commit is on (the default), writes do not touch it', async () => {
    const url = await cluster.createDatabase();
    await asSuperuser(`ALTER DATABASE ${dbNameOf(url)} SET log_statement = 'all'`);
    const before = cluster.log();
    await everyWrite(url);
    const after = cluster.log();
    // The statements were logged, and none changed synchronous_commit.
    expect(after.length - before.length).toBeGreaterThan(1000);
    expect(count(after)).toBe(count(before));
  });
});

describe('connections dropped under the store', () => {
  it('a query with no answer within queryTimeoutMs fails as StoreError io, nothing of it is stored, and the store goes on', async () => {
    const url = await cluster.createDatabase();
    const s = await openPostgresStore(await connectPostgres({ url, queryTimeoutMs: 300 }), { rootKey: KEY, maxVersions: 10 });
    await s.grouped.putSecret('held', { v: '1' });
    // Another session holds the secret's row lock: the next write to it waits for an answer that does not come.
    const holder = await raw(url);
    await holder.query('BEGIN');
    await holder.query("SELECT 1 FROM secret_metadata WHERE path = 'held' FOR UPDATE");
    const e = await s.grouped.putSecret('held', { v: '2' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StoreError);
    expect(e).toMatchObject({ code: 'io', message: 'PostgreSQL: Query read timeout' });
    expect(await s.getSecret('held')).toEqual({ v: '1' });
    await holder.query('ROLLBACK');
    await holder.end();
    // The timed-out write never committed: the next one is version 2.
    expect(await s.grouped.putSecret('held', { v: '3' })).toBe(2);
    expect(await s.getSecret('held')).toEqual({ v: '3' });
    await s.close();
  });

  it('after the server ends every connection of the store, the next calls work on fresh ones', async () => {
    const url = await cluster.createDatabase();
    const s = await replica(url);
    await s.grouped.putSecret('k', { v: '1' });
    expect(await s.getSecret('k')).toEqual({ v: '1' });
    const admin = await cluster.adminClient();
    const dbName = new URL(url.replace('@/', '@h/')).pathname.slice(1);
    const killed = (
      await admin.query<{ n: string }>(
        'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [dbName],
      )
    ).rows[0]?.n;
    await admin.end();
    expect(Number(killed)).toBeGreaterThan(0);
    // A call may meet a connection the pool has not seen die yet: then it fails as StoreError 'io', in one line.
    const first = await s.getSecret('k').then(
      (v) => JSON.stringify(v),
      (e: unknown) => (e instanceof StoreError && e.code === 'io' && !e.message.includes('\n') ? 'io error in one line' : e),
    );
    expect(['{"v":"1"}', 'io error in one line']).toContain(first);
    expect(await s.grouped.putSecret('k', { v: '2' })).toBe(2);
    expect(await s.getSecret('k')).toEqual({ v: '2' });
    await s.close();
  });
});
