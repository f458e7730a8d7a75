// Adapters from src/nexus/store (durable; writes group-committed) to the StoreGate the
// Nexus lifecycle uses. The synchronous SQLite and memory stores are handed out
// through asNexusStore (docs/design.md § Async store).
import { asNexusStore, checkRootKey, openMemoryStore, openSqliteStore, StoreError, storeHoldsData, withKeyChecker, type GroupCommitHooks } from '../store/index.js';
import type { NexusDatabaseConfig } from '../database-config.js';
import type { SecretsStore, StoreGate } from './store-interface.js';

/**
 * The SQLite store at `<dataDir>/spike.db`, keyed by the root key. `groupHooks`:
 * test-only hooks of its group commit (the `store.*` failpoints).
 */
export function sqliteGate(dataDir: string, maxVersions: number, groupHooks?: GroupCommitHooks): StoreGate {
  return {
    hasKeyCheck: async () => storeHoldsData(dataDir),
    checkKey: async (key) => checkRootKey(dataDir, key),
    withKeyCheck: async (fn) => withKeyChecker(dataDir, fn),
    open: async (key) => asNexusStore(openSqliteStore({ dataDir, rootKey: key, maxVersions, ...(groupHooks === undefined ? {} : { groupCommit: { hooks: groupHooks } }) })),
    close: async () => undefined,
  };
}

/** Upstream `memory` backend: no root key, nothing persisted. */
export function memoryGate(maxVersions: number): StoreGate {
  return {
    hasKeyCheck: async () => false,
    checkKey: async () => 'empty',
    withKeyCheck: async (fn) => fn(() => 'empty'),
    open: async () => asNexusStore(openMemoryStore({ maxVersions })),
    close: async () => undefined,
  };
}

/**
 * Upstream `lite` backend: no secret storage, only the root key (cipher/verify).
 * Nothing to check a key against. The dispatcher never routes secret or policy
 * requests here; should one arrive, every call fails (→ 500).
 */
export function liteGate(): StoreGate {
  const refuse = (): Promise<never> => Promise.reject(new StoreError('closed', 'the lite backend stores no secrets or policies'));
  const none: SecretsStore = {
    kind: 'memory',
    getSecret: refuse,
    getSecretMetadata: refuse,
    listSecretPaths: refuse,
    getPolicy: refuse,
    listPolicies: refuse,
    grouped: {
      putSecret: refuse,
      deleteSecretVersions: refuse,
      undeleteSecretVersions: refuse,
      putPolicy: refuse,
      deletePolicy: refuse,
    },
    close: async () => undefined,
  };
  return {
    hasKeyCheck: async () => false,
    checkKey: async () => 'empty',
    withKeyCheck: async (fn) => fn(() => 'empty'),
    open: async () => none,
    close: async () => undefined,
  };
}

/** Why Nexus refuses to start with SPIKE_NEXUS_BACKEND_STORE=postgres for now. */
export const POSTGRES_UNAVAILABLE = 'the postgres backend is not available in this build';

/**
 * The postgres backend: connects to the database (pool, schema) and returns its gate
 * (key checks and opening the store on PostgreSQL, src/nexus/store/postgres). Not wired
 * in yet: it refuses, so that Nexus stops at start with one line instead of running
 * without the store it was configured for.
 */
export async function connectPostgresGate(database: NexusDatabaseConfig, maxVersions: number): Promise<StoreGate> {
  void database;
  void maxVersions;
  throw new StoreError('io', POSTGRES_UNAVAILABLE);
}
