// copyStore (src/nexus/store/copy/): a store written by the real store API
// (several secrets with versions, a deleted and an undeleted version, pruned
// versions, policies, a finished root-key rotation) goes SQLite → PostgreSQL
// → SQLite without its key; each copy opens with the key through the normal
// store and answers exactly what the original answers; the old key is still
// recognised as retired. A non-empty target, a rotation in progress, a store
// in use and a store without key check are refused with nothing changed; a
// copy that fails half-way leaves the target empty and a re-run succeeds.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
import type { Row, TableSpec } from '../../../../src/nexus/store/copy/tables.js';
import { markerExists } from '../../../../src/bootstrap/marker.js';
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
    // A table that is not there holds no row (a rolled-back copy leaves no schema either).
    const all = (table: string, order: string): unknown[] =>
      db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(table) === undefined ? [] : db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all();
    for (const t of COPIED_TABLES) out[t.name] = all(t.name, t.key.join(', '));
    out['spike_ts_rotation'] = all('spike_ts_rotation', 'id');
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
    expect(toPg.bootstrapMarker).toBe('spike_ts_bootstrap row set');
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
    // Bootstrap's marker file beside spike.db: a Bootstrap must never re-key this store.
    expect(back.bootstrapMarker).toBe(`${join(b, 'bootstrap.json')} written`);
    expect(JSON.parse(readFileSync(join(b, 'bootstrap.json'), 'utf8'))).toEqual({
      bootstrap_completed: true,
      completed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      completed_by: 'spike-nexus store copy',
      copied_from: toPg.target,
    });
    expect(statSync(join(b, 'bootstrap.json')).mode & 0o777).toBe(0o600);
    expect(markerExists(b)).toBe(true);
    // Row for row, byte for byte, the store it started from (times were written at whole milliseconds).
    const { spike_ts_rotation: _, ...rowsB } = sqliteRows(b);
    const { spike_ts_rotation: __, ...rowsAllA } = rowsA;
    expect(rowsB).toEqual(rowsAllA);
    expect(await sqliteContents(b)).toEqual(expected);
    expect(() => openSqliteStore({ dataDir: b, rootKey: OLD_KEY, maxVersions: MAX_VERSIONS })).toThrow(RetiredKeyError);
    expect(() => openSqliteStore({ dataDir: b, rootKey: testKey(0x99), maxVersions: MAX_VERSIONS })).toThrow(KeyMismatchError);
  });
});

/** A small SQLite store (key KEY) in a fresh data dir. */
function smallSqliteStore(): string {
  const d = join(dir(), 'data');
  const s = openSqliteStore({ dataDir: d, rootKey: KEY, maxVersions: MAX_VERSIONS });
  for (let i = 0; i < 7; i++) s.putSecret(`p/${i}`, { v: String(i) });
  s.putSecret('p/0', { v: 'again' });
  s.putPolicy({ name: 'pol', spiffeIdPattern: '^a$', pathPattern: '^b$', permissions: ['read'] });
  s.close();
  return d;
}

