// AES-256-GCM for the cipher routes: seal with a fresh random nonce, open
// into one buffer that becomes the caller's (zeroed on failure). No
// associated data, tag appended, as Go's cipher.AEAD Seal/Open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CIPHER_ALGORITHM, CIPHER_NONCE_BYTES, CIPHER_TAG_BYTES } from '../../protocol/cipher-format.js';

export interface Sealed {
  nonce: Buffer;
  /** Ciphertext with the 16-byte tag appended. */
  ciphertext: Buffer;
}

export function sealWith(key: Uint8Array, plaintext: Uint8Array): Sealed {
  const nonce = randomBytes(CIPHER_NONCE_BYTES);
  const c = createCipheriv(CIPHER_ALGORITHM, key, nonce, { authTagLength: CIPHER_TAG_BYTES });
  const ciphertext = Buffer.alloc(plaintext.length + CIPHER_TAG_BYTES);
  const body = c.update(plaintext);
  body.copy(ciphertext);
  const rest = c.final();
  rest.copy(ciphertext, body.length);
  c.getAuthTag().copy(ciphertext, body.length + rest.length);
  return { nonce, ciphertext };
}

/**
 * The plaintext (caller zeroes it), or undefined when `key` does not open it
 * (wrong key, changed or cut bytes). The plaintext is built once: GCM's
 * update() gives every byte and final() only checks the tag, so update()'s
 * buffer is the answer, zeroed when the tag does not match.
 */
export function openWith(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (nonce.length !== CIPHER_NONCE_BYTES || sealed.length < CIPHER_TAG_BYTES) return undefined;
  const bodyLength = sealed.length - CIPHER_TAG_BYTES;
  let plaintext: Buffer | undefined;
  try {
    const d = createDecipheriv(CIPHER_ALGORITHM, key, nonce, { authTagLength: CIPHER_TAG_BYTES });
    d.setAuthTag(sealed.subarray(bodyLength));
    plaintext = d.update(sealed.subarray(0, bodyLength));
    d.final();
    return plaintext;
  } catch {
    plaintext?.fill(0);
    return undefined;
  }
}
