// The store as Nexus consumes it: reads return promises (docs/design.md § Async store).
// A database backend (PostgreSQL) answers asynchronously; SQLite and memory answer at
// once and are wrapped by asNexusStore. Errors stay the store's own: NotFoundError,
// StoreError (codes), KeyMismatchError / RetiredKeyError.
import type { GroupedWrites, Policy, SecretMetadata, SecretStore, StoreRotation } from './types.js';

export interface NexusStore {
  readonly kind: 'sqlite' | 'memory' | 'postgres';
  /** Values of `version` (0 = current). Rejects with NotFoundError if the path or version is missing or deleted. */
  getSecret(path: string, version?: number): Promise<Record<string, string>>;
  /** All versions + metadata; `version` (0 = current) must be readable as for getSecret. */
  getSecretMetadata(path: string, version?: number): Promise<SecretMetadata>;
  /** Every stored path (deleted ones included), sorted bytewise ascending. */
  listSecretPaths(): Promise<string[]>;
  /** Rejects with NotFoundError when no policy has this name. */
  getPolicy(name: string): Promise<Policy>;
  /** All policies, sorted by name. */
  listPolicies(): Promise<Policy[]>;
  /** The writes, group-committed; each promise settles once its write is durable. */
  readonly grouped: GroupedWrites;
  /** Runs the writes still queued, then releases the store and zeroes its key copies. Idempotent. */
  close(): Promise<void>;
  /** Root-key rotation: SQLite only for now (memory, PostgreSQL: undefined). */
  readonly rotation?: StoreRotation;
}

/**
 * Wraps a synchronous SecretStore (SQLite, memory). Each read runs synchronously when
 * called (same snapshot as before) and its result or thrown error becomes the promise's
 * value or rejection (the same error object). `grouped` and `rotation` are the store's own.
 */
export function asNexusStore(store: SecretStore): NexusStore {
  const settle = <T>(read: () => T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (e) {
      return Promise.reject(e as Error);
    }
  };
  const wrapped: NexusStore = {
    kind: store.kind,
    getSecret: (path, version) => settle(() => store.getSecret(path, version)),
    getSecretMetadata: (path, version) => settle(() => store.getSecretMetadata(path, version)),
    listSecretPaths: () => settle(() => store.listSecretPaths()),
    getPolicy: (name) => settle(() => store.getPolicy(name)),
    listPolicies: () => settle(() => store.listPolicies()),
    grouped: store.grouped,
    close: () => settle(() => store.close()),
  };
  return store.rotation === undefined ? wrapped : { ...wrapped, rotation: store.rotation };
}
