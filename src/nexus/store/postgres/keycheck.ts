// Root-key check against a PostgreSQL store, as the SQLite one
// (sqlite/keycheck.ts) decides it:
//   'empty'    no key-check value and no encrypted row
//   'match'    the key verifies the key-check value or (rows copied from an
//              upstream store, no key-check value) decrypts a stored row
//   'retired'  the key is one a finished rotation retired
//   'mismatch' otherwise
// While a rotation runs, its new key is a 'match' too (rotation-row.ts).
import { KEY_BYTES, keyCheckValue, sameKeyCheck } from '../crypto.js';
import type { PolicyRow } from '../sqlite/rows.js';
import type { KeyCheckResult } from '../types.js';
import { checkKeyLength, metadataRowVerdict, policyRowVerdict, secretRowVerdict } from '../upstream-row-key-check.js';
import type { PostgresDatabase } from './database.js';
import { KEY_CHECK_TABLE, RETIRED_KEY_CHECKS_TABLE, ROTATION_TABLE } from './schema.js';
import { withTransaction, type Queryable } from './tx.js';

/** The algorithm name stored with every key-check value (as SQLite's). */
export const KEY_CHECK_ALGORITHM = 'hmac-sha256/spike-ts-key-check-v1';

export { checkKeyLength };

/** The stored key-check value of the current key; undefined when there is none. */
export async function storedKeyCheck(q: Queryable): Promise<Buffer | undefined> {
  const r = await q.query<{ value: Buffer }>(`SELECT value FROM ${KEY_CHECK_TABLE} WHERE id = 1`);
  return r.rows[0]?.value;
}

/**
 * What a key's verdict is decided from, read in one snapshot: the key-check
 * values (the current one, the retired ones) and, for a store without a
 * current one (rows copied from an upstream store), the first sealed row of
 * each table. Only HMACs and ciphertexts: no key material.
 */
export interface KeyCheckSnapshot {
  readonly current: Buffer | undefined;
  /** The running rotation's new key check (undefined: none runs). */
  readonly rotating?: Buffer | undefined;
  readonly retired: readonly Buffer[];
  readonly secret: { readonly nonce: unknown; readonly encrypted_data: unknown } | undefined;
  readonly metadata: { readonly nonce: unknown; readonly encrypted_current_version: unknown } | undefined;
  readonly policy: PolicyRow | undefined;
}

/** Reads what keyVerdictFrom needs (on one snapshot, or inside a write transaction). */
export async function readKeyCheckSnapshot(q: Queryable): Promise<KeyCheckSnapshot> {
  const current = await storedKeyCheck(q);
  if (current !== undefined) {
    const retired = await q.query<{ value: Buffer }>(`SELECT value FROM ${RETIRED_KEY_CHECKS_TABLE}`);
    const rotating = (await q.query<{ new_key_check: Buffer }>(`SELECT new_key_check FROM ${ROTATION_TABLE} WHERE id = 1`)).rows[0]?.new_key_check;
    return { current, rotating, retired: retired.rows.map((r) => r.value), secret: undefined, metadata: undefined, policy: undefined };
  }
  const secret = (await q.query<{ nonce: unknown; encrypted_data: unknown }>('SELECT nonce, encrypted_data FROM secrets LIMIT 1')).rows[0];
  const metadata =
    secret !== undefined
      ? undefined
      : (await q.query<{ nonce: unknown; encrypted_current_version: unknown }>('SELECT nonce, encrypted_current_version FROM secret_metadata LIMIT 1')).rows[0];
  const policy =
    secret !== undefined || metadata !== undefined
      ? undefined
      : (await q.query<PolicyRow>('SELECT nonce, encrypted_spiffe_id_pattern, encrypted_path_pattern, encrypted_permissions FROM policies LIMIT 1')).rows[0];
  return { current: undefined, retired: [], secret, metadata, policy };
}

/** The verdict on `key` from a snapshot: synchronous, no database call (an HMAC comparison, or one trial decryption). */
export function keyVerdictFrom(snap: KeyCheckSnapshot, key: Uint8Array): KeyCheckResult {
  checkKeyLength(key);
  if (snap.current !== undefined) {
    const kcv = keyCheckValue(key);
    try {
      if (sameKeyCheck(kcv, snap.current)) return 'match';
      if (snap.rotating !== undefined && sameKeyCheck(kcv, snap.rotating)) return 'match';
      return snap.retired.some((v) => sameKeyCheck(kcv, v)) ? 'retired' : 'mismatch';
    } finally {
      kcv.fill(0);
    }
  }
  const { secret, metadata: meta, policy } = snap;
  if (secret !== undefined) return secretRowVerdict(key, secret);
  if (meta !== undefined) return metadataRowVerdict(key, meta);
  if (policy !== undefined) return policyRowVerdict(key, policy);
  return 'empty';
}

/** What the database (a snapshot, or inside a write transaction) says about `key`. */
export async function keyVerdict(q: Queryable, key: Uint8Array): Promise<KeyCheckResult> {
  return keyVerdictFrom(await readKeyCheckSnapshot(q), key);
}

/**
 * A synchronous checker for many candidate keys (restore's search): the
 * key-check values are read once, on one snapshot, and each candidate is
 * checked against them in memory — no database round trip per candidate, and
 * no key ever reaches the database. A running rotation's new key is accepted.
 */
export async function loadPostgresKeyChecker(db: PostgresDatabase): Promise<(key: Uint8Array) => KeyCheckResult> {
  const snap = await withTransaction(db.pool, (c) => readKeyCheckSnapshot(c), { snapshot: true });
  return (key) => keyVerdictFrom(snap, key);
}

/** Read-only (one snapshot); StoreError 'invalid_input' for a key that is not 32 bytes, 'io' when the database fails. */
export async function checkPostgresRootKey(db: PostgresDatabase, key: Uint8Array): Promise<KeyCheckResult> {
  checkKeyLength(key);
  return withTransaction(db.pool, (c) => keyVerdict(c, key), { snapshot: true });
}

/** true when the store was used with a root key before (a key-check value or any encrypted row). */
export async function postgresStoreHoldsData(db: PostgresDatabase): Promise<boolean> {
  // Any 32-byte key answers 'empty' exactly when nothing is there to check.
  const probe = Buffer.alloc(KEY_BYTES);
  try {
    return (await checkPostgresRootKey(db, probe)) !== 'empty';
  } finally {
    probe.fill(0);
  }
}
