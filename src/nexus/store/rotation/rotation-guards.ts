// Checks and errors every backend's root-key rotation (sqlite/rotation.ts,
// postgres/rotation.ts) shares: the new key's check, the conflict errors, and
// lending a copy of a key that is zeroed after use.
import { KEY_BYTES } from '../crypto.js';
import { StoreError } from '../errors.js';

export function rotationConflict(message: string): StoreError {
  return new StoreError('conflict', message);
}

export function noRotationRunning(): StoreError {
  return rotationConflict('no root-key rotation is running');
}

/** StoreError 'invalid_input' unless `newKey` is a root key's size and not all zero. */
export function checkNewRootKey(newKey: unknown): asserts newKey is Uint8Array {
  if (!(newKey instanceof Uint8Array) || newKey.length !== KEY_BYTES) {
    throw new StoreError('invalid_input', `the new root key must be ${KEY_BYTES} bytes`);
  }
  if (newKey.every((b) => b === 0)) throw new StoreError('invalid_input', 'the new root key must not be all zero');
}

/** Runs `fn` with a copy of `key`, zeroed when `fn` returns or throws (a synchronous `fn`). */
export function withKeyCopy<T>(key: Buffer, fn: (key: Buffer) => T): T {
  const copy = Buffer.from(key);
  try {
    return fn(copy);
  } finally {
    copy.fill(0);
  }
}
