// Root-key check against a store (docs/design.md § Restore), read-only.
//   'empty'    no key-check value and no encrypted row (fresh or absent store)
//   'match'    the key verifies the key-check value or, while a rotation runs,
//              the rotation's new key check; or (upstream-only data) decrypts
//              a stored row
//   'retired'  the key is one a finished rotation retired
//   'mismatch' otherwise
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import { keyCheckValue, sameKeyCheck } from '../crypto.js';
import { StoreError } from '../errors.js';
import type { KeyCheckResult } from '../types.js';
import { checkKeyLength, metadataRowVerdict, policyRowVerdict, secretRowVerdict } from '../upstream-row-key-check.js';
import { readRotationRow, retiredKeyChecks } from './rotation-row.js';
import type { PolicyRow } from './rows.js';
import { DB_FILE_NAME, KEY_CHECK_TABLE } from './schema.js';
import { tableExists } from './tables.js';

export function dbFile(dataDir: string): string {
  return join(dataDir, DB_FILE_NAME);
}

/** The stored key-check value of the current key (undefined when there is none: fresh or upstream-only data). */
export function storedKeyCheck(db: Db): unknown {
  if (!tableExists(db, KEY_CHECK_TABLE)) return undefined;
  return db.prepare<[], { value: unknown }>(`SELECT value FROM ${KEY_CHECK_TABLE} WHERE id = 1`).get()?.value;
}

/** Verdict from our key-check values; undefined when the store has none (decide from the rows). */
function verdictFromKeyChecks(db: Db, key: Uint8Array): KeyCheckResult | undefined {
  const current = storedKeyCheck(db);
  if (current === undefined) return undefined;
  const kcv = keyCheckValue(key);
  try {
    if (sameKeyCheck(kcv, current)) return 'match';
    const rotation = readRotationRow(db);
    if (rotation !== undefined && sameKeyCheck(kcv, rotation.newKeyCheck)) return 'match';
    if (retiredKeyChecks(db).some((v) => sameKeyCheck(kcv, v))) return 'retired';
    return 'mismatch';
  } finally {
    kcv.fill(0);
  }
}

/** What a connection (read-only or inside a write transaction) says about a candidate key. */
export function checkKeyOnDb(db: Db, key: Uint8Array): KeyCheckResult {
  const verdict = verdictFromKeyChecks(db, key);
  if (verdict !== undefined) return verdict;
  if (tableExists(db, 'secrets')) {
    const row = db.prepare<[], { nonce: unknown; encrypted_data: unknown }>('SELECT nonce, encrypted_data FROM secrets LIMIT 1').get();
    if (row !== undefined) return secretRowVerdict(key, row);
  }
  if (tableExists(db, 'secret_metadata')) {
    const row = db.prepare<[], { nonce: unknown; encrypted_current_version: unknown }>(
      'SELECT nonce, encrypted_current_version FROM secret_metadata LIMIT 1',
    ).get();
    if (row !== undefined) return metadataRowVerdict(key, row);
  }
  if (tableExists(db, 'policies')) {
    const row = db.prepare<[], PolicyRow>(
      'SELECT nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions FROM policies LIMIT 1',
    ).get();
    if (row !== undefined) return policyRowVerdict(key, row);
  }
  return 'empty';
}

/**
 * Opens the database without any effect on disk. With no (or an empty) WAL
 * file, the main file holds everything: it is read into memory and opened
 * from there (a read-only connection on the file would still create -wal and
 * -shm files). With a non-empty WAL (unclean shutdown, or another open
 * connection), a read-only connection on the file is needed to see the WAL's
 * committed data; it never changes the database or WAL contents.
 */
function openWithoutSideEffects(file: string): Db {
  const wal = `${file}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) return new Database(file, { readonly: true, fileMustExist: true });
  const image = readFileSync(file);
  if (image.length === 0) return new Database(':memory:');
  // A WAL-mode header (read/write versions 2) cannot be deserialized; the image is a full snapshot, so mark it rollback-mode.
  if (image.length >= 100 && image.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') {
    if (image[18] === 2) image[18] = 1;
    if (image[19] === 2) image[19] = 1;
  }
  try {
    return new Database(image, { readonly: true });
  } finally {
    image.fill(0);
  }
}

/** Runs fn on a side-effect-free connection; undefined when there is no database file. Never creates or writes files. */
function withReadOnlyDb<T>(dataDir: string, fn: (db: Db) => T): T | undefined {
  const file = dbFile(dataDir);
  if (!existsSync(file)) return undefined;
  let db: Db;
  try {
    db = openWithoutSideEffects(file);
  } catch (e) {
    throw new StoreError('io', 'cannot open the store database read-only', { cause: e });
  }
  try {
    return fn(db);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError('io', 'cannot read the store database', { cause: e });
  } finally {
    db.close();
  }
}

export function checkRootKey(dataDir: string, candidateKey: Uint8Array): KeyCheckResult {
  checkKeyLength(candidateKey);
  return withReadOnlyDb(dataDir, (db) => checkKeyOnDb(db, candidateKey)) ?? 'empty';
}

/**
 * Runs `fn` with a checker for many candidate keys against one read-only
 * snapshot of the store (opened once, never written): restore's search
 * checks each candidate set's key. No database file: every key is 'empty'.
 */
export function withKeyChecker<T>(dataDir: string, fn: (check: (candidateKey: Uint8Array) => KeyCheckResult) => T): T {
  const check =
    (db: Db | undefined) =>
    (candidateKey: Uint8Array): KeyCheckResult => {
      checkKeyLength(candidateKey);
      return db === undefined ? 'empty' : checkKeyOnDb(db, candidateKey);
    };
  let out = undefined as { value: T } | undefined;
  withReadOnlyDb(dataDir, (db) => {
    out = { value: fn(check(db)) };
  });
  return out === undefined ? fn(check(undefined)) : out.value;
}

/** true when the store was used with a root key before (key-check value or any encrypted row). */
export function storeHoldsData(dataDir: string): boolean {
  // Any 32-byte key answers 'empty' exactly when nothing is there to check.
  const probe = Buffer.alloc(32);
  try {
    return checkRootKey(dataDir, probe) !== 'empty';
  } finally {
    probe.fill(0);
  }
}
