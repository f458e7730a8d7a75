// openSqliteStore: key check first (read-only), then the read-write
// connection (WAL, synchronous=FULL, busy timeout), upstream schema and, on
// first initialisation, our key-check value.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { Database as Db } from 'better-sqlite3';
import { createStore, validateMaxVersions } from '../core.js';
import { KEY_BYTES, keyCheckValue } from '../crypto.js';
import { KeyMismatchError, StoreError } from '../errors.js';
import type { SecretStore, SqliteStoreOptions } from '../types.js';
import { sqliteBackend } from './sqlite-backend.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openConnection } from './connection.js';
import { checkKeyOnDb, checkRootKey, dbFile } from './keycheck.js';
import { KEY_CHECK_ALGORITHM, KEY_CHECK_SCHEMA, KEY_CHECK_TABLE, UPSTREAM_SCHEMA } from './schema.js';

export { checkRootKey, storeHoldsData, withKeyChecker } from './keycheck.js';

function ownKeyCopy(rootKey: Uint8Array): Buffer {
  if (!(rootKey instanceof Uint8Array) || rootKey.length !== KEY_BYTES) {
    throw new StoreError('invalid_input', `the root key must be ${KEY_BYTES} bytes`);
  }
  if (rootKey.every((b) => b === 0)) throw new StoreError('invalid_input', 'the root key must not be all zero');
  return Buffer.from(rootKey);
}

function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new StoreError('io', 'cannot create the store data directory', { cause: e });
  }
}

export function openSqliteStore(opts: SqliteStoreOptions): SecretStore {
  validateMaxVersions(opts.maxVersions);
  const busy = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busy) || busy < 0) throw new StoreError('invalid_input', 'busyTimeoutMs must be a non-negative integer');
  const key = ownKeyCopy(opts.rootKey);
  let db: Db | undefined;
  try {
    ensureDataDir(opts.dataDir);
    // Read-only check before anything is written: a wrong key changes nothing on disk.
    if (checkRootKey(opts.dataDir, key) === 'mismatch') throw new KeyMismatchError();

    const file = dbFile(opts.dataDir);
    try {
      // Created 0600 before SQLite touches it: its -wal and -shm files inherit the mode.
      if (!existsSync(file)) closeSync(openSync(file, 'wx', 0o600));
      db = openConnection(file, busy);
    } catch (e) {
      throw new StoreError('io', 'cannot open the store database', { cause: e });
    }
    const conn = db;
    conn
      .transaction(() => {
        conn.exec(UPSTREAM_SCHEMA);
        conn.exec(KEY_CHECK_SCHEMA);
        // Re-checked inside the write transaction: another writer may have initialised meanwhile.
        const verdict = checkKeyOnDb(conn, key);
        if (verdict === 'mismatch') throw new KeyMismatchError();
        const hasKcv = conn.prepare(`SELECT 1 FROM ${KEY_CHECK_TABLE} WHERE id = 1`).get() !== undefined;
        if (!hasKcv) {
          const kcv = keyCheckValue(key);
          conn.prepare(`INSERT INTO ${KEY_CHECK_TABLE} (id, algorithm, value, created_time) VALUES (1, ?, ?, ?)`).run(
            KEY_CHECK_ALGORITHM,
            kcv,
            Math.floor(Date.now() / 1000),
          );
          kcv.fill(0);
        }
      })
      .immediate();
    return createStore(sqliteBackend(conn, key), { maxVersions: opts.maxVersions, now: opts.now ?? (() => new Date()) });
  } catch (e) {
    key.fill(0);
    db?.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError('io', 'cannot initialise the store database', { cause: e });
  }
}
