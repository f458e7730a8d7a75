// Encrypting and decrypting upstream's rows (upstream persist/secret.go, policy.go).
// Every function takes the root key explicitly; plaintext buffers are zeroed
// as soon as they have been sealed or parsed.
import { DecryptError, fieldNonce, METADATA_SALTS, newNonce, NONCE_BYTES, open, POLICY_SALTS, seal } from '../crypto.js';
import { StoreError } from '../errors.js';
import { emptyStringMap, goStringMap } from '../../../gocompat/json/decode.js';
import { goEncode } from '../../../gocompat/json/encode.js';
import { DecodeError } from '../../../gocompat/json/errors.js';
import { parseGoJson } from '../../../gocompat/json/parse.js';
import type { SecretMetadataInfo } from '../types.js';
import { dateToUnixSeconds, unixSecondsToDate } from './time.js';

function integrity(what: string): StoreError {
  return new StoreError('integrity', `stored ${what} failed to decrypt or is malformed`);
}

function toBuffer(v: unknown, what: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  throw integrity(what);
}

function sealText(key: Uint8Array, nonce: Uint8Array, text: string): Buffer {
  const plain = Buffer.from(text, 'utf8');
  try {
    return seal(key, nonce, plain);
  } finally {
    plain.fill(0);
  }
}

function openText(key: Uint8Array, nonce: Uint8Array, sealed: unknown, what: string): string {
  let plain: Buffer;
  try {
    plain = open(key, nonce, toBuffer(sealed, what));
  } catch (e) {
    if (e instanceof DecryptError) throw integrity(what);
    throw e;
  }
  try {
    return plain.toString('utf8');
  } finally {
    plain.fill(0);
  }
}

// ---- secrets.encrypted_data: GCM(json.Marshal(map[string]string)), fresh nonce per write
//
// The plaintext is the exact bytes of Go's json.Marshal, as upstream's
// StoreSecret writes them: keys in Go's byte-wise order, strings with Go's
// HTML-safe escaping (\u003c \u003e \u0026 \u2028 \u2029), an unpaired
// surrogate as \ufffd. Reading is json.Unmarshal's: rows written by Go, by
// this code and by earlier versions of it (JSON.stringify) all decode.

/** The plaintext sealed into secrets.encrypted_data (json.Marshal of the map); the caller zeroes it. */
export function secretValuesPlaintext(values: Readonly<Record<string, string>>): Buffer {
  return goEncode((w) => w.stringKeyMap(values, (vw, v) => vw.string(v)));
}

export function sealSecretValues(key: Uint8Array, values: Readonly<Record<string, string>>): { nonce: Buffer; data: Buffer } {
  const nonce = newNonce();
  const plain = secretValuesPlaintext(values);
  try {
    return { nonce, data: seal(key, nonce, plain) };
  } finally {
    plain.fill(0);
  }
}

export function openSecretValues(key: Uint8Array, nonce: unknown, data: unknown): Record<string, string> {
  let plain: Buffer;
  try {
    plain = open(key, toBuffer(nonce, 'secret data'), toBuffer(data, 'secret data'));
  } catch (e) {
    if (e instanceof DecryptError) throw integrity('secret data');
    throw e;
  }
  try {
    // Go's json.Marshal of a nil map is "null": an empty secret.
    return goStringMap(parseGoJson(plain), null, 'secret data') ?? emptyStringMap();
  } catch (e) {
    if (e instanceof DecodeError) throw integrity('secret data');
    throw e;
  } finally {
    plain.fill(0);
  }
}

// ---- secret_metadata: base nonce + per-field nonces, ASCII decimal plaintexts

export interface SealedMetadata {
  nonce: Buffer;
  currentVersion: Buffer;
  oldestVersion: Buffer;
  createdTime: Buffer;
  updatedTime: Buffer;
  maxVersions: Buffer;
}

export function sealMetadata(key: Uint8Array, m: SecretMetadataInfo): SealedMetadata {
  const nonce = newNonce();
  const f = (salt: string, n: number): Buffer => sealText(key, fieldNonce(nonce, salt), String(n));
  return {
    nonce,
    currentVersion: f(METADATA_SALTS.currentVersion, m.currentVersion),
    oldestVersion: f(METADATA_SALTS.oldestVersion, m.oldestVersion),
    createdTime: f(METADATA_SALTS.createdTime, dateToUnixSeconds(m.createdTime)),
    updatedTime: f(METADATA_SALTS.updatedTime, dateToUnixSeconds(m.updatedTime)),
    maxVersions: f(METADATA_SALTS.maxVersions, m.maxVersions),
  };
}

