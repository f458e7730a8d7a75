// The PostgreSQL tables hold SQLite's rows: rows copied byte for byte (only
// the time columns change representation) from a PostgreSQL store into an
// empty spike.db open with the SQLite store and read back the same, and the
// other way round — nothing is decrypted on the way, and another key still
// fails the key check on the copy.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyMismatchError, openSqliteStore, type SecretStore } from '../../../../src/nexus/store/index.js';
import { asNexusStore, type NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import { connectPostgres, openPostgresStore } from '../../../../src/nexus/store/postgres/index.js';
import { DB_FILE_NAME, KEY_CHECK_SCHEMA, ROTATION_SCHEMA, UPSTREAM_SCHEMA } from '../../../../src/nexus/store/sqlite/schema.js';
import { formatSqliteTime, parseSqliteTime } from '../../../../src/nexus/store/sqlite/time.js';
import { startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';
import { steppingClock, tempDir, testKey } from './helpers.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

const KEY = testKey(0x42);

/** The same writes on any store: secrets with versions (one deleted, some pruned) and policies. */
async function fill(s: NexusStore): Promise<void> {
  for (let i = 1; i <= 5; i++) await s.grouped.putSecret('app/db', { user: 'admin', pass: `p${i}`, odd: 'ü 🔑 <&>' });
  await s.grouped.deleteSecretVersions('app/db', [4]);
  await s.grouped.putSecret('empty', {});
  await s.grouped.putPolicy({ name: 'web', spiffeIdPattern: '^spiffe://example.org/web/.*$', pathPattern: '^app/.*$', permissions: ['read', 'list'] });
  await s.grouped.putPolicy({ name: 'admin', spiffeIdPattern: '^spiffe://example.org/admin$', pathPattern: '.*', permissions: ['super'] });
}

/** Everything a store answers, for comparing two stores. */
async function contents(s: NexusStore): Promise<unknown> {
  const md = await s.getSecretMetadata('app/db');
  return {
    paths: await s.listSecretPaths(),
    current: await s.getSecret('app/db'),
    v3: await s.getSecret('app/db', 3),
    empty: await s.getSecret('empty'),
    metadata: md.metadata,
    versions: [...md.versions.values()],
    policies: await s.listPolicies(),
  };
}

const COPIED_TABLES = {
  secret_metadata: [
    'path',
    'nonce',
    'encrypted_current_version',
    'encrypted_oldest_version',
    'encrypted_created_time',
    'encrypted_updated_time',
    'encrypted_max_versions',
  ],
  secrets: ['path', 'version', 'nonce', 'encrypted_data', 'created_time', 'deleted_time'],
  policies: ['name', 'nonce', 'encrypted_spiffe_id_pattern', 'encrypted_path_pattern', 'encrypted_permissions', 'created_time', 'updated_time'],
  spike_ts_key_check: ['id', 'algorithm', 'value', 'created_time'],
} as const;

/** SQLite's text for a secrets time column, PostgreSQL's Date for it; other columns as they are (int8 as a number). */
function toSqlite(table: string, column: string, v: unknown): unknown {
  if (v === null) return null;
  if (table === 'secrets' && (column === 'created_time' || column === 'deleted_time')) return formatSqliteTime(v as Date);
  if (typeof v === 'string' && /^\d+$/.test(v) && column !== 'path' && column !== 'name' && column !== 'algorithm') return Number(v);
  return v;
}

function toPostgres(table: string, column: string, v: unknown): unknown {
  if (v === null) return null;
  if (table === 'secrets' && (column === 'created_time' || column === 'deleted_time')) return parseSqliteTime(v);
  return v;
}

describe('rows move between PostgreSQL and SQLite as they are', () => {
  it('PostgreSQL → SQLite: the SQLite store opens the copy with the same key and answers the same', async () => {
    const url = await cluster.createDatabase();
    const pgStore = await openPostgresStore(await connectPostgres({ url }), { rootKey: KEY, maxVersions: 3, now: steppingClock().now });
    await fill(pgStore);
    const expected = await contents(pgStore);
    await pgStore.close();

    const t = tempDir();
    try {
      const dataDir = join(t.dir, 'data');
      mkdirSync(dataDir, { mode: 0o700 });
      const lite = new Database(join(dataDir, DB_FILE_NAME));
      lite.exec(UPSTREAM_SCHEMA + KEY_CHECK_SCHEMA + ROTATION_SCHEMA);
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      for (const [table, columns] of Object.entries(COPIED_TABLES)) {
        const rows = (await c.query<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${table}`)).rows;
        expect(rows.length).toBeGreaterThan(0);
        const insert = lite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        for (const row of rows) insert.run(...columns.map((col) => toSqlite(table, col, row[col])));
      }
      await c.end();
      lite.close();

      const sqlite = asNexusStore(openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 3 }));
      expect(await contents(sqlite)).toEqual(expected);
      await sqlite.close();
      expect(() => openSqliteStore({ dataDir, rootKey: testKey(0x99), maxVersions: 3 })).toThrow(KeyMismatchError);
    } finally {
      t.cleanup();
    }
  });

  it('SQLite → PostgreSQL: the PostgreSQL store opens the copy with the same key and answers the same', async () => {
    const t = tempDir();
    try {
      const dataDir = join(t.dir, 'data');
      const sync: SecretStore = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: 3, now: steppingClock().now });
      const sqlite = asNexusStore(sync);
      await fill(sqlite);
      const expected = await contents(sqlite);
      await sqlite.close();

      const url = await cluster.createDatabase();
      // An empty schema first (connect migrates), then the rows.
      await (await connectPostgres({ url })).close();
      const lite = new Database(join(dataDir, DB_FILE_NAME), { readonly: true });
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      // Parents before children (secrets.path references secret_metadata).
      for (const [table, columns] of Object.entries(COPIED_TABLES)) {
        const rows = lite.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).all() as Record<string, unknown>[];
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          await c.query(
            `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
            columns.map((col) => toPostgres(table, col, row[col])),
          );
        }
      }
      await c.end();
      lite.close();

      const pgStore = await openPostgresStore(await connectPostgres({ url }), { rootKey: KEY, maxVersions: 3 });
      expect(await contents(pgStore)).toEqual(expected);
      await pgStore.close();
      const db = await connectPostgres({ url });
      await expect(openPostgresStore(db, { rootKey: testKey(0x99), maxVersions: 3 })).rejects.toThrow(KeyMismatchError);
      await db.close();
    } finally {
      t.cleanup();
    }
  });
});
