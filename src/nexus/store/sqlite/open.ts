// openSqliteStore: key check first (read-only), then the read-write
// connection (WAL, synchronous=FULL, busy timeout), upstream schema, our
// tables and, on first initialisation, our key-check value; then our own
// descriptors on the WAL, whose fsyncs make group commits durable
// (wal-sync.ts). During a
// rotation either key opens the store: the other one is unwrapped from the
// rotation row and the keyring seals with the new key.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { Database as Db } from 'better-sqlite3';
import { createStore, validateMaxVersions } from '../core.js';
import { DecryptError, KEY_BYTES, keyCheckMatches, keyCheckValue } from '../crypto.js';
import { KeyMismatchError, RetiredKeyError, StoreError } from '../errors.js';
import { unwrapKey } from '../key-wrap.js';
import { Keyring } from '../keyring.js';
import type { KeyCheckResult, SecretStore, SqliteStoreOptions } from '../types.js';
import { sqliteBackend } from './sqlite-backend.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openConnection } from './connection.js';
import { checkKeyOnDb, checkRootKey, dbFile, storedKeyCheck } from './keycheck.js';
import { readRotationRow } from './rotation-row.js';
import { openWalSync, type WalSync } from './wal-sync.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { sqliteRotation } from './rotation.js';
import { KEY_CHECK_ALGORITHM, KEY_CHECK_SCHEMA, KEY_CHECK_TABLE, ROTATION_SCHEMA, UPSTREAM_SCHEMA } from './schema.js';

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

function refuse(verdict: KeyCheckResult): void {
  if (verdict === 'mismatch') throw new KeyMismatchError();
  if (verdict === 'retired') throw new RetiredKeyError();
}

function unwrapOrFail(wrappingKey: Uint8Array, wrapped: Parameters<typeof unwrapKey>[1], expectedCheck: unknown): Buffer {
  let other: Buffer;
  try {
    other = unwrapKey(wrappingKey, wrapped);
  } catch (e) {
    if (e instanceof DecryptError) throw new StoreError('integrity', 'the rotation state does not open with this root key');
    throw e;
  }
  if (!(expectedCheck instanceof Uint8Array) || !keyCheckMatches(other, expectedCheck)) {
    other.fill(0);
    throw new StoreError('integrity', 'the rotation state holds a key that fails its key check');
  }
  return other;
}

/**
 * The keyring for `key` (already checked 'match'), inside the open transaction.
 * Takes ownership of `key` only when it returns.
 */
function keyringFor(conn: Db, key: Buffer): Keyring {
  const rotation = readRotationRow(conn);
  if (rotation === undefined) return new Keyring(key);
  const current = storedKeyCheck(conn);
  if (current instanceof Uint8Array && keyCheckMatches(key, current)) {
    // The old key: the new one is wrapped under it.
    return new Keyring(unwrapOrFail(key, rotation.newKey, rotation.newKeyCheck), key);
  }
  if (keyCheckMatches(key, rotation.newKeyCheck)) {
    return new Keyring(key, unwrapOrFail(key, rotation.previousKey, current));
  }
  throw new KeyMismatchError();
}

export function openSqliteStore(opts: SqliteStoreOptions): SecretStore {
  validateMaxVersions(opts.maxVersions);
  const busy = opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busy) || busy < 0) throw new StoreError('invalid_input', 'busyTimeoutMs must be a non-negative integer');
  const now = opts.now ?? (() => new Date());
  const key = ownKeyCopy(opts.rootKey);
  let keyring: Keyring | undefined;
  let db: Db | undefined;
  let walSync: WalSync | undefined;
  let checkpointer: Checkpointer | undefined;
  try {
    ensureDataDir(opts.dataDir);
    // Read-only check before anything is written: a wrong or retired key changes nothing on disk.
    refuse(checkRootKey(opts.dataDir, key));

    const file = dbFile(opts.dataDir);
    try {
      // Created 0600 before SQLite touches it: its -wal and -shm files inherit the mode.
      if (!existsSync(file)) closeSync(openSync(file, 'wx', 0o600));
      db = openConnection(file, busy);
    } catch (e) {
      throw new StoreError('io', 'cannot open the store database', { cause: e });
    }
    const conn = db;
    keyring = conn
      .transaction((): Keyring => {
        conn.exec(UPSTREAM_SCHEMA);
        conn.exec(KEY_CHECK_SCHEMA);
        conn.exec(ROTATION_SCHEMA);
        // Re-checked inside the write transaction: another writer may have initialised meanwhile.
        refuse(checkKeyOnDb(conn, key));
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
        return keyringFor(conn, key);
      })
      .immediate();
    // After the first transaction: the connection has its WAL file open (wal-sync.ts).
    walSync = openWalSync(file, opts.walFsync);
    checkpointer = startCheckpointer(file, conn, opts.checkpoint);
    const backend = sqliteBackend(conn, keyring, walSync, checkpointer);
    const rotation = sqliteRotation({ db: conn, keyring, forgetSealedRows: () => backend.forgetSealedRows(), now });
    return createStore(backend, {
      maxVersions: opts.maxVersions,
      now,
      rotation,
      ...(opts.groupCommit === undefined ? {} : { groupCommit: opts.groupCommit }),
    });
  } catch (e) {
    key.fill(0);
    keyring?.zero();
    checkpointer?.close();
    db?.close();
    walSync?.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError('io', 'cannot initialise the store database', { cause: e });
  }
}
