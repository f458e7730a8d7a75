// Adapters from src/nexus/store (durable; writes group-committed) to the StoreGate the
// Nexus lifecycle uses. The synchronous SQLite and memory stores are handed out
// through asNexusStore (docs/design.md § Async store); PostgreSQL's gate is in
// postgres-gate.ts (docs/postgres.md § Nexus on PostgreSQL).
import { asNexusStore, checkRootKey, openMemoryStore, openSqliteStore, StoreError, storeHoldsData, withKeyChecker, type GroupCommitHooks } from '../store/index.js';
import type { Logger } from '../../common/log.js';
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

/**
 * The postgres backend: connects to the database (pool, schema migrations;
 * retried with backoff while the server cannot be reached, one log line per
 * state change, never the password) and returns its gate (key checks and the
 * store on PostgreSQL: postgres-gate.ts, loaded only for this backend).
 * Rejects with the one-line PostgresConnectError of a bad URL, a refused
 * password, a missing database, TLS or a newer schema.
 */
export async function connectPostgresGate(
  database: NexusDatabaseConfig,
  maxVersions: number,
  log: Logger,
  opts: { readonly signal?: AbortSignal; readonly retryInitialMs?: number; readonly retryMaxMs?: number } = {},
): Promise<StoreGate> {
  const { openPostgresGate } = await import('./postgres-gate.js');
  return openPostgresGate({ database, maxVersions, log, ...opts });
}
