// Wrapping one root key under another for a running rotation (docs/design.md
// § Root-key rotation): AES-256-GCM under a wrap key derived from the
// wrapping key, HMAC-SHA256(wrappingKey, label), with a fresh nonce each time.
// Whoever holds either key of a rotation can unwrap the other one.
import { createHmac } from 'node:crypto';
import { DecryptError, KEY_BYTES, newNonce, open, seal } from './crypto.js';

const WRAP_LABEL = 'spike-ts/nexus/store/rotation-wrap/v1';

export interface WrappedKey {
  readonly nonce: Buffer;
  readonly sealed: Buffer;
}

function wrapKeyOf(wrappingKey: Uint8Array): Buffer {
  return createHmac('sha256', wrappingKey).update(WRAP_LABEL, 'utf8').digest();
}

export function wrapKey(wrappingKey: Uint8Array, key: Uint8Array): WrappedKey {
  const k = wrapKeyOf(wrappingKey);
  try {
    const nonce = newNonce();
    return { nonce, sealed: seal(k, nonce, key) };
  } finally {
    k.fill(0);
  }
}

/** The wrapped key in a fresh Buffer (the caller owns and zeroes it); throws DecryptError when `wrappingKey` does not open it. */
export function unwrapKey(wrappingKey: Uint8Array, wrapped: WrappedKey): Buffer {
  const k = wrapKeyOf(wrappingKey);
  try {
    const key = open(k, wrapped.nonce, wrapped.sealed);
    if (key.length !== KEY_BYTES) {
      key.fill(0);
      throw new DecryptError();
    }
    return key;
  } finally {
    k.fill(0);
  }
}
