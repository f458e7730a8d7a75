// Typed store errors. Messages name the operation and, at most, the kind of
// entity involved; they never contain secret values, root-key material or
// decrypted fields.

export type StoreErrorCode =
  | 'not_found' // entity (secret path, version, policy) missing, deleted or nothing to undelete
  | 'invalid_input' // a value the store refuses to persist (wrong type, empty name, ...)
  | 'key_mismatch' // the root key does not open this store
  | 'integrity' // stored data is inconsistent or fails to decrypt
  | 'closed' // the store was closed
  | 'conflict' // a root-key rotation already runs, or none is in the phase the call needs
  | 'io'; // the database could not be opened or written

export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The database cannot be reached right now (connection refused or lost, server
 * shutting down, no answer in time): a passing state, not a fault of the call.
 * Code 'io' as any database failure; Nexus answers 503 for it and the call may
 * be retried once the database is back. Never holds a password or a value.
 */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('io', message, options);
  }
}

/** Maps to HTTP 404 / upstream `entity_not_found`. */
export class NotFoundError extends StoreError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The candidate root key fails the store's key check; nothing was written. */
export class KeyMismatchError extends StoreError {
  override readonly name: string = 'KeyMismatchError';
  constructor(message = 'the root key does not match this store') {
    super('key_mismatch', message);
  }
}

/** The candidate root key is one this store retired by a finished rotation; nothing was written. */
export class RetiredKeyError extends KeyMismatchError {
  override readonly name = 'RetiredKeyError';
  constructor() {
    super('the root key was retired by a rotation of this store');
  }
}
