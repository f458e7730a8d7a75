// Adapters from src/nexus/store (synchronous, durable) to the StoreGate the
// Nexus lifecycle uses.
import { checkRootKey, openMemoryStore, openSqliteStore, StoreError, storeHoldsData, withKeyChecker } from '../store/index.js';
import type { SecretsStore, StoreGate } from './store-interface.js';

/** The SQLite store at `<dataDir>/spike.db`, keyed by the root key. */
export function sqliteGate(dataDir: string, maxVersions: number): StoreGate {
  return {
    hasKeyCheck: async () => storeHoldsData(dataDir),
    checkKey: async (key) => checkRootKey(dataDir, key),
    withKeyCheck: async (fn) => withKeyChecker(dataDir, fn),
    open: async (key) => openSqliteStore({ dataDir, rootKey: key, maxVersions }),
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
