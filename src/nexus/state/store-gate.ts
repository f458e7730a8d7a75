// Adapters from src/nexus/store (durable; writes group-committed) to the StoreGate the
// Nexus lifecycle uses.
import { checkRootKey, openMemoryStore, openSqliteStore, StoreError, storeHoldsData, withKeyChecker, type GroupCommitHooks } from '../store/index.js';
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
    open: async (key) => openSqliteStore({ dataDir, rootKey: key, maxVersions, ...(groupHooks === undefined ? {} : { groupCommit: { hooks: groupHooks } }) }),
    close: async () => undefined,
  };
}

/** Upstream `memory` backend: no root key, nothing persisted. */
export function memoryGate(maxVersions: number): StoreGate {
  return {
    hasKeyCheck: async () => false,
    checkKey: async () => 'empty',
    withKeyCheck: async (fn) => fn(() => 'empty'),
    open: async () => openMemoryStore({ maxVersions }),
    close: async () => undefined,
  };
}

/**
 * Upstream `lite` backend: no secret storage, only the root key (cipher/verify).
 * Nothing to check a key against. The dispatcher never routes secret or policy
 * requests here; should one arrive, every call fails (→ 500).
 */
export function liteGate(): StoreGate {
  const refuse = (): never => {
    throw new StoreError('closed', 'the lite backend stores no secrets or policies');
  };
  const refuseLater = (): Promise<never> => Promise.reject(new StoreError('closed', 'the lite backend stores no secrets or policies'));
  const none: SecretsStore = {
    kind: 'memory',
    putSecret: refuse,
    getSecret: refuse,
    deleteSecretVersions: refuse,
    undeleteSecretVersions: refuse,
    getSecretMetadata: refuse,
    listSecretPaths: refuse,
    putPolicy: refuse,
    getPolicy: refuse,
    deletePolicy: refuse,
    listPolicies: refuse,
    grouped: {
      putSecret: refuseLater,
      deleteSecretVersions: refuseLater,
      undeleteSecretVersions: refuseLater,
      putPolicy: refuseLater,
      deletePolicy: refuseLater,
    },
    close: () => undefined,
  };
  return {
    hasKeyCheck: async () => false,
    checkKey: async () => 'empty',
    withKeyCheck: async (fn) => fn(() => 'empty'),
    open: async () => none,
    close: async () => undefined,
  };
}
