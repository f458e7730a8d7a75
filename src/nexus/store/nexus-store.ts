// The store as Nexus consumes it: reads return promises (docs/design.md § Async store).
// A database backend (PostgreSQL) answers asynchronously; SQLite and memory answer at
// once and are wrapped by asNexusStore. Errors stay the store's own: NotFoundError,
// StoreError (codes), KeyMismatchError / RetiredKeyError.
import type { GroupedWrites, Policy, SecretMetadata, SecretStore, StoreRotation } from './types.js';
import type { SharedStoreRotation } from './postgres/rotation-api.js';

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
  /** Root-key rotation: SQLite's (synchronous), PostgreSQL's (shared by replicas); memory: undefined. */
  readonly rotation?: StoreRotation | SharedStoreRotation;
}

/**
 * Wraps a synchronous SecretStore (SQLite, memory). A read first awaits
 * `store.durable()` — the store's read barrier, so that a read never blocks the
 * event loop on a pending group-commit fsync (docs/design.md § Store) — then runs
 * synchronously; its result or thrown error (the same error object) settles the
 * promise, as does a failed barrier's error. close() skips the barrier (it must run
 * even after a failed fsync). `grouped` and `rotation` are the store's own.
 */
export function asNexusStore(store: SecretStore): NexusStore {
  // The executor turns a synchronous throw of durable() into a rejection too.
  const read = <T>(op: () => T): Promise<T> => new Promise<void>((resolve) => resolve(store.durable())).then(op);
  const wrapped: NexusStore = {
    kind: store.kind,
    getSecret: (path, version) => read(() => store.getSecret(path, version)),
    getSecretMetadata: (path, version) => read(() => store.getSecretMetadata(path, version)),
    listSecretPaths: () => read(() => store.listSecretPaths()),
    getPolicy: (name) => read(() => store.getPolicy(name)),
    listPolicies: () => read(() => store.listPolicies()),
    grouped: store.grouped,
    close: () => {
      try {
        store.close();
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e as Error);
      }
    },
  };
  return store.rotation === undefined ? wrapped : { ...wrapped, rotation: store.rotation };
}
