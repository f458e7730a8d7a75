// AES-256-GCM as upstream's persist layer uses it (upstream
// persist/crypto.go): key = the root key, 12-byte nonce, 16-byte tag appended to the
// ciphertext (Go `Seal`), no associated data, no KDF. Plus the per-field nonce
// derivation (base nonce XOR a 12-byte ASCII salt) and our key-check value.
import { createCipheriv, createDecipheriv, createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown by `open` when authentication fails; carries no data. */
export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor() {
    super('decryption failed');
  }
}

// Nonces are cut from a pool of CSPRNG bytes filled 4 KiB at a time: one
// randomBytes call per nonce cost more than the AES-GCM seal itself (a put
// seals two). Every byte is handed out once, in a copy; nonces are public
// (stored next to the ciphertext), so holding the next ones in memory
// reveals nothing.
const NONCE_POOL_BYTES = 4096 - (4096 % NONCE_BYTES);
const noncePool = Buffer.alloc(NONCE_POOL_BYTES);
let noncePoolOffset = NONCE_POOL_BYTES;

/** A fresh random 12-byte GCM nonce (a buffer of its own). */
export function newNonce(): Buffer {
  if (noncePoolOffset + NONCE_BYTES > NONCE_POOL_BYTES) {
    randomFillSync(noncePool);
    noncePoolOffset = 0;
  }
  const nonce = Buffer.alloc(NONCE_BYTES);
  noncePool.copy(nonce, 0, noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePool.fill(0, noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

/** Returns the plaintext in a fresh Buffer (caller zeroes it when done); throws DecryptError. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer {
  if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) throw new DecryptError();
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_BYTES)), d.final()]);
  } catch {
    throw new DecryptError();
  }
}

/** Upstream's field nonce: base XOR salt (both 12 bytes). */
export function fieldNonce(base: Uint8Array, salt: string): Buffer {
  const s = Buffer.from(salt, 'ascii');
  if (base.length !== NONCE_BYTES || s.length !== NONCE_BYTES) throw new DecryptError();
  const out = Buffer.alloc(NONCE_BYTES);
  for (let i = 0; i < NONCE_BYTES; i++) out[i] = (base[i] ?? 0) ^ (s[i] ?? 0);
  return out;
}

/** Upstream salts for secret_metadata fields (persist/field_nonce.go). */
export const METADATA_SALTS = {
  currentVersion: 'current_ver_',
  oldestVersion: 'oldest_ver__',
  createdTime: 'created_tim_',
  updatedTime: 'updated_tim_',
  maxVersions: 'max_versions',
} as const;

/** Our salts for policy fields (upstream reuses one nonce for all three; we read that form too). */
export const POLICY_SALTS = {
  spiffeIdPattern: 'spiffeid_pat',
  pathPattern: 'path_pattern',
  permissions: 'permissions_',
} as const;

const KEY_CHECK_LABEL = 'spike-ts/nexus/store/key-check/v1';

/** Key-check value: HMAC-SHA256(rootKey, fixed label). Reveals nothing about the key; binds the store to it. */
export function keyCheckValue(key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(KEY_CHECK_LABEL, 'utf8').digest();
}

export function keyCheckMatches(key: Uint8Array, stored: Uint8Array): boolean {
  const expected = keyCheckValue(key);
  const ok = sameKeyCheck(expected, stored);
  expected.fill(0);
  return ok;
}

/** Constant-time comparison of a computed key-check value with a stored one (anything not bytes never matches). */
export function sameKeyCheck(expected: Uint8Array, stored: unknown): boolean {
  return stored instanceof Uint8Array && stored.length === expected.length && timingSafeEqual(expected, stored);
}