export interface MetadataRow {
  nonce: unknown;
  encrypted_current_version: unknown;
  encrypted_oldest_version: unknown;
  encrypted_created_time: unknown;
  encrypted_updated_time: unknown;
  encrypted_max_versions: unknown;
}

export function openMetadata(key: Uint8Array, row: MetadataRow): SecretMetadataInfo {
  const base = toBuffer(row.nonce, 'secret metadata');
  const int = (salt: string, sealed: unknown): number => {
    const text = openText(key, fieldNonce(base, salt), sealed, 'secret metadata');
    if (!/^-?[0-9]{1,16}$/.test(text)) throw integrity('secret metadata');
    return Number(text);
  };
  const time = (salt: string, sealed: unknown): Date => {
    const d = unixSecondsToDate(int(salt, sealed));
    if (d === undefined) throw integrity('secret metadata');
    return d;
  };
  if (base.length !== NONCE_BYTES) throw integrity('secret metadata');
  return {
    currentVersion: int(METADATA_SALTS.currentVersion, row.encrypted_current_version),
    oldestVersion: int(METADATA_SALTS.oldestVersion, row.encrypted_oldest_version),
    createdTime: time(METADATA_SALTS.createdTime, row.encrypted_created_time),
    updatedTime: time(METADATA_SALTS.updatedTime, row.encrypted_updated_time),
    maxVersions: int(METADATA_SALTS.maxVersions, row.encrypted_max_versions),
  };
}

/** The current version alone (one decryption instead of five: the get path). */
export function openCurrentVersion(key: Uint8Array, nonce: unknown, sealed: unknown): number {
  const base = toBuffer(nonce, 'secret metadata');
  if (base.length !== NONCE_BYTES) throw integrity('secret metadata');
  const text = openText(key, fieldNonce(base, METADATA_SALTS.currentVersion), sealed, 'secret metadata');
  if (!/^-?[0-9]{1,16}$/.test(text)) throw integrity('secret metadata');
  return Number(text);
}

// ---- policies: three fields; we derive a nonce per field, upstream reused one

export interface SealedPolicy {
  nonce: Buffer;
  spiffeIdPattern: Buffer;
  pathPattern: Buffer;
  permissions: Buffer;
}

export function sealPolicyFields(key: Uint8Array, p: { spiffeIdPattern: string; pathPattern: string; permissions: readonly string[] }): SealedPolicy {
  const nonce = newNonce();
  return {
    nonce,
    spiffeIdPattern: sealText(key, fieldNonce(nonce, POLICY_SALTS.spiffeIdPattern), p.spiffeIdPattern),
    pathPattern: sealText(key, fieldNonce(nonce, POLICY_SALTS.pathPattern), p.pathPattern),
    permissions: sealText(key, fieldNonce(nonce, POLICY_SALTS.permissions), p.permissions.join(',')),
  };
}

export interface PolicyRow {
  nonce: unknown;
  encrypted_spiffe_id_pattern: unknown;
  encrypted_path_pattern: unknown;
  encrypted_permissions: unknown;
}

export function openPolicyFields(key: Uint8Array, row: PolicyRow): { spiffeIdPattern: string; pathPattern: string; permissions: string[] } {
  const base = toBuffer(row.nonce, 'policy');
  const decode = (nonceFor: (salt: string) => Buffer) => {
    const permissions = openText(key, nonceFor(POLICY_SALTS.permissions), row.encrypted_permissions, 'policy');
    return {
      spiffeIdPattern: openText(key, nonceFor(POLICY_SALTS.spiffeIdPattern), row.encrypted_spiffe_id_pattern, 'policy'),
      pathPattern: openText(key, nonceFor(POLICY_SALTS.pathPattern), row.encrypted_path_pattern, 'policy'),
      permissions: permissions === '' ? [] : permissions.split(','),
    };
  };
  try {
    return decode((salt) => fieldNonce(base, salt));
  } catch (e) {
    if (!(e instanceof StoreError) && !(e instanceof DecryptError)) throw e;
    // An upstream-written row: one nonce shared by all three fields.
    try {
      return decode(() => base);
    } catch (e2) {
      if (e2 instanceof DecryptError) throw integrity('policy');
      throw e2;
    }
  }
}
