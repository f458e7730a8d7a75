// Deciding a root key from one stored row, for a store that holds rows but no
// key-check value (rows copied from an upstream store): the key matches when
// it opens the row. Shared by sqlite/keycheck.ts and postgres/keycheck.ts,
// which read the rows; nothing here touches a database. No key material is
// kept: every plaintext opened is zeroed at once.
import { DecryptError, fieldNonce, KEY_BYTES, METADATA_SALTS, NONCE_BYTES, open } from './crypto.js';
import { StoreError } from './errors.js';
import { openPolicyFields, type PolicyRow } from './sqlite/rows.js';

export type RowVerdict = 'match' | 'mismatch';

/** StoreError 'invalid_input' unless `key` is a root key's size. */
export function checkKeyLength(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new StoreError('invalid_input', `the root key must be ${KEY_BYTES} bytes`);
}

function tryOpen(key: Uint8Array, nonce: unknown, sealed: unknown): boolean {
  if (!(nonce instanceof Uint8Array) || !(sealed instanceof Uint8Array)) return false;
  try {
    open(key, nonce, sealed).fill(0);
    return true;
  } catch (e) {
    if (e instanceof DecryptError) return false;
    throw e;
  }
}

/** A secrets row: its data opens with the row's nonce. */
export function secretRowVerdict(key: Uint8Array, row: { readonly nonce: unknown; readonly encrypted_data: unknown }): RowVerdict {
  return tryOpen(key, row.nonce, row.encrypted_data) ? 'match' : 'mismatch';
}

/** A secret_metadata row: its current version opens with upstream's field nonce. */
export function metadataRowVerdict(key: Uint8Array, row: { readonly nonce: unknown; readonly encrypted_current_version: unknown }): RowVerdict {
  if (!(row.nonce instanceof Uint8Array) || row.nonce.length !== NONCE_BYTES) return 'mismatch';
  return tryOpen(key, fieldNonce(row.nonce, METADATA_SALTS.currentVersion), row.encrypted_current_version) ? 'match' : 'mismatch';
}

/** A policies row: its fields open (either form). */
export function policyRowVerdict(key: Uint8Array, row: PolicyRow): RowVerdict {
  try {
    openPolicyFields(key, row);
    return 'match';
  } catch (e) {
    if (e instanceof StoreError) return 'mismatch';
    throw e;
  }
}
