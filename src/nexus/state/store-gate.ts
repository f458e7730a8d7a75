// Adapters from src/nexus/store (synchronous, durable) to the StoreGate /
// SecretsStore interfaces the Nexus lifecycle and routes use.
import {
  checkRootKey,
  NotFoundError,
  openMemoryStore,
  openSqliteStore,
  storeHoldsData,
  type SecretStore,
} from '../store/index.js';
import type { SecretsStore, StoreGate } from './backend.js';

function wrap(s: SecretStore): SecretsStore {
  return {
    putSecret: async (path, values) => {
      s.putSecret(path, values);
    },
    getSecret: async (path, version) => {
      try {
        return s.getSecret(path, version);
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    },
    close: async () => s.close(),
  };
}

/** The SQLite store at `<dataDir>/spike.db`, keyed by the root key. */
export function sqliteGate(dataDir: string, maxVersions: number): StoreGate {
  return {
    hasKeyCheck: async () => storeHoldsData(dataDir),
    checkKey: async (key) => checkRootKey(dataDir, key),
    open: async (key) => wrap(openSqliteStore({ dataDir, rootKey: key, maxVersions })),
    close: async () => undefined,
  };
}

/** Upstream `memory` backend: no root key, nothing persisted. */
export function memoryGate(maxVersions: number): StoreGate {
  return {
    hasKeyCheck: async () => false,
    checkKey: async () => 'empty',
    open: async () => wrap(openMemoryStore({ maxVersions })),
    close: async () => undefined,
  };
}

/** Upstream `lite` backend: no secret storage, only the root key (cipher/verify). Nothing to check a key against. */
export function liteGate(): StoreGate {
  const none: SecretsStore = {
    putSecret: async () => {
      throw new Error('the lite backend stores no secrets');
    },
    getSecret: async () => undefined,
    close: async () => undefined,
  };
  return {
    hasKeyCheck: async () => false,
    checkKey: async () => 'empty',
    open: async () => none,
    close: async () => undefined,
  };
}