describe('store copy: refusals change nothing', () => {
  it('a non-empty PostgreSQL target is refused and left as it was', async () => {
    const src = smallSqliteStore();
    const url = await cluster.createDatabase();
    const other = await openPostgresStore(await connectPostgres({ url }), { rootKey: testKey(0x77), maxVersions: 2 });
    await other.grouped.putSecret('theirs', { x: '1' });
    await other.close();
    const before = await postgresRows(url);
    const e = await copyError(copy(`sqlite:${src}`, `postgres:${url}`));
    expect(e.reason).toBe('not_empty');
    expect(e.message).toMatch(/is not empty \(rows in secret_metadata, secrets, spike_ts_key_check\)/);
    expect(await postgresRows(url)).toEqual(before);
  });

  it('a PostgreSQL target holding only the bootstrap marker is not empty either', async () => {
    const src = smallSqliteStore();
    const url = await cluster.createDatabase();
    const c = new pg.Client({ connectionString: url });
    await (await connectPostgres({ url })).close();
    await c.connect();
    await c.query('INSERT INTO spike_ts_bootstrap (id, claimed_time) VALUES (1, now())');
    await c.end();
    expect((await copyError(copy(`sqlite:${src}`, `postgres:${url}`))).reason).toBe('not_empty');
  });

  it('a non-empty SQLite target is refused and left as it was', async () => {
    const url = await cluster.createDatabase();
    await copy(`sqlite:${smallSqliteStore()}`, `postgres:${url}`);
    const target = join(dir(), 'data');
    const s = openSqliteStore({ dataDir: target, rootKey: testKey(0x77), maxVersions: 2 });
    s.putPolicy({ name: 'theirs', spiffeIdPattern: '^a$', pathPattern: '^b$', permissions: ['read'] });
    s.close();
    const before = sqliteRows(target);
    const e = await copyError(copy(`postgres:${url}`, `sqlite:${target}`));
    expect(e.reason).toBe('not_empty');
    expect(e.message).toContain('rows in policies, spike_ts_key_check');
    expect(sqliteRows(target)).toEqual(before);
  });

  it('a source with a root-key rotation in progress is refused: finish the rotation first', async () => {
    const src = smallSqliteStore();
    const s = openSqliteStore({ dataDir: src, rootKey: KEY, maxVersions: MAX_VERSIONS });
    s.rotation?.begin(testKey(0x55), 'spiffe://example.org/spike/pilot/role/superuser');
    s.close();
    const url = await cluster.createDatabase();
    const e = await copyError(copy(`sqlite:${src}`, `postgres:${url}`));
    expect(e.reason).toBe('rotation');
    expect(e.message).toContain('finish the rotation first');
    expect((await postgresRows(url))['secrets']).toEqual([]);
  });

  it('a SQLite store a Nexus has open is refused as source and as target', async () => {
    const src = smallSqliteStore();
    const running = openSqliteStore({ dataDir: src, rootKey: KEY, maxVersions: MAX_VERSIONS });
    cleanups.push(() => running.close());
    const url = await cluster.createDatabase();
    const e = await copyError(copy(`sqlite:${src}`, `postgres:${url}`));
    expect(e.reason).toBe('in_use');
    expect(e.message).toContain('is Nexus running on it?');

    const empty = join(dir(), 'data');
    const idle = openSqliteStore({ dataDir: empty, rootKey: KEY, maxVersions: MAX_VERSIONS });
    cleanups.push(() => idle.close());
    const pgSrc = await cluster.createDatabase();
    await copy(`sqlite:${smallSqliteStore()}`, `postgres:${pgSrc}`);
    expect((await copyError(copy(`postgres:${pgSrc}`, `sqlite:${empty}`))).reason).toBe('in_use');
  });

  it('a PostgreSQL database with a Nexus connected is refused as source and as target', async () => {
    const url = await cluster.createDatabase();
    const nexus = await connectPostgres({ url }); // application_name spike-nexus, as Nexus's
    cleanups.push(() => nexus.close());
    const e = await copyError(copy(`sqlite:${smallSqliteStore()}`, `postgres:${url}`));
    expect(e.reason).toBe('in_use');
    expect(e.message).toMatch(/1 Nexus connection\(s\) open/);
    expect((await copyError(copy(`postgres:${url}`, `sqlite:${join(dir(), 'data')}`))).reason).toBe('in_use');
  });

  it('a Nexus that has just closed its sessions does not block the copy (the server may still list them a moment)', async () => {
    const url = await cluster.createDatabase();
    await copy(`sqlite:${smallSqliteStore()}`, `postgres:${url}`);
    // A session that is still there when the copy first looks (busy for half a second), then goes.
    const nexus = await connectPostgres({ url }); // application_name spike-nexus, as Nexus's
    const going = nexus.pool.query('SELECT pg_sleep(0.5)').then(() => nexus.close());
    const back = await copy(`postgres:${url}`, `sqlite:${join(dir(), 'data')}`);
    expect(back.keyCheck).toBe('identical');
    await going;
  });

  it('a source without a key-check value, a missing source and one store as both ends are refused', async () => {
    const d = join(dir(), 'data');
    const url = await cluster.createDatabase();
    expect((await copyError(copy(`sqlite:${join(d, 'nothing-here')}`, `postgres:${url}`))).reason).toBe('no_source');
    const noKcv = join(dir(), 'spike.db');
    new Database(noKcv).close();
    expect((await copyError(copy(`sqlite:${noKcv}`, `postgres:${url}`))).reason).toBe('no_key_check');
    const src = smallSqliteStore();
    const source = await openCopySource(parseStoreEndpoint(`sqlite:${src}`));
    cleanups.push(() => source.close());
    const fake = { ...source, kind: 'sqlite' } as unknown as TargetSide;
    expect((await copyError(copyStore(source, fake))).reason).toBe('same_store');
  });
});

