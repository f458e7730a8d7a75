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

// Sealing several short fields under one key (a secret's metadata: five
// fields, each with its own nonce): the same bytes as `seal` for each, but
// with one AES-256-ECB cipher object for all of them instead of one GCM
// cipher object per field (creating and finishing a cipher object cost more
// than the AES work on a few bytes: about 15 µs per field against 3). GCM by
// hand (NIST SP 800-38D): H = E(0¹²⁸); J0 = nonce ‖ 0³¹1; the ciphertext is
// the plaintext XOR E(inc32(J0)), E(inc32²(J0)), …; the tag is
// GHASH_H(ciphertext, lengths) XOR E(J0) — no associated data, 16-byte tag.
// All E(·) blocks come from one ECB update call; GHASH runs here, one
// multiplication in GF(2¹²⁸) per 16 bytes, so longer plaintexts go to `seal`.

/** Longest plaintext `sealFields` seals by hand; longer ones go through `seal`. */
const FIELD_MAX_BYTES = 256;
const BLOCK = 16;

/** x·y in GCM's GF(2¹²⁸) (SP 800-38D Algorithm 1, without branches), blocks as four big-endian 32-bit words; the result goes to `x`. */
function gfMul(x: Uint32Array, y: Uint32Array): void {
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let v0 = y[0] as number;
  let v1 = y[1] as number;
  let v2 = y[2] as number;
  let v3 = y[3] as number;
  for (let w = 0; w < 4; w++) {
    let word = x[w] as number;
    for (let b = 0; b < 32; b++) {
      const take = -((word >>> 31) & 1); // all ones when the bit of x is set
      z0 ^= v0 & take;
      z1 ^= v1 & take;
      z2 ^= v2 & take;
      z3 ^= v3 & take;
      word <<= 1;
      const reduce = -(v3 & 1) & 0xe1000000; // V·x: a shift right, R = 11100001 ‖ 0¹²⁰ when a bit falls off
      v3 = (v3 >>> 1) | (v2 << 31);
      v2 = (v2 >>> 1) | (v1 << 31);
      v1 = (v1 >>> 1) | (v0 << 31);
      v0 = (v0 >>> 1) ^ reduce;
    }
  }
  x[0] = z0 >>> 0;
  x[1] = z1 >>> 0;
  x[2] = z2 >>> 0;
  x[3] = z3 >>> 0;
}

/** X ^= the 16 bytes of `b` at `off` (zero-padded past `end`); then X = X·H. */
function ghashBlock(x: Uint32Array, h: Uint32Array, b: Uint8Array, off: number, end: number): void {
  for (let w = 0; w < 4; w++) {
    let word = 0;
    for (let j = 0; j < 4; j++) {
      const i = off + w * 4 + j;
      word = (word << 8) | (i < end ? (b[i] as number) : 0);
    }
    x[w] = ((x[w] as number) ^ word) >>> 0;
  }
  gfMul(x, h);
}

/**
 * AES-256-GCM seals of several plaintexts under one key, one nonce each:
 * element i is exactly `seal(key, fields[i].nonce, fields[i].plaintext)`
 * (ciphertext ‖ 16-byte tag). Nonces must be 12 bytes.
 */
export function sealFields(key: Uint8Array, fields: readonly { readonly nonce: Uint8Array; readonly plaintext: Uint8Array }[]): Buffer[] {
  const blocksOf = (n: number): number => Math.ceil(n / BLOCK);
  let blocks = 1; // E(0¹²⁸) = H
  for (const f of fields) {
    if (f.nonce.length !== NONCE_BYTES) throw new Error('a GCM field nonce must be 12 bytes');
    if (f.plaintext.length <= FIELD_MAX_BYTES) blocks += 1 + blocksOf(f.plaintext.length);
  }
  // The counter blocks: per field J0, then inc32(J0), inc32²(J0), … (12-byte nonce: the counter starts at 1).
  const counters = Buffer.alloc(blocks * BLOCK);
  let at = BLOCK;
  for (const f of fields) {
    if (f.plaintext.length > FIELD_MAX_BYTES) continue;
    for (let c = 1; c <= 1 + blocksOf(f.plaintext.length); c++) {
      counters.set(f.nonce, at);
      counters.writeUInt32BE(c, at + NONCE_BYTES);
      at += BLOCK;
    }
  }
  const ecb = createCipheriv('aes-256-ecb', key, null);
  ecb.setAutoPadding(false);
  const stream = ecb.update(counters);
  const h = new Uint32Array([stream.readUInt32BE(0), stream.readUInt32BE(4), stream.readUInt32BE(8), stream.readUInt32BE(12)]);
  const x = new Uint32Array(4);
  const out: Buffer[] = [];
  at = BLOCK;
  try {
    for (const f of fields) {
      const pt = f.plaintext;
      if (pt.length > FIELD_MAX_BYTES) {
        out.push(seal(key, f.nonce, pt));
        continue;
      }
      const j0 = at;
      at += BLOCK;
      const sealed = Buffer.alloc(pt.length + TAG_BYTES);
      for (let i = 0; i < pt.length; i++) sealed[i] = (pt[i] as number) ^ (stream[at + i] as number);
      at += blocksOf(pt.length) * BLOCK;
      x.fill(0);
      for (let off = 0; off < pt.length; off += BLOCK) ghashBlock(x, h, sealed, off, pt.length);
      // The lengths block: 64-bit bit lengths of the (absent) associated data and of the ciphertext.
      const bits = pt.length * 8;
      x[2] = ((x[2] as number) ^ Math.floor(bits / 2 ** 32)) >>> 0;
      x[3] = ((x[3] as number) ^ bits) >>> 0;
      gfMul(x, h);
      for (let w = 0; w < 4; w++) sealed.writeUInt32BE(((x[w] as number) ^ stream.readUInt32BE(j0 + w * 4)) >>> 0, pt.length + w * 4);
      out.push(sealed);
    }
    return out;
  } finally {
    stream.fill(0);
    h.fill(0);
    x.fill(0);
  }
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