describe('store copy: a failure half-way leaves the target empty; a re-run succeeds', () => {
  for (const direction of ['sqlite → postgres', 'postgres → sqlite'] as const) {
    it(direction, async () => {
      const src = smallSqliteStore();
      let from = `sqlite:${src}`;
      let to = `postgres:${await cluster.createDatabase()}`;
      let targetRows = async (): Promise<Record<string, unknown[]>> => postgresRows(to.slice('postgres:'.length));
      if (direction === 'postgres → sqlite') {
        const pgUrl = await cluster.createDatabase();
        await copy(from, `postgres:${pgUrl}`);
        from = `postgres:${pgUrl}`;
        const t = join(dir(), 'data');
        to = `sqlite:${t}`;
        // Bootstrap's marker file counts as a row here: written only once the copy committed.
        targetRows = () => Promise.resolve({ ...sqliteRows(t), 'bootstrap.json': existsSync(join(t, 'bootstrap.json')) ? [true] : [] });
      }
      // Fails after the 3rd batch of 2 rows: the metadata is in, the secrets half-way.
      let batches = 0;
      const e = await copy(from, to, {
        batchSize: 2,
        afterBatch: () => {
          if (++batches === 3) throw new Error('injected failure');
        },
      }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(CopyError);
      expect((e as CopyError).message).toContain('injected failure');
      expect(batches).toBe(3);
      for (const [table, rows] of Object.entries(await targetRows())) expect({ table, rows }).toEqual({ table, rows: [] });

      const ok = await copy(from, to, { batchSize: 2 });
      expect(ok.tables.find((t) => t.table === 'secrets')).toEqual({ table: 'secrets', source: 8, copied: 8, target: 8 });
      expect(ok.tables.find((t) => t.table === 'secret_metadata')?.target).toBe(7);
      const copied = direction === 'sqlite → postgres' ? await postgresContents(to.slice('postgres:'.length)) : await sqliteContents(to.slice('sqlite:'.length));
      expect(copied).toEqual(await sqliteContents(src));
    });
  }
});

describe('store copy: the read-back check catches a target that did not store what it was given', () => {
  /** The target with its insert changed by `change` (every other call as the real one's). */
  function tampered(t: TargetSide, change: (table: string, rows: readonly Row[]) => Row[]): TargetSide {
    return new Proxy(t, {
      get(obj, prop, receiver) {
        if (prop === 'insert') return (spec: TableSpec, rows: readonly Row[]) => obj.insert(spec, change(spec.name, rows));
        const v: unknown = Reflect.get(obj, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
      },
    });
  }

  const cases: [string, (table: string, rows: readonly Row[]) => Row[], RegExp][] = [
    [
      'one ciphertext byte changed',
      (table, rows) =>
        rows.map((r, i) => {
          if (table !== 'secrets' || i !== 0) return r;
          const data = Buffer.from(r['encrypted_data'] as Buffer);
          data[0] = (data[0] ?? 0) ^ 1;
          return { ...r, encrypted_data: data };
        }),
      /secrets: the rows read back differ from the source's: rolled back/,
    ],
    ['one row left out', (table, rows) => (table === 'policies' ? [] : [...rows]), /policies: 1 rows in the source, 1 copied, 0 in the target: rolled back/],
  ];
  for (const [name, change, message] of cases) {
    it(`${name}: mismatch, rolled back`, async () => {
      const src = smallSqliteStore();
      const url = await cluster.createDatabase();
      const source = await openCopySource(parseStoreEndpoint(`sqlite:${src}`));
      const target = await openCopyTarget(parseStoreEndpoint(`postgres:${url}`));
      try {
        const e = await copyError(copyStore(source, tampered(target, change)));
        expect(e.reason).toBe('mismatch');
        expect(e.message).toMatch(message);
      } finally {
        await target.close();
        await source.close();
      }
      for (const [table, rows] of Object.entries(await postgresRows(url))) expect({ table, rows }).toEqual({ table, rows: [] });
    });
  }
});

describe('store copy: a source row that does not fit its column', () => {
  it('stops the copy with the row named (table, path, version), the target left empty', async () => {
    const src = smallSqliteStore();
    const db = new Database(join(src, 'spike.db'));
    db.prepare("UPDATE secrets SET created_time = 'yesterday' WHERE path = 'p/3'").run();
    db.close();
    const url = await cluster.createDatabase();
    const e = await copyError(copy(`sqlite:${src}`, `postgres:${url}`));
    expect(e.reason).toBe('bad_row');
    expect(e.message).toBe(`sqlite:${join(src, 'spike.db')}: secrets: path=p/3 version=1: column created_time is not a time`);
    for (const [table, rows] of Object.entries(await postgresRows(url))) expect({ table, rows }).toEqual({ table, rows: [] });
  });
});

describe('store copy: a Nexus starting on the PostgreSQL target during the copy', () => {
  it('waits for the copy (the key-check advisory lock), then checks its key against the copied key check', async () => {
    const src = smallSqliteStore();
    const url = await cluster.createDatabase();
    let opening: Promise<unknown> | undefined;
    let settledEarly = false;
    await copy(`sqlite:${src}`, `postgres:${url}`, {
      batchSize: 2,
      afterBatch: async (_table, rows) => {
        if (opening !== undefined || rows < 2) return;
        // Another key than the store's: on the empty-looking target it would claim the store.
        opening = connectPostgres({ url }).then((db) => openPostgresStore(db, { rootKey: testKey(0x66), maxVersions: 2 }));
        opening.then(
          () => (settledEarly = true),
          () => (settledEarly = true),
        );
        // Let it reach the lock (it cannot get further while the copy's transaction holds it).
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          for (;;) {
            const r = await c.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
            if (Number((r.rows[0] as { n: string }).n) > 0 || settledEarly) break;
          }
        } finally {
          await c.end();
        }
        expect(settledEarly).toBe(false);
      },
    });
    expect(opening).toBeDefined();
    await expect(opening).rejects.toThrow(KeyMismatchError);
    expect(await postgresContents(url)).toEqual(await sqliteContents(src));
  });
});

describe('store copy: Bootstrap marker of a SQLite target', () => {
  it('a bootstrap.json already beside the target spike.db is kept as it is', async () => {
    const url = await cluster.createDatabase();
    await copy(`sqlite:${smallSqliteStore()}`, `postgres:${url}`);
    const target = join(dir(), 'data');
    mkdirSync(target, { mode: 0o700 });
    writeFileSync(join(target, 'bootstrap.json'), 'theirs\n', { mode: 0o600 });
    const r = await copy(`postgres:${url}`, `sqlite:${target}`);
    expect(r.bootstrapMarker).toBe(`${join(target, 'bootstrap.json')} kept (already there)`);
    expect(readFileSync(join(target, 'bootstrap.json'), 'utf8')).toBe('theirs\n');
  });
});

describe('store copy: same backend on both ends, and a Nexus starting on a SQLite store during the copy', () => {
  it('SQLite → SQLite and PostgreSQL → PostgreSQL give stores that answer as the original', async () => {
    const src = smallSqliteStore();
    const expected = await sqliteContents(src);
    const lite = join(dir(), 'data');
    await copy(`sqlite:${src}`, `sqlite:${lite}`);
    expect(await sqliteContents(lite)).toEqual(expected);
    const [a, b] = [await cluster.createDatabase(), await cluster.createDatabase()];
    await copy(`sqlite:${lite}`, `postgres:${a}`);
    const r = await copy(`postgres:${a}`, `postgres:${b}`);
    expect(r.bootstrapMarker).toBe('spike_ts_bootstrap row set');
    expect(await postgresContents(b)).toEqual(expected);
  });

  it('a Nexus opening the SQLite source or target while the copy runs cannot open it', async () => {
    const src = smallSqliteStore();
    const target = join(dir(), 'data');
    const opens: unknown[] = [];
    await copy(`sqlite:${src}`, `sqlite:${target}`, {
      afterBatch: () => {
        if (opens.length > 0) return;
        for (const dataDir of [src, target]) {
          try {
            openSqliteStore({ dataDir, rootKey: KEY, maxVersions: MAX_VERSIONS, busyTimeoutMs: 0 }).close();
            opens.push('opened');
          } catch (e) {
            opens.push((e as Error).name);
          }
        }
      },
    });
    expect(opens).toEqual(['StoreError', 'StoreError']);
    expect(await sqliteContents(target)).toEqual(await sqliteContents(src));
  });
});
